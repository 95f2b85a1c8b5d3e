//! The model file's JSON layout: pretty at the top, compact below, so a regenerated model
//! diffs one cell, street or type per line.

use std::io;

/// A JSON formatter that is pretty for the two outer levels and compact below, so the model
/// file diffs line by line (one cell, street or type per line) yet stays small.
#[derive(Default)]
pub(super) struct ShallowPretty {
    depth: usize,
    has_value: bool,
}

const PRETTY_DEPTH: usize = 2;

impl ShallowPretty {
    fn pretty(&self) -> bool {
        self.depth <= PRETTY_DEPTH
    }

    fn indent<W: ?Sized + io::Write>(&self, w: &mut W, levels: usize) -> io::Result<()> {
        for _ in 0..levels {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin_item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if self.pretty() {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(w, self.depth)
        } else if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    fn end_container<W: ?Sized + io::Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        let pretty = self.pretty();
        self.depth -= 1;
        if pretty && self.has_value {
            w.write_all(b"\n")?;
            self.indent(w, self.depth)?;
        }
        self.has_value = true;
        w.write_all(close)
    }
}

impl serde_json::ser::Formatter for ShallowPretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end_container(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end_container(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.pretty() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::*;

    #[test]
    fn shallow_pretty_output_round_trips() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct T {
            a: Vec<Vec<u32>>,
            b: BTreeMap<String, Vec<f64>>,
            c: Vec<u8>,
        }
        let t = T {
            a: vec![vec![1, 2], vec![]],
            b: [("x".to_string(), vec![1.5])].into_iter().collect(),
            c: vec![],
        };
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, ShallowPretty::default());
        t.serialize(&mut ser).expect("serialize");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "{\n  \"a\": [\n    [1,2],\n    []\n  ],\n  \"b\": {\n    \"x\": [1.5]\n  },\n  \"c\": []\n}"
        );
        let back: T = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, t);
    }
}
