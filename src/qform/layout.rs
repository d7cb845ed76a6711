//! The review laid out as styled lines of a given width, shared by `show` and the dashboard.
//! No terminal types here: a [`StyledLine`] is a list of [`Seg`]s, each with a semantic
//! [`SegStyle`] the UI maps to colours.
//!
//! Guarantees: every segment's text is sanitised (no control characters, see
//! [`super::sanitize`]) and every line's display width is at most the requested width.
//!
//! Shape: a summary header; then every Test item in order. At width ≥ [`SIDE_BY_SIDE_MIN`] each
//! question is shown as two columns — the Test (prompt, choices) on the left, the worker's answer
//! (flags, grade) on the right, both starting on the question's first row; narrower, the answer
//! follows the question. Then extra answers, the key total, and the problems.

use super::answer_key::Verdict;
use super::formatted;
use super::model::*;
use super::review::{
    ChoiceReview, Chosen, QuestionReview, Review, ReviewAnswer, ReviewItem, binary_label,
};
use super::sanitize::{display_width, pad, sanitize, sanitize_lines, truncate};
use unicode_segmentation::UnicodeSegmentation;

/// From this width on, questions are laid out side by side.
pub const SIDE_BY_SIDE_MIN: u16 = 100;

/// Semantic style of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegStyle {
    /// Question heading (`Q1. Display name`).
    Heading,
    /// A `Title` inside content, section headings.
    Title,
    /// Question content.
    Prompt,
    /// An option the worker did not pick.
    Choice,
    /// An option the worker picked.
    ChosenChoice,
    /// The worker's own text / choices.
    Answer,
    /// "not answered", "(empty)", "(no selection)".
    Missing,
    /// The required mark.
    Required,
    /// A spec violation.
    Flag,
    /// A note that is not a violation (e.g. a regex that cannot be checked).
    Note,
    /// A parse problem.
    Problem,
    Right,
    Wrong,
    Partial,
    /// Secondary information: identifiers, constraints, URLs.
    Dim,
    Normal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub style: SegStyle,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StyledLine {
    pub segs: Vec<Seg>,
}

impl StyledLine {
    pub fn blank() -> Self {
        StyledLine::default()
    }

    pub fn width(&self) -> usize {
        self.segs.iter().map(|s| display_width(&s.text)).sum()
    }

    /// The line's text without styles.
    pub fn text(&self) -> String {
        self.segs.iter().map(|s| s.text.as_str()).collect()
    }

    fn push(&mut self, style: SegStyle, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.segs.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => self.segs.push(Seg {
                style,
                text: text.to_string(),
            }),
        }
    }

    /// Cut to `width` columns (ending in `…` when cut).
    fn fit(mut self, width: usize) -> Self {
        if self.width() <= width {
            return self;
        }
        let mut used = 0;
        let mut out = StyledLine::default();
        for seg in self.segs.drain(..) {
            let w = display_width(&seg.text);
            if used + w <= width {
                used += w;
                out.segs.push(seg);
                continue;
            }
            let t = truncate(&seg.text, width.saturating_sub(used));
            out.push(seg.style, &t);
            break;
        }
        out
    }
}

/// Plain text of the lines (one `\n` after each line, trailing spaces removed).
pub fn plain_text(lines: &[StyledLine]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l.text().trim_end());
        s.push('\n');
    }
    s
}

// ------------------------------------------------------------------ styled word wrap

/// Wrap styled pieces into lines of at most `width` columns. `first`/`cont` are prefixes for the
/// first and following lines (dropped if they leave no room). `\n` in a piece starts a new line.
fn wrap_styled(
    pieces: &[(SegStyle, &str)],
    width: usize,
    first: &[(SegStyle, &str)],
    cont: &[(SegStyle, &str)],
) -> Vec<StyledLine> {
    let mut out: Vec<StyledLine> = Vec::new();
    if width == 0 {
        return out;
    }
    let prefix_line = |p: &[(SegStyle, &str)]| {
        let mut l = StyledLine::default();
        for (st, t) in p {
            l.push(*st, &sanitize(t));
        }
        if l.width() >= width {
            StyledLine::default()
        } else {
            l
        }
    };
    let first_l = prefix_line(first);
    let cont_l = prefix_line(cont);
    let mut cur = first_l.clone();
    let mut used = cur.width();
    let mut line_has_words = false;
    let mut pending = String::new();
    let mut pending_style = SegStyle::Normal;

    let new_line = |out: &mut Vec<StyledLine>, cur: &mut StyledLine, used: &mut usize| {
        out.push(std::mem::replace(cur, cont_l.clone()));
        *used = cont_l.width();
    };

    for (style, text) in pieces {
        let paras = sanitize_lines(text);
        for (pi, para) in paras.iter().enumerate() {
            if pi > 0 {
                new_line(&mut out, &mut cur, &mut used);
                line_has_words = false;
                pending.clear();
            }
            let mut rest = para.as_str();
            while !rest.is_empty() {
                let sp = rest.len() - rest.trim_start_matches(' ').len();
                let (spaces, after) = rest.split_at(sp);
                let wl = after.find(' ').unwrap_or(after.len());
                let (word, tail) = after.split_at(wl);
                rest = tail;
                if !spaces.is_empty() {
                    pending = spaces.to_string();
                    pending_style = *style;
                }
                if word.is_empty() {
                    continue;
                }
                let ww = display_width(word);
                // Spaces before the word (at a paragraph start: its indentation).
                let sw = pending.len();
                if used + sw + ww <= width {
                    cur.push(pending_style, &pending);
                    cur.push(*style, word);
                    used += sw + ww;
                } else if ww <= width.saturating_sub(cont_l.width()) {
                    if line_has_words || used > cont_l.width() {
                        new_line(&mut out, &mut cur, &mut used);
                    }
                    cur.push(*style, word);
                    used += ww;
                } else {
                    // Longer than a whole line: break between graphemes.
                    if line_has_words {
                        new_line(&mut out, &mut cur, &mut used);
                    } else if used + sw < width {
                        cur.push(pending_style, &pending);
                        used += sw;
                    }
                    for g in word.graphemes(true) {
                        let gw = display_width(g);
                        if used + gw > width {
                            new_line(&mut out, &mut cur, &mut used);
                        }
                        if used + gw > width {
                            // A wide cluster in a tiny column.
                            cur.push(*style, "…");
                            used += 1;
                        } else {
                            cur.push(*style, g);
                            used += gw;
                        }
                    }
                }
                line_has_words = true;
                pending.clear();
            }
        }
    }
    out.push(cur);
    out.into_iter().map(|l| l.fit(width)).collect()
}

fn plain(style: SegStyle, text: &str, width: usize) -> Vec<StyledLine> {
    wrap_styled(&[(style, text)], width, &[], &[])
}

fn line(segs: &[(SegStyle, &str)], width: usize) -> StyledLine {
    let mut l = StyledLine::default();
    for (st, t) in segs {
        l.push(*st, &sanitize(t));
    }
    l.fit(width)
}

// ------------------------------------------------------------------ content

/// Lines of a `Text` block: each source line trimmed, blank runs collapsed.
fn text_block(text: &str, style: SegStyle, width: usize, out: &mut Vec<StyledLine>) {
    let mut blank = false;
    let mut any = false;
    for raw in text.split('\n') {
        let t = raw.trim();
        if t.is_empty() {
            blank = any;
            continue;
        }
        if blank {
            out.push(StyledLine::blank());
            blank = false;
        }
        out.extend(plain(style, t, width));
        any = true;
    }
}

fn content_lines(content: &[Content], style: SegStyle, width: usize) -> Vec<StyledLine> {
    let mut out = Vec::new();
    for c in content {
        match c {
            Content::Title(t) => out.extend(plain(SegStyle::Title, t.trim(), width)),
            Content::Text(t) => text_block(t, style, width, &mut out),
            Content::List(items) => {
                for it in items {
                    let joined = it.split_whitespace().collect::<Vec<_>>().join(" ");
                    out.extend(wrap_styled(
                        &[(style, &joined)],
                        width,
                        &[(style, "• ")],
                        &[(style, "  ")],
                    ));
                }
            }
            Content::FormattedContent(html) => {
                for l in formatted::to_lines(html, width) {
                    out.extend(plain(style, &l, width));
                }
            }
            Content::Binary(b) => out.extend(plain(SegStyle::Dim, &binary_label(b), width)),
            Content::EmbeddedBinary(b) => {
                let kind = match &b.mime_subtype {
                    Some(s) => format!("{}/{}", b.mime_type, s),
                    None => b.mime_type.clone(),
                };
                let mut t = format!("[embedded {kind}: {}]", b.alt_text.trim());
                if !b.data_url.is_empty() {
                    t.push_str(&format!(" <{}>", b.data_url));
                }
                out.extend(plain(SegStyle::Dim, &t, width));
            }
            Content::Application { kind, url } => out.extend(plain(
                SegStyle::Dim,
                &format!("[{kind} application, not shown] <{url}>"),
                width,
            )),
        }
    }
    out
}

// ------------------------------------------------------------------ questions

fn multi(spec: &SelectionSpec) -> bool {
    spec.max_selections > 1
        || matches!(
            spec.style.as_deref(),
            Some("checkbox") | Some("multichooser")
        )
}

fn mark(multi: bool, chosen: bool) -> &'static str {
    match (multi, chosen) {
        (false, false) => "( ) ",
        (false, true) => "(•) ",
        (true, false) => "[ ] ",
        (true, true) => "[x] ",
    }
}

fn free_text_spec_line(f: &FreeTextSpec) -> String {
    let mut parts = vec!["free text".to_string()];
    match (f.min_length, f.max_length) {
        (Some(a), Some(b)) if a == b => parts.push(format!("exactly {a} characters")),
        (Some(a), Some(b)) => parts.push(format!("{a}–{b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(n) = &f.numeric {
        parts.push(match (n.min, n.max) {
            (Some(a), Some(b)) => format!("a number {a}..{b}"),
            (Some(a), None) => format!("a number ≥ {a}"),
            (None, Some(b)) => format!("a number ≤ {b}"),
            (None, None) => "a number".into(),
        });
    }
    for r in &f.regexes {
        parts.push(format!(
            "matching /{}/{}",
            r.regex,
            r.flags.as_deref().unwrap_or("")
        ));
    }
    if let Some(d) = &f.default_text {
        parts.push(format!("default \"{d}\""));
    }
    parts.join(" · ")
}

fn heading(q: &QuestionReview, width: usize) -> Vec<StyledLine> {
    let title = match &q.display_name {
        Some(d) if !d.trim().is_empty() => format!("Q{}. {}", q.number, d.trim()),
        _ => format!("Q{}.", q.number),
    };
    let id = format!(" [{}]", q.identifier);
    let mut pieces = vec![
        (SegStyle::Heading, title.as_str()),
        (SegStyle::Dim, id.as_str()),
    ];
    if q.required {
        pieces.push((SegStyle::Required, " *required"));
    }
    wrap_styled(&pieces, width, &[], &[])
}

fn choice_lines(c: &ChoiceReview, multi: bool, width: usize) -> Vec<StyledLine> {
    let label = super::review::selection_label(&c.content);
    let style = if c.chosen {
        SegStyle::ChosenChoice
    } else {
        SegStyle::Choice
    };
    let score = c.key_score.map(|s| format!(" ({s:+})"));
    let mut pieces = vec![(style, label.as_str())];
    if let Some(s) = &score {
        pieces.push((SegStyle::Dim, s.as_str()));
    }
    wrap_styled(
        &pieces,
        width,
        &[(style, mark(multi, c.chosen))],
        &[(style, "    ")],
    )
}

/// The Test side of a question.
fn test_side(q: &QuestionReview, width: usize) -> Vec<StyledLine> {
    let mut out = heading(q, width);
    out.extend(content_lines(&q.content, SegStyle::Prompt, width));
    match &q.spec {
        AnswerSpec::Selection(s) => {
            let how = if s.min_selections == s.max_selections {
                format!("choose {}", s.min_selections)
            } else {
                format!("choose {}–{}", s.min_selections, s.max_selections)
            };
            let style = s.style.as_deref().unwrap_or("no style given");
            out.extend(plain(SegStyle::Dim, &format!("{how} · {style}"), width));
            let m = multi(s);
            for c in &q.choices {
                out.extend(choice_lines(c, m, width));
            }
            if let Some(o) = &s.other {
                let used = matches!(&q.answer, ReviewAnswer::Selected { other: Some(_), .. });
                let st = if used {
                    SegStyle::ChosenChoice
                } else {
                    SegStyle::Choice
                };
                let t = format!("other: {}", free_text_spec_line(o));
                out.extend(wrap_styled(
                    &[(st, &t)],
                    width,
                    &[(st, mark(m, used))],
                    &[(st, "    ")],
                ));
            }
        }
        AnswerSpec::FreeText(f) => out.extend(plain(SegStyle::Dim, &free_text_spec_line(f), width)),
        AnswerSpec::FileUpload {
            min_bytes,
            max_bytes,
        } => {
            let mut t = "file upload".to_string();
            if let Some(a) = min_bytes {
                t.push_str(&format!(" · min {a} bytes"));
            }
            if let Some(b) = max_bytes {
                t.push_str(&format!(" · max {b} bytes"));
            }
            out.extend(plain(SegStyle::Dim, &t, width));
        }
        AnswerSpec::Missing => {
            out.extend(plain(SegStyle::Problem, "(no answer specification)", width))
        }
    }
    out
}

fn chosen_lines(ch: &Chosen, width: usize) -> Vec<StyledLine> {
    match &ch.label {
        Some(l) if !l.is_empty() => {
            let id = format!(" [{}]", ch.identifier);
            wrap_styled(
                &[(SegStyle::Answer, l), (SegStyle::Dim, &id)],
                width,
                &[(SegStyle::Answer, "→ ")],
                &[(SegStyle::Answer, "  ")],
            )
        }
        _ => wrap_styled(
            &[
                (SegStyle::Answer, &ch.identifier),
                (SegStyle::Flag, " (unknown option)"),
            ],
            width,
            &[(SegStyle::Answer, "→ ")],
            &[(SegStyle::Answer, "  ")],
        ),
    }
}

/// The worker's answer as lines (used for questions and extra answers).
/// Free-text answers are shown up to this many characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;

fn answer_lines(a: &ReviewAnswer, width: usize) -> Vec<StyledLine> {
    match a {
        ReviewAnswer::NotAnswered | ReviewAnswer::Empty | ReviewAnswer::NoSelection => {
            plain(SegStyle::Missing, &a.summary(), width)
        }
        ReviewAnswer::Text(t) => {
            // A worker can send megabytes: show the start, and say how much is left out.
            let total = t.chars().count();
            let shown: String = t.chars().take(MAX_ANSWER_CHARS).collect();
            let mut out = Vec::new();
            for l in shown.split('\n') {
                out.extend(wrap_styled(&[(SegStyle::Answer, l)], width, &[], &[]));
            }
            if total > MAX_ANSWER_CHARS {
                out.extend(plain(
                    SegStyle::Note,
                    &format!("… {} more characters not shown", total - MAX_ANSWER_CHARS),
                    width,
                ));
            }
            out
        }
        ReviewAnswer::Selected { chosen, other } => {
            let mut out = Vec::new();
            for ch in chosen {
                out.extend(chosen_lines(ch, width));
            }
            if let Some(o) = other {
                out.extend(wrap_styled(
                    &[(SegStyle::Dim, "other: "), (SegStyle::Answer, o)],
                    width,
                    &[(SegStyle::Answer, "→ ")],
                    &[(SegStyle::Answer, "  ")],
                ));
            }
            if out.is_empty() {
                out.extend(plain(SegStyle::Missing, "(no selection)", width));
            }
            out
        }
        ReviewAnswer::File { .. } => plain(SegStyle::Answer, &a.summary(), width),
    }
}

/// The answer side of a question.
fn answer_side(q: &QuestionReview, width: usize, with_label: bool) -> Vec<StyledLine> {
    let mut out = Vec::new();
    if with_label {
        out.push(line(&[(SegStyle::Title, "Answer:")], width));
    }
    out.extend(answer_lines(&q.answer, width));
    for f in &q.flags {
        let style = if f.is_violation() {
            SegStyle::Flag
        } else {
            SegStyle::Note
        };
        let mark = if f.is_violation() { "⚠ " } else { "ℹ " };
        out.extend(wrap_styled(
            &[(style, &f.message)],
            width,
            &[(style, mark)],
            &[(style, "  ")],
        ));
    }
    if let Some(g) = &q.grade {
        let (style, text) = match g.verdict {
            Verdict::Right => (SegStyle::Right, format!("✓ right, score {}", g.score)),
            Verdict::Partial => (
                SegStyle::Partial,
                format!("~ partly right, score {} of {}", g.score, g.best_score),
            ),
            Verdict::Wrong => (
                SegStyle::Wrong,
                format!("✗ wrong, score {} (best {})", g.score, g.best_score),
            ),
            Verdict::Unanswered => (
                SegStyle::Wrong,
                format!("✗ not answered, score {} (best {})", g.score, g.best_score),
            ),
        };
        out.extend(plain(style, &text, width));
    }
    out
}

fn side_by_side(
    left: Vec<StyledLine>,
    right: Vec<StyledLine>,
    lw: usize,
    rw: usize,
) -> Vec<StyledLine> {
    let n = left.len().max(right.len());
    let mut out = Vec::with_capacity(n);
    let mut li = left.into_iter();
    let mut ri = right.into_iter();
    for _ in 0..n {
        let l = li.next().unwrap_or_default().fit(lw);
        let r = ri.next().unwrap_or_default().fit(rw);
        let mut row = StyledLine::default();
        let lwid = l.width();
        for s in l.segs {
            row.push(s.style, &s.text);
        }
        row.push(SegStyle::Normal, &pad("", lw.saturating_sub(lwid)));
        row.push(SegStyle::Dim, " │ ");
        for s in r.segs {
            row.push(s.style, &s.text);
        }
        out.push(row);
    }
    out
}

// ------------------------------------------------------------------ whole review

fn version_label(v: &FormVersion) -> String {
    match v {
        FormVersion::V2005_10_01 => "QuestionForm 2005-10-01".into(),
        FormVersion::V2017_11_06 => "QuestionForm 2017-11-06".into(),
        FormVersion::Unknown(ns) => format!("QuestionForm, unknown schema {ns}"),
        FormVersion::None => "QuestionForm, no namespace".into(),
    }
}

fn mapping_label(m: &Option<ValueMapping>) -> String {
    match m {
        None => "no mapping: value = summed score".into(),
        Some(ValueMapping::Percentage {
            maximum_summed_score,
        }) => format!("percentage of {maximum_summed_score}"),
        Some(ValueMapping::Scale { multiplier }) => format!("scale × {multiplier}"),
        Some(ValueMapping::Range { ranges, .. }) => {
            format!("range mapping, {} ranges", ranges.len())
        }
    }
}

/// Lay the review out at `width` columns.
pub fn layout(review: &Review, width: u16) -> Vec<StyledLine> {
    let w = usize::from(width);
    let mut out: Vec<StyledLine> = Vec::new();
    if w == 0 {
        return out;
    }
    // Header.
    let nq = review.questions().count();
    if review.has_test {
        let summary = format!(
            "{} · {} question{} · {} answered · {} flagged",
            version_label(&review.version),
            nq,
            if nq == 1 { "" } else { "s" },
            review.answered_count(),
            review.flagged_count()
        );
        out.extend(plain(SegStyle::Dim, &summary, w));
    }
    for n in &review.notes {
        out.extend(wrap_styled(
            &[(SegStyle::Note, n)],
            w,
            &[(SegStyle::Note, "ℹ ")],
            &[(SegStyle::Note, "  ")],
        ));
    }
    if let Some(s) = &review.score {
        let t = format!(
            "Key: qualification value {} (summed score {} of {}; {})",
            s.qualification_value,
            s.summed_score,
            s.max_summed_score,
            mapping_label(&review.mapping)
        );
        out.extend(plain(SegStyle::Title, &t, w));
    }
    let sbs = width >= SIDE_BY_SIDE_MIN;
    let lw = w.saturating_sub(3) / 2;
    let rw = w.saturating_sub(3).saturating_sub(lw);

    for item in &review.items {
        out.push(StyledLine::blank());
        match item {
            ReviewItem::Overview(c) => out.extend(content_lines(c, SegStyle::Normal, w)),
            ReviewItem::Question(q) => {
                if sbs {
                    let left = test_side(q, lw);
                    let right = answer_side(q, rw, true);
                    out.extend(side_by_side(left, right, lw, rw));
                } else {
                    out.extend(test_side(q, w));
                    let inner = w.saturating_sub(2).max(1);
                    for l in answer_side(q, inner, true) {
                        let mut row = StyledLine::default();
                        if w > 2 {
                            row.push(SegStyle::Normal, "  ");
                        }
                        for s in l.segs {
                            row.push(s.style, &s.text);
                        }
                        out.push(row.fit(w));
                    }
                }
            }
        }
    }

    if !review.extra_answers.is_empty() {
        out.push(StyledLine::blank());
        let title = if review.has_test {
            format!(
                "Extra answers ({}), not questions of this Test:",
                review.extra_answers.len()
            )
        } else {
            format!("Answers ({}):", review.extra_answers.len())
        };
        out.extend(plain(SegStyle::Title, &title, w));
        for e in &review.extra_answers {
            let id = if e.identifier.is_empty() {
                "(no identifier)".to_string()
            } else {
                e.identifier.clone()
            };
            out.extend(plain(SegStyle::Heading, &format!("{id}:"), w));
            let inner = w.saturating_sub(2).max(1);
            for l in answer_lines(&e.answer, inner) {
                let mut row = StyledLine::default();
                if w > 2 {
                    row.push(SegStyle::Normal, "  ");
                }
                for s in l.segs {
                    row.push(s.style, &s.text);
                }
                out.push(row.fit(w));
            }
        }
    }

    if let Some(s) = &review.score {
        out.push(StyledLine::blank());
        let right = s
            .questions
            .iter()
            .filter(|q| q.verdict == Verdict::Right)
            .count();
        let t = format!(
            "Total: {right} of {} right · summed score {} of {} → qualification value {} ({})",
            s.questions.len(),
            s.summed_score,
            s.max_summed_score,
            s.qualification_value,
            mapping_label(&review.mapping)
        );
        out.extend(plain(SegStyle::Title, &t, w));
    }

    if !review.problems.is_empty() {
        out.push(StyledLine::blank());
        out.extend(plain(
            SegStyle::Title,
            &format!("Problems ({}):", review.problems.len()),
            w,
        ));
        for p in &review.problems {
            let t = format!("[{}] {}", p.source.label(), p.message);
            out.extend(wrap_styled(
                &[(SegStyle::Problem, &t)],
                w,
                &[(SegStyle::Problem, "• ")],
                &[(SegStyle::Problem, "  ")],
            ));
        }
    }
    // Final guarantee.
    out.into_iter().map(|l| l.fit(w)).collect()
}
