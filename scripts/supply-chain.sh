#!/usr/bin/env bash
# Supply-chain checks of CI (issue 18.7), run by .ci/run:
#  1. `rsa` (RUSTSEC-2023-0071, no fix) is not compiled into the binary. Cargo.lock lists it
#     (through sqlx's optional MySQL driver, a cargo quirk with optional dependencies), so the
#     check asks cargo for the binary's dependency graph, not the lock file.
#  2. cargo-deny: licences, banned crates, sources (deny.toml). No network needed.
#  3. An SBOM (CycloneDX JSON) of the `countersign` binary under $SBOM_DIR (default sbom/,
#     ignored by git); fails if it is not written.
# cargo-deny and cargo-cyclonedx are installed from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== rsa is not compiled into the binary"
# Exit 0 with nothing on stdout: rsa is in Cargo.lock but not in the graph. An error that is
# not "did not match" (rsa gone from Cargo.lock altogether, also fine) fails the check.
if ! tree=$(cargo tree --locked -i rsa -e normal --workspace 2>/tmp/cs-rsa-tree.err); then
  if ! grep -q "did not match any packages" /tmp/cs-rsa-tree.err; then
    cat /tmp/cs-rsa-tree.err >&2
    exit 1
  fi
  tree=""
fi
if [ -n "$tree" ]; then
  echo "rsa (RUSTSEC-2023-0071) is compiled into the binary through:" >&2
  echo "$tree" >&2
  exit 1
fi

for tool in cargo-deny cargo-cyclonedx; do
  if ! command -v "$tool" >/dev/null; then
    echo "== installing $tool"
    cargo install --locked "$tool"
  fi
done

echo "== cargo deny check licenses bans sources"
cargo deny check licenses bans sources

echo "== SBOM (CycloneDX)"
SBOM_DIR="${SBOM_DIR:-sbom}"
mkdir -p "$SBOM_DIR"
rm -f "$SBOM_DIR/countersign.cdx.json"
find crates -name '*.cdx.json' -delete
# It writes one file per workspace member, next to its Cargo.toml; the binary's is the CLI's.
cargo cyclonedx --format json --manifest-path crates/cli/Cargo.toml --override-filename countersign.cdx
if [ ! -s crates/cli/countersign.cdx.json ]; then
  echo "the SBOM was not written (crates/cli/countersign.cdx.json)" >&2
  exit 1
fi
mv crates/cli/countersign.cdx.json "$SBOM_DIR/countersign.cdx.json"
find crates -name '*.cdx.json' -delete
echo "SBOM: $SBOM_DIR/countersign.cdx.json"
