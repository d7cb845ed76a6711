//! Response bodies are written by hand from a small tree, so that numbers can be spelled the way
//! the real service spells them (timestamps in Java exponent form, `1.485179373361E9`) and keys
//! keep their order. Strings are escaped by `serde_json`.

/// A JSON value whose numbers are kept as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    /// Already valid JSON number text.
    Num(String),
    Str(String),
    Arr(Vec<Out>),
    Obj(Vec<(String, Out)>),
}

impl Out {
    pub fn obj() -> Out {
        Out::Obj(Vec::new())
    }

    /// Add a member (only to objects; no-op otherwise).
    pub fn with(mut self, key: &str, value: Out) -> Out {
        if let Out::Obj(members) = &mut self {
            members.push((key.to_owned(), value));
        }
        self
    }

    pub fn str(s: impl Into<String>) -> Out {
        Out::Str(s.into())
    }

    pub fn int(n: i64) -> Out {
        Out::Num(n.to_string())
    }

    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, out: &mut String) {
        match self {
            Out::Null => out.push_str("null"),
            Out::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Out::Num(n) => out.push_str(n),
            Out::Str(s) => push_str_escaped(out, s),
            Out::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Out::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_str_escaped(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn push_str_escaped(out: &mut String, s: &str) {
    // serde_json's string serialisation cannot fail for a &str.
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// How a timestamp is spelled on the wire. All three are epoch seconds as a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    /// `1485179373` (milliseconds dropped)
    Integer,
    /// `1485179373.361`
    Decimal,
    /// `1.485179373361E9`, as Java's `Double.toString` writes it.
    Exponent,
}

/// Epoch milliseconds → JSON number text of epoch seconds in the given style.
pub fn epoch_seconds(ms: i64, style: TimeStyle) -> String {
    match style {
        TimeStyle::Integer => ms.div_euclid(1000).to_string(),
        TimeStyle::Decimal => {
            let secs = ms.div_euclid(1000);
            let frac = ms.rem_euclid(1000);
            if frac == 0 {
                format!("{secs}.0")
            } else {
                let f = format!("{frac:03}");
                format!("{secs}.{}", f.trim_end_matches('0'))
            }
        }
        TimeStyle::Exponent => java_exponent(ms),
    }
}

/// Java `Double.toString(ms / 1000.0)` for values ≥ 10^7 seconds: `d.dddE<n>`.
fn java_exponent(ms: i64) -> String {
    if ms <= 0 {
        return epoch_seconds(ms, TimeStyle::Decimal);
    }
    let digits = ms.to_string();
    let exp = digits.len() as i64 - 1 - 3;
    if exp < 7 {
        // Java only switches to exponent form from 10^7 on.
        return epoch_seconds(ms, TimeStyle::Decimal);
    }
    let (head, tail) = digits.split_at(1);
    let tail = tail.trim_end_matches('0');
    let tail = if tail.is_empty() { "0" } else { tail };
    format!("{head}.{tail}E{exp}")
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_spellings() {
        assert_eq!(
            epoch_seconds(1_485_179_373_361, TimeStyle::Exponent),
            "1.485179373361E9"
        );
        assert_eq!(
            epoch_seconds(1_485_179_373_000, TimeStyle::Exponent),
            "1.485179373E9"
        );
        assert_eq!(
            epoch_seconds(1_500_000_000_000, TimeStyle::Exponent),
            "1.5E9"
        );
        assert_eq!(
            epoch_seconds(1_485_179_373_361, TimeStyle::Decimal),
            "1485179373.361"
        );
        assert_eq!(
            epoch_seconds(1_485_179_373_300, TimeStyle::Decimal),
            "1485179373.3"
        );
        assert_eq!(
            epoch_seconds(1_485_179_373_361, TimeStyle::Integer),
            "1485179373"
        );
        let v: f64 = "1.485179373361E9".parse().unwrap();
        assert!((v - 1_485_179_373.361).abs() < 1e-3);
    }

    #[test]
    fn writes_valid_json() {
        let o = Out::obj()
            .with("a", Out::str("x\"\u{1b}y"))
            .with(
                "t",
                Out::Num(epoch_seconds(1_485_179_373_361, TimeStyle::Exponent)),
            )
            .with(
                "l",
                Out::Arr(vec![Out::Bool(true), Out::Null, Out::int(-3)]),
            );
        let text = o.to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["a"], "x\"\u{1b}y");
        assert_eq!(v["l"][2], -3);
        assert!(text.contains("\"t\":1.485179373361E9"));
    }
}
