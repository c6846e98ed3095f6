#!/usr/bin/env bash
# Runs every test suite: unit, store conformance on SQLite and PostgreSQL, web integration,
# simulator, and the browser journeys in Debian's headless Chromium. Installs what is missing
# (Chromium and ChromeDriver from apt) and FAILS — never skips — when a required part is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}"
export COUNTERSIGN_TEST_POSTGRES_URL="${COUNTERSIGN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v pg_isready >/dev/null 2>&1 || need_apt+=(postgresql-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (apt)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v chromium >/dev/null && command -v chromedriver >/dev/null \
  || { echo "error: chromium and chromedriver are required for the browser tests" >&2; exit 1; }

# The SMTP tests deliver to aiosmtpd (PyPI) on loopback; they fail without it.
if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "installing aiosmtpd (pip)" >&2
  python3 -m pip install -q aiosmtpd 2>/dev/null \
    || python3 -m pip install -q --break-system-packages aiosmtpd
fi
python3 -c 'import aiosmtpd' \
  || { echo "error: aiosmtpd is required for the SMTP tests (python3 -m pip install aiosmtpd)" >&2; exit 1; }

# The accessibility journey injects axe-core (npm, pinned by package-lock.json) into every page.
axe_dir=crates/web/tests/browser/axe
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  command -v npm >/dev/null 2>&1 \
    || { echo "error: npm is required for the accessibility tests (axe-core): apt-get install npm" >&2; exit 1; }
  echo "installing axe-core (npm ci in $axe_dir)" >&2
  (cd "$axe_dir" && npm ci --no-audit --no-fund --silent) \
    || { echo "error: npm ci in $axe_dir failed" >&2; exit 1; }
fi

# PostgreSQL must answer: the conformance and web suites run on it too.
pg_host=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or "127.0.0.1", p.port or 5432)' "$COUNTERSIGN_TEST_POSTGRES_URL")
if ! pg_isready -q -h ${pg_host% *} -p ${pg_host#* }; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "starting the local PostgreSQL cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  pg_isready -q -h ${pg_host% *} -p ${pg_host#* } \
    || { echo "error: PostgreSQL at $COUNTERSIGN_TEST_POSTGRES_URL does not answer" >&2; exit 1; }
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "error: tests failed" >&2; exit "$status"; }

# The suites that must have run (a silently skipped suite is a failure): PostgreSQL variants
# (test names contain "postgres") and the browser journeys (tests/browser/main.rs).
if ! grep -E "^test .*postgres.* \.\.\. ok$" "$log" >/dev/null; then
  echo "error: no PostgreSQL test passed: that suite did not run" >&2
  exit 1
fi
browser_passed=$(awk '/Running tests\/browser\/main.rs/ {b=1} b && /^test result:/ {print $4; exit}' "$log")
if [ -z "$browser_passed" ] || [ "$browser_passed" -eq 0 ]; then
  echo "error: the browser suite (tests/browser/main.rs) did not run any test" >&2
  exit 1
fi
passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo "${passed} passed, ${failed} failed"
