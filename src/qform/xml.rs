//! A tiny, forgiving element tree built from quick-xml events, shared by the three parsers.
//!
//! * Elements are matched by their LOCAL name (`q:Question` and `Question` are the same), so any
//!   prefix and any namespace works.
//! * Text, CDATA and entity/character references are concatenated into one text node, decoded
//!   exactly once: `Tom &amp; Jerry` → `Tom & Jerry`; CDATA is taken verbatim (never unescaped).
//! * Line ends are normalised (`\r\n` and lone `\r` → `\n`) as XML 1.0 requires.
//! * The tree is built without recursion and nesting is capped, so hostile documents cannot
//!   overflow the stack; a parse error stops reading but everything read so far is kept, and
//!   the error is reported as a [`Problem`].

use quick_xml::events::{BytesRef, Event};
use quick_xml::reader::Reader;

use super::model::Problem;

/// Elements nested deeper than this are skipped (with a problem). Real documents nest < 12.
const MAX_DEPTH: usize = 64;
/// At most this many problems are recorded per document (a hostile document could
/// otherwise produce one per element).
pub(crate) const MAX_PROBLEMS: usize = 200;

#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Local name (prefix stripped).
    pub name: String,
    /// Attributes: (local name, decoded value). `xmlns` declarations are kept as `xmlns` /
    /// `xmlns:p` (full name) so the namespace can be read.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text directly inside this element (not inside child elements), concatenated.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// The text of the first child with this name, trimmed.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.text().trim().to_string())
    }

    /// The first descendant element (depth first, document order) with this local name.
    pub fn find(&self, name: &str) -> Option<&Element> {
        let mut stack: Vec<&Element> = self.elements().collect();
        stack.reverse();
        while let Some(e) = stack.pop() {
            if e.name == name {
                return Some(e);
            }
            let before = stack.len();
            stack.extend(e.elements());
            if let Some(tail) = stack.get_mut(before..) {
                tail.reverse();
            }
        }
        None
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The namespace URI this element's own name is in (default namespace or its prefix's).
    pub fn namespace(&self, prefix: Option<&str>) -> Option<&str> {
        let key = match prefix {
            Some(p) => format!("xmlns:{p}"),
            None => "xmlns".to_string(),
        };
        self.attr(&key)
    }
}

/// The result of reading a document: the root element (if any), its prefix, and problems.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub root: Option<Element>,
    pub root_prefix: Option<String>,
    pub problems: Vec<Problem>,
}

pub(crate) fn push_problem(problems: &mut Vec<Problem>, msg: impl Into<String>) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(Problem::new(msg));
    } else if problems.len() == MAX_PROBLEMS {
        problems.push(Problem::new("too many problems; further ones not listed"));
    }
}

/// Common HTML named entities that show up in hand-written MTurk XML outside CDATA. They are not
/// XML-predefined, so a strict parser would reject the document; we decode them instead.
pub(crate) fn html_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "nbsp" => "\u{a0}",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "laquo" => "«",
        "raquo" => "»",
        "bull" => "•",
        "middot" => "·",
        "deg" => "°",
        "times" => "×",
        "divide" => "÷",
        "euro" => "€",
        "pound" => "£",
        "yen" => "¥",
        "cent" => "¢",
        "sect" => "§",
        "para" => "¶",
        "eacute" => "é",
        "egrave" => "è",
        "aacute" => "á",
        "agrave" => "à",
        "iacute" => "í",
        "oacute" => "ó",
        "uacute" => "ú",
        "ntilde" => "ñ",
        "uuml" => "ü",
        "ouml" => "ö",
        "auml" => "ä",
        "szlig" => "ß",
        "ccedil" => "ç",
        "frac12" => "½",
        "frac14" => "¼",
        "frac34" => "¾",
        "plusmn" => "±",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "shy" => "\u{ad}",
        "zwsp" => "\u{200b}",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        _ => return None,
    })
}

/// Decode one `&…;` reference (the part between `&` and `;`).
fn decode_ref(r: &BytesRef<'_>, out: &mut String, problems: &mut Vec<Problem>) {
    let name: &str = r;
    if r.is_char_ref() {
        match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            _ => {
                push_problem(problems, format!("invalid character reference &{name};"));
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
        }
        return;
    }
    if let Some(s) = quick_xml::escape::resolve_xml_entity(name) {
        out.push_str(s);
    } else if let Some(s) = html_entity(name) {
        out.push_str(s);
    } else {
        push_problem(problems, format!("unknown entity &{name}; kept as written"));
        out.push('&');
        out.push_str(name);
        out.push(';');
    }
}

/// XML 1.0 end-of-line handling: `\r\n` and lone `\r` become `\n`.
fn push_normalized(out: &mut String, s: &str) {
    if !s.contains('\r') {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

fn split_name(full: &str) -> (Option<String>, String) {
    match full.split_once(':') {
        Some((p, l)) => (Some(p.to_string()), l.to_string()),
        None => (None, full.to_string()),
    }
}

fn read_attrs(
    start: &quick_xml::events::BytesStart<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in start.attributes().with_checks(false) {
        let Ok(a) = a else {
            push_problem(problems, "malformed attribute skipped");
            continue;
        };
        let full = a.key.0.to_string();
        let key = if full == "xmlns" || full.starts_with("xmlns:") {
            full
        } else {
            match full.split_once(':') {
                Some((_, l)) => l.to_string(),
                None => full,
            }
        };
        let value = decode_attr_value(&a.value, problems);
        out.push((key, value));
    }
    out
}

/// Decode references in an attribute value once (predefined, character, common HTML entities);
/// anything unrecognised is kept as written.
fn decode_attr_value(raw: &str, problems: &mut Vec<Problem>) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(pos) = rest.find('&') {
        let (before, after) = rest.split_at(pos);
        push_normalized(&mut out, before);
        let tail = &after[1..];
        match tail.find(';') {
            Some(end) if end > 0 && end <= 32 => {
                let name = &tail[..end];
                decode_ref(&BytesRef::new(name), &mut out, problems);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = tail;
            }
        }
    }
    push_normalized(&mut out, rest);
    out
}

/// Read a whole document into a tree. Never panics; stops at the first hard XML error.
pub(crate) fn read(xml: &str) -> Doc {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut doc = Doc::default();
    let mut reader = Reader::from_str(xml);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_dangling_amp = true;
        cfg.allow_unmatched_ends = true;
        cfg.expand_empty_elements = false;
    }
    // The open elements; index 0 is a synthetic document node.
    let mut stack: Vec<(Element, Option<String>)> = vec![(Element::default(), None)];
    // Elements opened beyond MAX_DEPTH: we only count them so their ends balance.
    let mut skipped_depth: usize = 0;
    let mut text = String::new();
    let mut warned_depth = false;

    fn flush(text: &mut String, stack: &mut [(Element, Option<String>)]) {
        if text.is_empty() {
            return;
        }
        if let Some((top, _)) = stack.last_mut() {
            top.children.push(Node::Text(std::mem::take(text)));
        } else {
            text.clear();
        }
    }

    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                push_problem(
                    &mut doc.problems,
                    format!(
                        "XML error at byte {}: {e}; the rest of the document was not read",
                        reader.error_position()
                    ),
                );
                break;
            }
        };
        match ev {
            // Already too deep: only track nesting so the ends balance.
            Event::Start(_) if skipped_depth > 0 => skipped_depth = skipped_depth.saturating_add(1),
            Event::Empty(_) if skipped_depth > 0 => {}
            Event::Start(s) => {
                if stack.len() > MAX_DEPTH {
                    skipped_depth = 1;
                    if !warned_depth {
                        warned_depth = true;
                        push_problem(&mut doc.problems, "elements nested too deeply were skipped");
                    }
                    continue;
                }
                flush(&mut text, &mut stack);
                let (prefix, name) = split_name(s.name().0);
                let attrs = read_attrs(&s, &mut doc.problems);
                stack.push((
                    Element {
                        name,
                        attrs,
                        children: Vec::new(),
                    },
                    prefix,
                ));
            }
            Event::Empty(s) => {
                if stack.len() > MAX_DEPTH {
                    continue;
                }
                flush(&mut text, &mut stack);
                let (prefix, name) = split_name(s.name().0);
                let attrs = read_attrs(&s, &mut doc.problems);
                let el = Element {
                    name,
                    attrs,
                    children: Vec::new(),
                };
                attach(&mut stack, el, prefix, &mut doc);
            }
            Event::End(e) => {
                if skipped_depth > 0 {
                    skipped_depth -= 1;
                    continue;
                }
                flush(&mut text, &mut stack);
                let (_, name) = split_name(e.name().0);
                // Close up to the matching open element; an end tag with no match is ignored.
                let found = stack.iter().skip(1).rposition(|(el, _)| el.name == name);
                match found {
                    Some(idx_from_1) => {
                        let target = idx_from_1 + 1;
                        while stack.len() > target {
                            let Some((el, prefix)) = stack.pop() else {
                                break;
                            };
                            if el.name != name {
                                push_problem(
                                    &mut doc.problems,
                                    format!("<{}> was not closed before </{name}>", el.name),
                                );
                            }
                            attach(&mut stack, el, prefix, &mut doc);
                        }
                    }
                    None => push_problem(
                        &mut doc.problems,
                        format!("stray closing tag </{name}> ignored"),
                    ),
                }
            }
            Event::Text(t) => {
                if skipped_depth == 0 {
                    push_normalized(&mut text, &t);
                }
            }
            Event::CData(c) => {
                if skipped_depth == 0 {
                    push_normalized(&mut text, &c);
                }
            }
            Event::GeneralRef(r) => {
                if skipped_depth == 0 {
                    decode_ref(&r, &mut text, &mut doc.problems);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    flush(&mut text, &mut stack);
    // Truncated document: close whatever is still open.
    while stack.len() > 1 {
        let Some((el, prefix)) = stack.pop() else {
            break;
        };
        push_problem(
            &mut doc.problems,
            format!("document ended inside <{}> (truncated?)", el.name),
        );
        attach(&mut stack, el, prefix, &mut doc);
    }
    doc
}

/// Attach a finished element to its parent, or make it the root.
fn attach(
    stack: &mut [(Element, Option<String>)],
    el: Element,
    prefix: Option<String>,
    doc: &mut Doc,
) {
    if stack.len() == 1 {
        if doc.root.is_none() {
            doc.root = Some(el);
            doc.root_prefix = prefix;
        } else {
            push_problem(
                &mut doc.problems,
                format!("extra top-level element <{}> ignored", el.name),
            );
        }
    } else if let Some((parent, _)) = stack.last_mut() {
        parent.children.push(Node::Element(el));
    }
}
