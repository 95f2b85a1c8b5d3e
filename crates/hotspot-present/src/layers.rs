//! Users' own map layers: GeoJSON files (the city's street centre lines, beats, police
//! stations, schools …) read into [`OverlayLayer`]s the renderer draws over the cells.
//!
//! Lines and polygon outlines are stroked, points get a marker, and features with a `name`,
//! `label` or `NAME` property get a label. A file that cannot be used is an error naming the
//! file and, for a bad feature, its index and id; nothing of it is drawn, and whatever was on
//! the map stays.

use std::path::{Path, PathBuf};

use hotspot_render::OverlayLayer;

/// The largest layer file read (bytes).
pub const MAX_LAYER_BYTES: u64 = 256 * 1024 * 1024;
/// The most vertices one layer may hold.
pub const MAX_LAYER_VERTICES: usize = 20_000_000;

/// Why a layer file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {detail}", path.display())]
    Invalid { path: PathBuf, detail: String },
}

fn invalid(path: &Path, detail: impl Into<String>) -> LayerError {
    LayerError::Invalid {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Where a feature is, for messages: "feature 12 (id \"st-4\")".
fn feature_name(index: usize, id: Option<&serde_json::Value>) -> String {
    match id {
        Some(id) => format!("feature {index} (id {id})"),
        None => format!("feature {index}"),
    }
}

/// Reads a GeoJSON file (a FeatureCollection, a Feature or a bare geometry) into a layer named
/// after the file.
pub fn read_geojson(path: &Path) -> Result<OverlayLayer, LayerError> {
    let io = |source| LayerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_LAYER_BYTES {
        return Err(invalid(
            path,
            format!(
                "{} is larger than the {} a layer may be",
                hotspot_core::fmt::bytes(size),
                hotspot_core::fmt::bytes(MAX_LAYER_BYTES)
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(path, format!("not JSON: {e}")))?;
    let name = path
        .file_stem()
        .map_or_else(|| "layer".to_string(), |s| s.to_string_lossy().into_owned());
    let mut layer = OverlayLayer {
        name,
        ..OverlayLayer::default()
    };
    let mut vertices = 0usize;
    match value.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => {
            let features = value
                .get("features")
                .and_then(|f| f.as_array())
                .ok_or_else(|| invalid(path, "a FeatureCollection without a `features` list"))?;
            for (i, f) in features.iter().enumerate() {
                let where_ = feature_name(i, f.get("id"));
                add_feature(&mut layer, f, &mut vertices)
                    .map_err(|e| invalid(path, format!("{where_}: {e}")))?;
            }
        }
        Some("Feature") => {
            add_feature(&mut layer, &value, &mut vertices)
                .map_err(|e| invalid(path, format!("{}: {e}", feature_name(0, value.get("id")))))?;
        }
        Some(_) => {
            let g: geojson::Geometry = serde_json::from_value(value)
                .map_err(|e| invalid(path, format!("not a GeoJSON geometry: {e}")))?;
            add_geometry(&mut layer, &g, None, &mut vertices).map_err(|e| invalid(path, e))?;
        }
        None => return Err(invalid(path, "not GeoJSON: no `type`")),
    }
    if layer.is_empty() {
        return Err(invalid(path, "no feature with a geometry"));
    }
    Ok(layer)
}

fn add_feature(
    layer: &mut OverlayLayer,
    value: &serde_json::Value,
    vertices: &mut usize,
) -> Result<(), String> {
    let f: geojson::Feature =
        serde_json::from_value(value.clone()).map_err(|e| format!("not a GeoJSON feature: {e}"))?;
    let label = ["name", "label", "NAME", "Name", "LABEL"]
        .iter()
        .find_map(|k| f.property(k))
        .and_then(|v| match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    match &f.geometry {
        Some(g) => add_geometry(layer, g, label, vertices),
        None => Ok(()),
    }
}

/// A position as (latitude, longitude), checked.
fn lat_lon(p: &geojson::Position) -> Result<(f64, f64), String> {
    match p.as_slice() {
        [lon, lat, ..] if lat.is_finite() && lon.is_finite() => {
            if lat.abs() > 90.0 || lon.abs() > 180.0 {
                Err(format!(
                    "position [{lon}, {lat}] is not a longitude and latitude in degrees (is the file in a projected system? GeoJSON is WGS 84)"
                ))
            } else {
                Ok((*lat, *lon))
            }
        }
        other => Err(format!(
            "position {other:?} needs a longitude and a latitude"
        )),
    }
}

fn path_of(points: &[geojson::Position], vertices: &mut usize) -> Result<Vec<(f64, f64)>, String> {
    *vertices += points.len();
    if *vertices > MAX_LAYER_VERTICES {
        return Err(format!(
            "more than {MAX_LAYER_VERTICES} vertices in one layer"
        ));
    }
    points.iter().map(lat_lon).collect()
}

fn add_geometry(
    layer: &mut OverlayLayer,
    g: &geojson::Geometry,
    label: Option<String>,
    vertices: &mut usize,
) -> Result<(), String> {
    use geojson::GeometryValue as V;
    let mut label = label;
    let mut place = |layer: &mut OverlayLayer, at: (f64, f64)| {
        if let Some(text) = label.take() {
            layer.labels.push((at, text));
        }
    };
    match &g.value {
        V::Point { coordinates } => {
            let p = path_of(std::slice::from_ref(coordinates), vertices)?[0];
            layer.points.push(p);
            place(layer, p);
        }
        V::MultiPoint { coordinates } => {
            let ps = path_of(coordinates, vertices)?;
            if let Some(p) = ps.first() {
                place(layer, *p);
            }
            layer.points.extend(ps);
        }
        V::LineString { coordinates } => {
            let line = line_of(coordinates, vertices)?;
            place(layer, line[line.len() / 2]);
            layer.lines.push(line);
        }
        V::MultiLineString { coordinates } => {
            for c in coordinates {
                let line = line_of(c, vertices)?;
                place(layer, line[line.len() / 2]);
                layer.lines.push(line);
            }
        }
        V::Polygon { coordinates } => add_polygon(layer, coordinates, &mut label, vertices)?,
        V::MultiPolygon { coordinates } => {
            for p in coordinates {
                add_polygon(layer, p, &mut label, vertices)?;
            }
        }
        V::GeometryCollection { geometries } => {
            for g in geometries {
                add_geometry(layer, g, label.take(), vertices)?;
            }
        }
    }
    Ok(())
}

fn line_of(points: &[geojson::Position], vertices: &mut usize) -> Result<Vec<(f64, f64)>, String> {
    let line = path_of(points, vertices)?;
    if line.len() < 2 {
        return Err(format!(
            "a LineString needs 2 or more positions, not {}",
            line.len()
        ));
    }
    Ok(line)
}

fn add_polygon(
    layer: &mut OverlayLayer,
    rings: &[Vec<geojson::Position>],
    label: &mut Option<String>,
    vertices: &mut usize,
) -> Result<(), String> {
    for (k, r) in rings.iter().enumerate() {
        let ring = path_of(r, vertices)?;
        if ring.len() < 4 {
            return Err(format!(
                "a polygon ring needs 4 or more positions (closed), ring {k} has {}",
                ring.len()
            ));
        }
        if k == 0
            && let Some(text) = label.take()
        {
            let n = (ring.len() - 1) as f64;
            let c = ring[..ring.len() - 1]
                .iter()
                .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
            layer.labels.push((c, text));
        }
        layer.rings.push(ring);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("stations.geojson");
        std::fs::write(&p, text).expect("write");
        (dir, p)
    }

    #[test]
    fn features_of_every_kind_become_lines_rings_points_and_labels() {
        let (_d, p) = file(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"name":"District 1 station"},
               "geometry":{"type":"Point","coordinates":[-87.6270,41.8583]}},
              {"type":"Feature","properties":{"NAME":"S State St"},
               "geometry":{"type":"LineString","coordinates":[[-87.6278,41.88],[-87.6278,41.87],[-87.6279,41.86]]}},
              {"type":"Feature","properties":{"label":"Beat 111"},
               "geometry":{"type":"Polygon","coordinates":[[[-87.63,41.88],[-87.62,41.88],[-87.62,41.89],[-87.63,41.89],[-87.63,41.88]]]}},
              {"type":"Feature","properties":{},"geometry":null}
            ]}"#,
        );
        let l = read_geojson(&p).expect("layer");
        assert_eq!(l.name, "stations");
        assert_eq!(l.points, vec![(41.8583, -87.6270)]);
        assert_eq!(l.lines.len(), 1);
        assert_eq!(l.lines[0][1], (41.87, -87.6278));
        assert_eq!(l.rings.len(), 1);
        let labels: Vec<&str> = l.labels.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(labels, ["District 1 station", "S State St", "Beat 111"]);
        // A polygon's label sits at the mean of its ring's corners; a line's at its middle vertex.
        let beat = l.labels[2].0;
        assert!((beat.0 - 41.885).abs() < 1e-12 && (beat.1 + 87.625).abs() < 1e-12);
        assert_eq!(l.labels[1].0, (41.87, -87.6278));
    }

    #[test]
    fn a_bad_file_names_itself_and_the_feature() {
        let cases = [
            ("{ nope", "not JSON"),
            (r#"{"features":[]}"#, "no `type`"),
            (
                r#"{"type":"FeatureCollection","features":[]}"#,
                "no feature with a geometry",
            ),
            (
                r#"{"type":"FeatureCollection","features":[
                  {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},
                  {"type":"Feature","id":"st-4","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2]]}}]}"#,
                "feature 1 (id \"st-4\"): a LineString needs 2 or more positions",
            ),
            (
                r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1160000.5,1890000.2]}}"#,
                "feature 0: position [1160000.5, 1890000.2] is not a longitude and latitude",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}"#,
                "ring 0 has 3",
            ),
            (r#"{"type":"Blob"}"#, "not a GeoJSON geometry"),
        ];
        for (text, says) in cases {
            let (_d, p) = file(text);
            let e = read_geojson(&p).expect_err(text).to_string();
            assert!(e.contains("stations.geojson"), "{e}");
            assert!(e.contains(says), "{text}: {e}");
        }
        let missing = read_geojson(Path::new("/no/such/layer.geojson")).expect_err("missing");
        assert!(
            missing.to_string().contains("/no/such/layer.geojson"),
            "{missing}"
        );
    }
}
