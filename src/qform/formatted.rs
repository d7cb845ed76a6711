//! FormattedContent (an XHTML subset, normally from CDATA) → readable plain text lines.
//!
//! Rendered with `html2text` and a decorator of our own:
//! * paragraphs and line breaks as lines, headings as plain lines;
//! * `<ul>` items as `• x`, `<ol>` items as `1. x`, blockquotes as `> x`;
//! * bold/italic/underline: the text only (no markers), so `<b>A &amp; B</b>` reads `A & B`;
//! * links as `text <url>`; images as `[image: alt] <url>`;
//! * tables as rows of cells separated by `│`, with box-drawing rules between rows;
//! * HTML named entities (`&nbsp;`, `&eacute;`, …) are decoded by the HTML parser.
//!
//! Nothing is ever fetched. The output is NOT yet sanitised: callers pass each line through
//! [`super::sanitize`] (the layout does).

use html2text::render::{TaggedLine, TextDecorator};

#[derive(Clone, Debug, Default)]
struct Decorator {
    links: Vec<String>,
}

impl TextDecorator for Decorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, Self::Annotation) {
        self.links.push(url.to_string());
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        match self.links.pop() {
            Some(u) if !u.is_empty() => format!(" <{u}>"),
            _ => String::new(),
        }
    }

    fn decorate_em_start(&self) -> (String, Self::Annotation) {
        (String::new(), ())
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, Self::Annotation) {
        (String::new(), ())
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, Self::Annotation) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, Self::Annotation) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) -> Self::Annotation {}

    fn decorate_preformat_cont(&self) -> Self::Annotation {}

    fn decorate_image(&mut self, src: &str, title: &str) -> (String, Self::Annotation) {
        let alt = title.trim();
        let s = match (alt.is_empty(), src.is_empty()) {
            (false, false) => format!("[image: {alt}] <{src}>"),
            (true, false) => format!("[image] <{src}>"),
            (false, true) => format!("[image: {alt}]"),
            (true, true) => "[image]".to_string(),
        };
        (s, ())
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }

    fn unordered_item_prefix(&self) -> String {
        // html2text measures prefixes in bytes, so it must be ASCII; turned into "• " afterwards.
        "* ".to_string()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Decorator::default()
    }

    fn decorate_superscript_start(&self) -> (String, Self::Annotation) {
        ("^".into(), ())
    }

    fn decorate_superscript_end(&self) -> String {
        String::new()
    }

    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<Self::Annotation>> {
        Vec::new()
    }
}

/// Deeper markup than this is rendered by [`strip_tags`]. Real FormattedContent nests < 10.
const MAX_NESTING: usize = 32;

/// The deepest element nesting in `html`, estimated from its tags (no parsing).
fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let mut depth: usize = 0;
    let mut max = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'<') {
            match bytes.get(i + 1) {
                Some(b'/') => depth = depth.saturating_sub(1),
                Some(c) if c.is_ascii_alphabetic() => {
                    // Self-closing `<br/>`-style tags do not nest.
                    // Look for the tag's end within a bounded window (keeps this linear).
                    let window = bytes.get(i..bytes.len().min(i + 512)).unwrap_or(&[]);
                    let end = window.iter().position(|&b| b == b'>').map(|e| i + e);
                    let self_closing =
                        end.is_some_and(|e| e > 0 && bytes.get(e - 1) == Some(&b'/'));
                    if !self_closing {
                        depth += 1;
                        max = max.max(depth);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    max
}

/// Very small fallback when html2text cannot render: drop tags, keep text.
fn strip_tags(html: &str) -> Vec<String> {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let text = decode_entities(&out);
    vec![text.split_whitespace().collect::<Vec<_>>().join(" ")]
}

/// Decode `&name;` / `&#N;` / `&#xN;` references (fallback path only; html2text does its own).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        let decoded = tail.find(';').filter(|&e| e > 0 && e <= 32).and_then(|e| {
            let name = &tail[..e];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
            } else {
                quick_xml::escape::resolve_xml_entity(name)
                    .or_else(|| super::xml::html_entity(name))
                    .map(String::from)
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push_str(&c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Turn html2text's ASCII bullet (`* ` after indentation) into `• `.
fn bulletize(line: &str) -> String {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let (lead, body) = line.split_at(indent);
    match body.strip_prefix("* ") {
        Some(rest) => format!("{lead}• {rest}"),
        None => line.to_string(),
    }
}

/// Control characters in the HTML source (raw, or as numeric character references such as
/// `&#27;`) replaced by their visible markers, escaped for HTML. html2text drops control
/// characters silently, which would leave the rest of an escape sequence (`[2J`) as if it were
/// text; the marker keeps it visibly an escape (`␛[2J`). HTML white space (TAB, LF, CR) stays.
fn mark_controls(html: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    use std::sync::LazyLock;
    static CHAR_REF: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?").expect("valid regex")
    });
    let is_mark = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    let escaped = |c: char| {
        super::sanitize::marker(c)
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out: Cow<'_, str> = if html.chars().any(is_mark) {
        Cow::Owned(
            html.chars()
                .map(|c| {
                    if is_mark(c) {
                        escaped(c)
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(html)
    };
    if out.contains("&#") {
        let replaced = CHAR_REF.replace_all(&out, |caps: &regex::Captures<'_>| {
            let code = match (caps.get(1), caps.get(2)) {
                (Some(hex), _) => u32::from_str_radix(hex.as_str(), 16).ok(),
                (_, Some(dec)) => dec.as_str().parse::<u32>().ok(),
                _ => None,
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_mark(c) => escaped(c),
                _ => caps[0].to_string(),
            }
        });
        if let Cow::Owned(s) = replaced {
            out = Cow::Owned(s);
        }
    }
    out
}

/// Render `html` to lines of at most roughly `width` columns (html2text wraps; the caller still
/// enforces the width after sanitising). Leading/trailing blank lines are dropped. Control
/// characters come out as visible markers (see [`mark_controls`]).
pub fn to_lines(html: &str, width: usize) -> Vec<String> {
    let width = width.clamp(8, 1000);
    let html = &*mark_controls(html);
    // html2text recurses over the DOM: refuse pathological nesting (a stack overflow cannot be
    // caught) and fall back to plain text.
    if nesting_depth(html) > MAX_NESTING {
        return strip_tags(html);
    }
    CAUGHT_HERE.with(|c| c.set(true));
    let rendered = std::panic::catch_unwind(|| {
        html2text::config::with_decorator(Decorator::default())
            .allow_width_overflow()
            .string_from_read(html.as_bytes(), width)
    });
    CAUGHT_HERE.with(|c| c.set(false));
    let text = match rendered {
        Ok(Ok(s)) => s,
        _ => return strip_tags(html),
    };
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| bulletize(l.trim_end()).replace('\u{a0}', " "))
        .collect();
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    // Collapse runs of blank lines to one.
    lines.dedup_by(|a, b| a.trim().is_empty() && b.trim().is_empty());
    lines
}

/// One-line rendering (for a selection label): lines joined with a space.
pub fn to_one_line(html: &str) -> String {
    to_lines(html, 1000)
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert_eq!(
            to_lines(
                "<p>Pick <b>A &amp; B</b></p><ul><li>x</li><li>y</li></ul>",
                40
            ),
            vec!["Pick A & B", "• x", "• y"]
        );
        assert_eq!(
            to_one_line("Please <a href=\"https://e.org/p\">read</a> it"),
            "Please read <https://e.org/p> it"
        );
        assert_eq!(
            to_one_line("<img src=\"http://x/y.png\" alt=\"a cat\" width=\"80%\"/>"),
            "[image: a cat] <http://x/y.png>"
        );
        assert_eq!(to_one_line("a&nbsp;b &eacute; <br></br>c"), "a b é c");
    }

    #[test]
    fn control_characters_become_visible_markers() {
        // Raw ESC/BEL in text and in an attribute, a C1 CSI in an image URL.
        let html = "<p>hi \u{1b}[2J <a href=\"http://x.com/\u{1b}]0;t\u{7}\">go</a></p>\
                    <img src=\"http://x/\u{9b}y.png\" alt=\"cat\"/>";
        assert_eq!(
            to_lines(html, 80),
            vec![
                "hi ␛[2J go <http://x.com/␛]0;t␇>",
                "",
                "[image: cat] <http://x/<U+009B>y.png>"
            ]
        );
        // Numeric character references to controls, decimal and hex.
        assert_eq!(
            to_one_line("a&#27;[31mb &#x9B;c &#x41;"),
            "a␛[31mb <U+009B>c A"
        );
        // White space stays white space.
        assert_eq!(to_one_line("a\tb\r\nc"), "a b c");
    }

    #[test]
    fn deep_nesting_falls_back() {
        let html = format!("{}deep{}", "<b>".repeat(5000), "</b>".repeat(5000));
        assert_eq!(to_lines(&html, 40), vec!["deep"]);
        assert_eq!(nesting_depth("<p><br/><i>x</i></p>"), 2);
    }

    #[test]
    fn tables_are_rows() {
        let lines = to_lines(
            "<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>31</td></tr></table>",
            40,
        );
        let joined = lines.join("\n");
        assert!(
            joined.contains("Name") && joined.contains("Ann"),
            "{joined}"
        );
        let ann = lines.iter().find(|l| l.contains("Ann")).unwrap();
        assert!(ann.contains("31"), "{lines:?}");
    }
}

thread_local! {
    static CAUGHT_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread renders HTML under `catch_unwind`: a panic now is caught and handled
/// (the content falls back to plain text), so a global panic hook must not treat it as fatal.
pub fn panic_is_caught_here() -> bool {
    CAUGHT_HERE.with(std::cell::Cell::get)
}
