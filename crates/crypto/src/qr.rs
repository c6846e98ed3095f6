//! QR codes rendered as inline SVG, for TOTP enrolment pages.
//!
//! The SVG contains only a background `rect` and one `path`: no scripts, no external
//! references, no text from the input (the content is encoded in the module pattern), so it
//! can be embedded in a page under a strict CSP without escaping concerns.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Smallest rendered width/height in pixels; enough for phone cameras from a laptop screen.
const MIN_SIZE_PX: u32 = 200;

/// An `<svg>` element (no XML declaration, ready to put inside HTML) showing `text` as a QR
/// code with the standard quiet zone, at least 200 px square.
///
/// Falls back to a lower error-correction level for long input; text too long for any QR code
/// (over ~2.9 KB) yields an empty-looking SVG with an explanatory `<title>`, since an
/// `otpauth://` URI never gets close and failing the page for it would be worse.
#[must_use]
pub fn qr_svg(text: &str) -> String {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L));
    let Ok(code) = code else {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{MIN_SIZE_PX}\" \
             height=\"{MIN_SIZE_PX}\" role=\"img\"><title>Text too long for a QR code</title></svg>"
        );
    };
    let rendered = code
        .render::<svg::Color<'_>>()
        .min_dimensions(MIN_SIZE_PX, MIN_SIZE_PX)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer emits a standalone document; the XML declaration is not valid inside HTML.
    let svg = match rendered.find("<svg") {
        Some(start) => &rendered[start..],
        None => rendered.as_str(),
    };
    // Label it for screen readers; the page should also offer the secret as text.
    svg.replacen("<svg ", "<svg role=\"img\" aria-label=\"QR code\" ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_inline_svg_without_scripts_or_references() {
        let svg = qr_svg("otpauth://totp/Acme:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Acme");
        assert!(svg.starts_with("<svg role=\"img\""), "{}", &svg[..60]);
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("otpauth"));
        for forbidden in [
            "<script",
            "href",
            "<image",
            "<foreignObject",
            "url(",
            "<style",
        ] {
            assert!(!svg.contains(forbidden), "contains {forbidden}");
        }
        // No event-handler attributes such as onload=.
        assert!(!svg.contains(" on"), "contains an on* attribute");
        let width: u32 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        assert!(width >= 200, "width {width}");
    }

    #[test]
    fn too_long_input_still_returns_svg() {
        let svg = qr_svg(&"x".repeat(10_000));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
