//! A raster tile source: the URL template users give (`https://…/{z}/{x}/{y}.png`), the
//! attribution its licence asks to show, and the zoom range it serves.

use hotspot_core::tile::{MAX_TILE_ZOOM, TileId};
use sha2::{Digest, Sha256};

use crate::error::TileError;

/// The longest template accepted (a URL longer than this is a mistake).
pub const MAX_TEMPLATE_LEN: usize = 2048;
/// The zoom most public tile servers stop at (OpenStreetMap's standard layer serves 0–19).
pub const DEFAULT_MAX_ZOOM: u8 = 19;

/// Where tiles come from. Build it with [`TileSource::new`], which checks the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileSource {
    template: String,
    /// Shown in a corner of every map drawn over these tiles (e.g. "© OpenStreetMap
    /// contributors"); empty when the user gave none.
    pub attribution: String,
    /// The deepest zoom requested; deeper views enlarge tiles of this zoom.
    pub max_zoom: u8,
}

impl TileSource {
    /// A source for `template`: `http://` or `https://`, with `{z}`, `{x}` and `{y}`
    /// (`{-y}` for TMS servers that count rows from the south). `max_zoom` is clamped to
    /// [`MAX_TILE_ZOOM`].
    pub fn new(template: &str, attribution: &str, max_zoom: u8) -> Result<Self, TileError> {
        let template = template.trim();
        let bad = |reason: &str| TileError::Template {
            template: template.chars().take(200).collect(),
            reason: reason.to_string(),
        };
        if template.len() > MAX_TEMPLATE_LEN {
            return Err(bad("longer than 2048 characters"));
        }
        let lower = template.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(bad("must start with http:// or https://"));
        }
        if template.chars().any(char::is_whitespace) {
            return Err(bad("contains white space"));
        }
        let has_y = template.contains("{y}") || template.contains("{-y}");
        if !template.contains("{z}") || !template.contains("{x}") || !has_y {
            return Err(bad("must contain {z}, {x} and {y}"));
        }
        // Any other placeholder would be sent to the server literally.
        let rest = template
            .replace("{z}", "")
            .replace("{x}", "")
            .replace("{-y}", "")
            .replace("{y}", "");
        if let Some(start) = rest.find('{') {
            let name: String = rest[start..].chars().take_while(|&c| c != '}').collect();
            return Err(bad(&format!(
                "unknown placeholder {name}}} (known: {{z}}, {{x}}, {{y}}, {{-y}})"
            )));
        }
        Ok(Self {
            template: template.to_string(),
            attribution: attribution.trim().chars().take(300).collect(),
            max_zoom: max_zoom.min(MAX_TILE_ZOOM),
        })
    }

    /// The text to show with these tiles: the attribution, else the server's host, so tiles
    /// are never drawn unattributed.
    pub fn attribution_text(&self) -> String {
        if !self.attribution.is_empty() {
            return self.attribution.clone();
        }
        let t = self.template.as_str();
        let host = t
            .split("://")
            .nth(1)
            .unwrap_or(t)
            .split('/')
            .next()
            .unwrap_or(t);
        format!("Basemap: {host}")
    }

    /// The template as given (trimmed).
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The URL of one tile.
    pub fn url(&self, tile: TileId) -> String {
        let tms_y = tile.grid() - 1 - tile.y;
        self.template
            .replace("{z}", &tile.z.to_string())
            .replace("{x}", &tile.x.to_string())
            .replace("{-y}", &tms_y.to_string())
            .replace("{y}", &tile.y.to_string())
    }

    /// A short stable name for this template (its cache folder): 16 hex digits of its
    /// SHA-256, so two templates never share tiles and no URL text reaches the file system.
    pub fn key(&self) -> String {
        let digest = Sha256::digest(self.template.as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(z: u8, x: u32, y: u32) -> TileId {
        TileId::new(z, x, y).expect("tile")
    }

    #[test]
    fn urls_fill_the_placeholders() {
        let s = TileSource::new("https://t.example/{z}/{x}/{y}.png", "© Example", 30).expect("ok");
        assert_eq!(
            s.url(tile(12, 1050, 1522)),
            "https://t.example/12/1050/1522.png"
        );
        assert_eq!(s.max_zoom, MAX_TILE_ZOOM);
        assert_eq!(s.attribution_text(), "© Example");
        let bare = TileSource::new("https://t.example:8080/{z}/{x}/{y}.png", " ", 19).expect("ok");
        assert_eq!(bare.attribution_text(), "Basemap: t.example:8080");
        // TMS rows count from the south: at zoom 2 row 0 is row 3.
        let tms = TileSource::new("http://h/{z}/{x}/{-y}", "", 19).expect("ok");
        assert_eq!(tms.url(tile(2, 1, 0)), "http://h/2/1/3");
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        for (t, why) in [
            ("ftp://h/{z}/{x}/{y}", "http"),
            ("https://h/{z}/{x}.png", "{y}"),
            ("https://h/{z}/{x}/{y}{s}.png", "unknown placeholder {s}"),
            ("https://h/{z}/{x}/{y} .png", "white space"),
            ("", "http"),
        ] {
            let e = TileSource::new(t, "", 19).expect_err(t).to_string();
            assert!(e.contains(why), "{t}: {e}");
        }
        let long = format!("https://h/{}{{z}}/{{x}}/{{y}}", "a".repeat(3000));
        assert!(TileSource::new(&long, "", 19).is_err());
    }

    #[test]
    fn keys_differ_by_template_and_are_file_names() {
        let a = TileSource::new("https://a/{z}/{x}/{y}", "", 19).expect("ok");
        let b = TileSource::new("https://b/{z}/{x}/{y}", "", 19).expect("ok");
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key().len(), 16);
        assert!(a.key().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.key(), a.clone().key());
    }
}
