//! Generated data: ids, workers, submit times, and answers that are valid for their form.
//!
//! Answers follow the form's constraints: selection questions get between Min and Max
//! SelectionIdentifiers from their own Selections (plus OtherSelectionText now and then where the
//! form allows it, never exceeding Max in total); free text honours Length (counted in UTF-16
//! units, as the worker's browser does), IsNumeric bounds and, where a matching string can be
//! generated, every AnswerFormatRegex; DefaultText is used sometimes; some optional questions are
//! skipped. About one answer in ten carries hostile text in one free-text field (see
//! [`HOSTILE`]), cut to the field's Length — except the very long line (2000+ characters), which
//! ignores a smaller maximum Length on purpose.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::rng::{SimRng, UPPER_ALNUM};
use crate::qform::{AnswerSpec, FreeTextSpec, QuestionForm, SelectionSpec};

pub const ANSWERS_NS: &str = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd";

/// An MTurk-style id: `3` followed by 29 upper-case letters and digits (30 in all).
pub fn entity_id(rng: &mut SimRng) -> String {
    format!("3{}", rng.string_from(UPPER_ALNUM, 29))
}

/// A worker id: `A` followed by 12–14 upper-case letters and digits.
pub fn worker_id(rng: &mut SimRng) -> String {
    let n = rng.range(12, 14) as usize;
    format!("A{}", rng.string_from(UPPER_ALNUM, n))
}

/// One generated answer value.
#[derive(Debug, Clone, PartialEq)]
pub enum GenValue {
    FreeText(String),
    Selection {
        ids: Vec<String>,
        other: Option<String>,
    },
    File {
        size: u64,
        key: String,
    },
}

/// The two envelopes seen in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `<?xml version="1.0" encoding="ASCII"?>` and the whole document on one line (the 2017
    /// API); every non-ASCII character becomes a `&#NNN;` reference.
    AsciiOneLine,
    /// `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` and one element per line (the
    /// legacy API); non-ASCII text is written as is.
    Utf8MultiLine,
}

/// Hostile free-text fragments: terminal escape sequences, controls, bidi overrides,
/// zero-width characters, wide CJK, an emoji with a skin-tone modifier, and (see
/// [`long_line`]) a very long line.
///
/// XML 1.0 cannot carry C0 controls other than TAB, LF and CR, not even as character
/// references. The sim writes them as references (`&#27;`): strictly that is not well-formed
/// XML and real MTurk would most likely never emit it, but lenient parsers (quick-xml) decode it
/// to the raw control character, which is exactly what the renderer must survive. CR is written
/// as `&#13;` so that XML line-end normalisation keeps it.
pub const HOSTILE: &[&str] = &[
    "\u{1b}[2J\u{1b}[Hscreen cleared?",
    "\u{1b}]0;pwned\u{7}title set",
    "col1\tcol2\tcol3\rCR overwrite",
    "\u{202e}gnp.exe\u{202c} bidi override",
    "zero\u{200b}width\u{200d}joiner\u{feff}bom",
    "测试 answer 测试",
    "great 👍🏽 thanks",
    "\u{1b}[31mred\u{1b}[0m and \u{1b}[5mblink\u{1b}[0m",
    "bell\u{7}\u{8}\u{8}backspace",
];

/// A line of more than 2000 characters with no line break.
pub fn long_line() -> String {
    let mut s = String::from("long line: ");
    while s.len() < 2100 {
        s.push_str("lorem ipsum dolor sit amet ");
    }
    s
}

const WORDS: &[&str] = &[
    "yes", "no", "maybe", "blue", "green", "the", "answer", "is", "because", "I", "think", "it",
    "looks", "fine", "correct", "option", "reason", "clear", "image", "text", "word", "game",
    "move", "win", "red", "fish", "PRESS", "SQUASH", "C3", "quick", "review",
];

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cut/pad `s` so that it has at least `min` characters and at most `max` UTF-16 units.
fn fit_length(mut s: String, min: Option<u32>, max: Option<u32>) -> String {
    if let Some(max) = max {
        let max = max as usize;
        while utf16_len(&s) > max {
            s.pop();
        }
    }
    if let Some(min) = min {
        // A Test is at most 64 KiB, so no sane form asks for more than that.
        let min = (min as usize).min(65_536);
        let mut i = 0;
        while s.chars().count() < min {
            s.push(char::from(b'a' + (i % 26) as u8));
            i += 1;
        }
    }
    s
}

fn length_ok(s: &str, spec: &FreeTextSpec) -> bool {
    spec.min_length
        .is_none_or(|m| s.chars().count() >= m as usize)
        && spec.max_length.is_none_or(|m| utf16_len(s) <= m as usize)
}

fn compile(rc: &crate::qform::RegexConstraint) -> Option<regex::Regex> {
    let ci = rc.flags.as_deref().is_some_and(|f| f.contains('i'));
    regex::RegexBuilder::new(&rc.regex)
        .case_insensitive(ci)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// True when `s` satisfies every constraint of the spec the sim can check.
pub fn free_text_ok(s: &str, spec: &FreeTextSpec) -> bool {
    if !length_ok(s, spec) {
        return false;
    }
    if let Some(b) = &spec.numeric {
        let Ok(n) = s.trim().parse::<i64>() else {
            return false;
        };
        if b.min.is_some_and(|m| n < m) || b.max.is_some_and(|m| n > m) {
            return false;
        }
    }
    spec.regexes
        .iter()
        .all(|rc| compile(rc).is_none_or(|re| re.is_match(s)))
}

fn words(rng: &mut SimRng, n: usize) -> String {
    (0..n.max(1))
        .map(|_| *rng.pick(WORDS).unwrap_or(&"x"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A string matching `hir` (best effort; the caller checks it).
fn from_hir(rng: &mut SimRng, hir: &Hir, out: &mut String, depth: u32) {
    if depth > 40 || out.len() > 4000 {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(c)) => {
            let ranges = c.ranges();
            let ascii: Vec<(u32, u32)> = ranges
                .iter()
                .filter_map(|r| {
                    let lo = (r.start() as u32).max(0x21);
                    let hi = (r.end() as u32).min(0x7e);
                    (lo <= hi).then_some((lo, hi))
                })
                .collect();
            let pick = if !ascii.is_empty() && rng.chance(0.95) {
                rng.pick(&ascii).copied()
            } else {
                rng.pick(ranges).map(|r| (r.start() as u32, r.end() as u32))
            };
            if let Some((lo, hi)) = pick
                && let Some(ch) = char::from_u32(rng.range(u64::from(lo), u64::from(hi)) as u32)
            {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            if let Some(r) = rng.pick(c.ranges()) {
                let b = rng.range(u64::from(r.start()), u64::from(r.end())) as u8;
                if b.is_ascii() {
                    out.push(char::from(b));
                }
            }
        }
        HirKind::Repetition(rep) => {
            let hi = rep.max.unwrap_or(rep.min + 4).min(rep.min + 4);
            let n = rng.range(u64::from(rep.min), u64::from(hi));
            for _ in 0..n {
                if out.len() > 4000 {
                    break;
                }
                from_hir(rng, &rep.sub, out, depth + 1);
            }
        }
        HirKind::Capture(c) => from_hir(rng, &c.sub, out, depth + 1),
        HirKind::Concat(items) => {
            for h in items {
                from_hir(rng, h, out, depth + 1);
            }
        }
        HirKind::Alternation(items) => {
            if let Some(h) = rng.pick(items) {
                from_hir(rng, h, out, depth + 1);
            }
        }
    }
}

fn regex_candidate(rng: &mut SimRng, rc: &crate::qform::RegexConstraint) -> Option<String> {
    let ci = rc.flags.as_deref().is_some_and(|f| f.contains('i'));
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(ci)
        .build()
        .parse(&rc.regex)
        .ok()?;
    let mut s = String::new();
    from_hir(rng, &hir, &mut s, 0);
    Some(s)
}

/// A free-text value for `spec`; `hostile` asks for hostile text when the constraints allow it.
pub fn free_text(rng: &mut SimRng, spec: &FreeTextSpec, hostile: bool) -> String {
    if let Some(d) = &spec.default_text
        && !hostile
        && rng.chance(0.2)
        && free_text_ok(d, spec)
    {
        return d.clone();
    }
    if let Some(b) = &spec.numeric {
        let lo = b.min.unwrap_or(0);
        let hi = b.max.unwrap_or(lo.saturating_add(100)).max(lo);
        for _ in 0..10 {
            let n = lo.saturating_add(rng.below(hi.abs_diff(lo).saturating_add(1)) as i64);
            let s = n.to_string();
            if free_text_ok(&s, spec) {
                return s;
            }
        }
    }
    if !spec.regexes.is_empty() {
        for _ in 0..30 {
            let idx = rng.index(spec.regexes.len());
            if let Some(s) = regex_candidate(rng, &spec.regexes[idx])
                && free_text_ok(&s, spec)
            {
                return s;
            }
        }
        // Simple fallback: a few words, cut to the Length constraint.
        return fit_length(words(rng, 3), spec.min_length, spec.max_length);
    }
    if hostile && spec.numeric.is_none() {
        if rng.chance(0.15) {
            // The one deliberate constraint violation: a line of 2000+ characters even where
            // Length says less (the Length check runs in the worker's browser only; the service
            // guarantees schema validity, nothing more).
            return fit_length(long_line(), spec.min_length, None);
        }
        let base = {
            let mut s = (*rng.pick(HOSTILE).unwrap_or(&"")).to_owned();
            if rng.chance(0.3) {
                s.push(' ');
                s.push_str(rng.pick(HOSTILE).unwrap_or(&""));
            }
            s
        };
        return fit_length(base, spec.min_length, spec.max_length);
    }
    let max_words = match spec.lines {
        Some(l) if l > 1 => 25,
        _ => 6,
    };
    let n = rng.range(1, max_words) as usize;
    fit_length(words(rng, n), spec.min_length, spec.max_length)
}

fn selection(rng: &mut SimRng, spec: &SelectionSpec, hostile: bool) -> GenValue {
    let n = spec.selections.len();
    let min = (spec.min_selections as usize).min(n);
    let max = (spec.max_selections.max(1) as usize).min(n).max(min);
    let use_other = spec.other.is_some() && max > min && rng.chance(0.3);
    let top = if use_other { max - 1 } else { max };
    let k = rng.range(min as u64, top as u64) as usize;
    let mut idx: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut idx);
    let mut chosen: Vec<usize> = idx.into_iter().take(k).collect();
    chosen.sort_unstable();
    let ids = chosen
        .into_iter()
        .map(|i| spec.selections[i].identifier.clone())
        .collect();
    let other = match (
        &spec.other,
        use_other || (spec.other.is_some() && hostile && max > k),
    ) {
        (Some(o), true) => Some(free_text(rng, o, hostile)),
        _ => None,
    };
    GenValue::Selection { ids, other }
}

/// Indexes (among the questions) of the questions that can carry hostile text: free text
/// without IsNumeric or AnswerFormatRegex, and selections with OtherSelection.
pub fn hostile_slots(form: &QuestionForm) -> Vec<usize> {
    form.questions()
        .enumerate()
        .filter(|(_, q)| match &q.answer {
            AnswerSpec::FreeText(s) => s.numeric.is_none() && s.regexes.is_empty(),
            AnswerSpec::Selection(s) => s.other.is_some(),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

/// Answers for a parsed form: `(QuestionIdentifier, value)` in form order. With probability
/// `hostile_rate` one question that can carry it gets hostile text.
pub fn answers_for(
    rng: &mut SimRng,
    form: &QuestionForm,
    hostile_rate: f64,
) -> Vec<(String, GenValue)> {
    let questions: Vec<_> = form.questions().collect();
    let hostile_slots = hostile_slots(form);
    let hostile_at = if rng.chance(hostile_rate) {
        rng.pick(&hostile_slots).copied()
    } else {
        None
    };
    let mut out = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let hostile = hostile_at == Some(i);
        if !q.required && !hostile && rng.chance(0.15) {
            continue;
        }
        let value = match &q.answer {
            AnswerSpec::FreeText(spec) => GenValue::FreeText(free_text(rng, spec, hostile)),
            AnswerSpec::Selection(spec) => selection(rng, spec, hostile),
            AnswerSpec::FileUpload {
                min_bytes,
                max_bytes,
            } => {
                let lo = min_bytes.unwrap_or(1);
                let hi = max_bytes.unwrap_or(2_000_000).max(lo);
                GenValue::File {
                    size: rng.range(lo, hi),
                    key: format!("{}/{}", rng.string_from(UPPER_ALNUM, 8), "upload.bin"),
                }
            }
            AnswerSpec::Missing => continue,
        };
        out.push((q.identifier.clone(), value));
    }
    out
}

/// XML-escape text for element content in the given envelope (see [`HOSTILE`] for controls).
pub fn escape_text(s: &str, env: Envelope) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#{};", c as u32)),
            c if !c.is_ascii() && env == Envelope::AsciiOneLine => {
                out.push_str(&format!("&#{};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// A QuestionFormAnswers document.
pub fn answers_xml(answers: &[(String, GenValue)], env: Envelope) -> String {
    let nl = match env {
        Envelope::AsciiOneLine => "",
        Envelope::Utf8MultiLine => "\n",
    };
    let mut s = match env {
        Envelope::AsciiOneLine => String::from(r#"<?xml version="1.0" encoding="ASCII"?>"#),
        Envelope::Utf8MultiLine => {
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n")
        }
    };
    if answers.is_empty() {
        s.push_str(&format!("<QuestionFormAnswers xmlns=\"{ANSWERS_NS}\"/>"));
        return s;
    }
    s.push_str(&format!("<QuestionFormAnswers xmlns=\"{ANSWERS_NS}\">{nl}"));
    let el = |name: &str, text: &str| format!("<{name}>{}</{name}>{nl}", escape_text(text, env));
    for (qid, value) in answers {
        s.push_str(&format!("<Answer>{nl}"));
        s.push_str(&el("QuestionIdentifier", qid));
        match value {
            GenValue::FreeText(t) if t.is_empty() => s.push_str(&format!("<FreeText/>{nl}")),
            GenValue::FreeText(t) => s.push_str(&el("FreeText", t)),
            GenValue::Selection { ids, other } => {
                for id in ids {
                    s.push_str(&el("SelectionIdentifier", id));
                }
                if let Some(o) = other {
                    s.push_str(&el("OtherSelectionText", o));
                }
            }
            GenValue::File { size, key } => {
                s.push_str(&el("UploadedFileSizeInBytes", &size.to_string()));
                s.push_str(&el("UploadedFileKey", key));
            }
        }
        s.push_str(&format!("</Answer>{nl}"));
    }
    s.push_str("</QuestionFormAnswers>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qform::{NumericBounds, Question, RegexConstraint, Selection, SelectionContent};

    fn sel_spec(n: usize, min: u32, max: u32, other: bool) -> SelectionSpec {
        SelectionSpec {
            min_selections: min,
            max_selections: max,
            style: None,
            selections: (0..n)
                .map(|i| Selection {
                    identifier: format!("s{i}"),
                    content: SelectionContent::Text(format!("option {i}")),
                })
                .collect(),
            other: other.then(FreeTextSpec::default),
        }
    }

    #[test]
    fn ids_have_the_right_shape() {
        let mut r = SimRng::new(3);
        for _ in 0..50 {
            let e = entity_id(&mut r);
            assert_eq!(e.len(), 30);
            assert!(e.starts_with('3'));
            assert!(
                e.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            );
            let w = worker_id(&mut r);
            assert!((13..=15).contains(&w.len()), "{w}");
            assert!(w.starts_with('A'));
        }
    }

    #[test]
    fn selections_respect_min_max_and_own_ids() {
        let mut r = SimRng::new(11);
        for (n, min, max, other) in [
            (5, 1, 1, false),
            (25, 2, 5, true),
            (3, 0, 3, true),
            (4, 2, 2, true),
        ] {
            let spec = sel_spec(n, min, max, other);
            for _ in 0..200 {
                let h = r.chance(0.2);
                let GenValue::Selection { ids, other: o } = selection(&mut r, &spec, h) else {
                    panic!()
                };
                let total = ids.len() + usize::from(o.is_some());
                assert!(
                    ids.len() >= min as usize && total <= max as usize,
                    "{ids:?} {o:?}"
                );
                let mut d = ids.clone();
                d.dedup();
                assert_eq!(d.len(), ids.len());
                assert!(
                    ids.iter()
                        .all(|i| spec.selections.iter().any(|s| &s.identifier == i))
                );
                if !other {
                    assert!(o.is_none());
                }
            }
        }
    }

    #[test]
    fn free_text_respects_constraints() {
        let mut r = SimRng::new(5);
        let spec = FreeTextSpec {
            min_length: Some(1),
            max_length: Some(12),
            default_text: Some("Your name".into()),
            ..Default::default()
        };
        let mut long = 0;
        for _ in 0..500 {
            let h = r.chance(0.5);
            let s = free_text(&mut r, &spec, h);
            if s.len() > 2000 {
                assert!(h, "only hostile text breaks Length");
                long += 1;
            } else {
                assert!(free_text_ok(&s, &spec), "{s:?}");
            }
        }
        assert!(long > 5, "{long}");
        let re = FreeTextSpec {
            regexes: vec![RegexConstraint {
                regex: r"^[A-H][1-8]$".into(),
                error_text: None,
                flags: None,
            }],
            ..Default::default()
        };
        let check = regex::Regex::new(r"^[A-H][1-8]$").unwrap();
        for _ in 0..100 {
            let s = free_text(&mut r, &re, true);
            assert!(check.is_match(&s), "{s:?}");
        }
        let ci = FreeTextSpec {
            regexes: vec![RegexConstraint {
                regex: r"^\d{3}-[a-z]+@example\.(com|org)$".into(),
                error_text: None,
                flags: Some("i".into()),
            }],
            ..Default::default()
        };
        for _ in 0..50 {
            let s = free_text(&mut r, &ci, false);
            assert!(free_text_ok(&s, &ci), "{s:?}");
        }
        let num = FreeTextSpec {
            numeric: Some(NumericBounds {
                min: Some(-5),
                max: Some(5),
            }),
            ..Default::default()
        };
        for _ in 0..50 {
            let s = free_text(&mut r, &num, true);
            let n: i64 = s.parse().unwrap();
            assert!((-5..=5).contains(&n));
        }
    }

    #[test]
    fn escaping_and_envelopes() {
        let a = vec![
            (
                "q<1>".to_string(),
                GenValue::FreeText("a & b \u{1b}[2J\r测👍🏽".into()),
            ),
            ("q2".to_string(), GenValue::FreeText(String::new())),
            (
                "q3".to_string(),
                GenValue::Selection {
                    ids: vec!["x".into(), "y".into()],
                    other: Some("z".into()),
                },
            ),
        ];
        let ascii = answers_xml(&a, Envelope::AsciiOneLine);
        assert!(ascii.starts_with(r#"<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers"#));
        assert!(ascii.is_ascii());
        assert!(!ascii.contains('\n'));
        assert!(
            ascii
                .contains("<FreeText>a &amp; b &#27;[2J&#13;&#27979;&#128077;&#127997;</FreeText>")
        );
        assert!(ascii.contains("<QuestionIdentifier>q&lt;1&gt;</QuestionIdentifier>"));
        assert!(ascii.contains("<FreeText/>"));
        assert!(ascii.contains(
            "<SelectionIdentifier>x</SelectionIdentifier><SelectionIdentifier>y</SelectionIdentifier><OtherSelectionText>z</OtherSelectionText>"
        ));
        let utf = answers_xml(&a, Envelope::Utf8MultiLine);
        assert!(utf.contains("测👍🏽"));
        assert!(utf.lines().count() > 10);
        assert_eq!(
            answers_xml(&[], Envelope::AsciiOneLine),
            format!(
                r#"<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{ANSWERS_NS}"/>"#
            )
        );
    }

    #[test]
    fn optional_questions_are_sometimes_skipped_required_never() {
        let mut form = QuestionForm::default();
        for (i, req) in [(0, true), (1, false)] {
            form.items.push(crate::qform::FormItem::Question(Question {
                identifier: format!("q{i}"),
                required: req,
                answer: AnswerSpec::FreeText(FreeTextSpec::default()),
                ..Default::default()
            }));
        }
        let mut r = SimRng::new(1);
        let mut skipped = 0;
        for _ in 0..300 {
            let a = answers_for(&mut r, &form, 0.1);
            assert!(a.iter().any(|(q, _)| q == "q0"));
            if !a.iter().any(|(q, _)| q == "q1") {
                skipped += 1;
            }
        }
        assert!((10..120).contains(&skipped), "{skipped}");
    }
}
