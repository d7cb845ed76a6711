//! The joined review of one request: the Test's questions in order, each with the worker's
//! answer (rendered through the Test's own selection texts), the spec violations found, and —
//! with an AnswerKey — the grade. Plain data; [`super::layout`] turns it into lines.

use regex::RegexBuilder;

use super::answer_key::{KeyQuestionResult, KeyResult};
use super::formatted;
use super::model::*;

/// Which document a problem came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Test,
    Answer,
    AnswerKey,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Test => "Test",
            Source::Answer => "Answer",
            Source::AnswerKey => "AnswerKey",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedProblem {
    pub source: Source,
    pub message: String,
}

/// What the worker gave for one question.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewAnswer {
    /// No Answer element for this question.
    NotAnswered,
    /// An Answer with only a QuestionIdentifier, or `<FreeText/>` / an empty FreeText.
    Empty,
    /// A selection answer with no SelectionIdentifier and no other text.
    NoSelection,
    Text(String),
    Selected {
        chosen: Vec<Chosen>,
        /// OtherSelectionText, when the "other" box was used.
        other: Option<String>,
    },
    File {
        size_bytes: Option<u64>,
        key: String,
    },
}

/// One picked selection: its identifier and the Test's text for it (None when the Test does not
/// know the identifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub identifier: String,
    pub label: Option<String>,
}

impl Chosen {
    /// `label` when known, else the raw identifier.
    pub fn display(&self) -> String {
        match &self.label {
            Some(l) if !l.is_empty() => l.clone(),
            _ => self.identifier.clone(),
        }
    }
}

impl ReviewAnswer {
    /// One-paragraph human rendering (may contain `\n` for multi-line free text; not sanitised).
    pub fn summary(&self) -> String {
        match self {
            ReviewAnswer::NotAnswered => "not answered".into(),
            ReviewAnswer::Empty => "(empty)".into(),
            ReviewAnswer::NoSelection => "(no selection)".into(),
            ReviewAnswer::Text(t) => t.clone(),
            ReviewAnswer::Selected { chosen, other } => {
                let mut parts: Vec<String> = chosen.iter().map(Chosen::display).collect();
                if let Some(o) = other {
                    parts.push(format!("other: {o}"));
                }
                if parts.is_empty() {
                    "(no selection)".into()
                } else {
                    parts.join("; ")
                }
            }
            ReviewAnswer::File { size_bytes, key } => match size_bytes {
                Some(n) => format!("file upload ({n} bytes, key {key})"),
                None => format!("file upload (size unknown, key {key})"),
            },
        }
    }

    /// True for the "nothing given" cases.
    pub fn is_missing(&self) -> bool {
        match self {
            ReviewAnswer::NotAnswered | ReviewAnswer::Empty | ReviewAnswer::NoSelection => true,
            ReviewAnswer::Text(t) => t.trim().is_empty(),
            ReviewAnswer::Selected { chosen, other } => {
                chosen.is_empty() && other.as_deref().is_none_or(|o| o.trim().is_empty())
            }
            ReviewAnswer::File { .. } => false,
        }
    }
}

/// A spec violation (or a note) about one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagKind {
    RequiredUnanswered,
    TooFewSelections,
    TooManySelections,
    UnknownSelection,
    TooShort,
    TooLong,
    RegexMismatch,
    NotNumeric,
    OutOfNumericRange,
    /// The answer's kind does not fit the question (free text for a selection, …).
    WrongAnswerKind,
    /// More than one Answer for this question; the first is shown.
    DuplicateAnswer,
    /// Informational: e.g. an AnswerFormatRegex that cannot be checked here.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub message: String,
}

impl Flag {
    fn new(kind: FlagKind, message: impl Into<String>) -> Self {
        Flag {
            kind,
            message: message.into(),
        }
    }

    /// A real violation (as opposed to a note).
    pub fn is_violation(&self) -> bool {
        self.kind != FlagKind::Note
    }
}

/// One option of a selection question and whether the worker picked it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceReview {
    pub identifier: String,
    pub content: SelectionContent,
    pub chosen: bool,
    /// With a key: the score picking exactly this option alone would give (when it is an option).
    pub key_score: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionReview {
    /// 1-based position among the Test's questions.
    pub number: usize,
    pub identifier: String,
    pub display_name: Option<String>,
    pub required: bool,
    pub content: Vec<Content>,
    pub spec: AnswerSpec,
    /// For selection questions: every option in Test order.
    pub choices: Vec<ChoiceReview>,
    pub answer: ReviewAnswer,
    pub flags: Vec<Flag>,
    /// With a key that grades this question.
    pub grade: Option<KeyQuestionResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReviewItem {
    Overview(Vec<Content>),
    Question(Box<QuestionReview>),
}

/// An answer to a question the Test does not have.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraAnswer {
    pub identifier: String,
    pub answer: ReviewAnswer,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub version: FormVersion,
    /// The request carried a Test with at least one item.
    pub has_test: bool,
    /// The request carried at least one Answer.
    pub has_answers: bool,
    /// Request-level remarks ("No Test …", "No answers …", unknown schema version).
    pub notes: Vec<String>,
    pub items: Vec<ReviewItem>,
    pub extra_answers: Vec<ExtraAnswer>,
    /// With a key.
    pub score: Option<KeyResult>,
    pub mapping: Option<ValueMapping>,
    pub problems: Vec<SourcedProblem>,
}

impl Review {
    pub fn questions(&self) -> impl Iterator<Item = &QuestionReview> {
        self.items.iter().filter_map(|i| match i {
            ReviewItem::Question(q) => Some(&**q),
            ReviewItem::Overview(_) => None,
        })
    }

    /// Questions with at least one violation flag.
    pub fn flagged_count(&self) -> usize {
        self.questions()
            .filter(|q| q.flags.iter().any(Flag::is_violation))
            .count()
    }

    /// A one-line summary for list rows, e.g. `6/6 answered · 1 flagged · value 67`, or
    /// `no Test · 3 answers`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.has_test {
            let n = self.questions().count();
            parts.push(format!("{}/{} answered", self.answered_count(), n));
            parts.push(format!("{} flagged", self.flagged_count()));
        } else {
            parts.push("no Test".to_string());
            parts.push(format!(
                "{} answer{}",
                self.extra_answers.len(),
                if self.extra_answers.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        if let Some(s) = &self.score {
            parts.push(format!("value {}", s.qualification_value));
        }
        if !self.problems.is_empty() {
            parts.push(format!("{} problems", self.problems.len()));
        }
        parts.join(" · ")
    }

    /// Questions the worker gave something for.
    pub fn answered_count(&self) -> usize {
        self.questions().filter(|q| !q.answer.is_missing()).count()
    }
}

/// Text of a selection option on one line (FormattedContent rendered, images as text).
pub fn selection_label(c: &SelectionContent) -> String {
    match c {
        SelectionContent::Text(t) => t.split_whitespace().collect::<Vec<_>>().join(" "),
        SelectionContent::FormattedContent(h) => formatted::to_one_line(h),
        SelectionContent::Binary(b) => binary_label(b),
    }
}

/// `[image: alt] <url>` (or audio/video/… by MIME type).
pub fn binary_label(b: &BinaryRef) -> String {
    let kind = if b.mime_type.is_empty() {
        "binary".to_string()
    } else {
        b.mime_type.to_lowercase()
    };
    let alt = b.alt_text.trim();
    let head = if alt.is_empty() {
        format!("[{kind}]")
    } else {
        format!("[{kind}: {alt}]")
    };
    if b.data_url.trim().is_empty() {
        head
    } else {
        format!("{head} <{}>", b.data_url.trim())
    }
}

fn review_answer(value: &AnswerValue, spec: Option<&AnswerSpec>) -> ReviewAnswer {
    match value {
        AnswerValue::Empty => ReviewAnswer::Empty,
        AnswerValue::FreeText(t) if t.is_empty() => ReviewAnswer::Empty,
        AnswerValue::FreeText(t) => ReviewAnswer::Text(t.clone()),
        AnswerValue::Selection { identifiers, other } => {
            let other = other.as_ref().filter(|o| !o.is_empty());
            if identifiers.is_empty() && other.is_none() {
                return ReviewAnswer::NoSelection;
            }
            let sels: &[Selection] = match spec {
                Some(AnswerSpec::Selection(s)) => &s.selections,
                _ => &[],
            };
            let chosen = identifiers
                .iter()
                .map(|id| Chosen {
                    identifier: id.clone(),
                    label: sels
                        .iter()
                        .find(|s| s.identifier == *id)
                        .map(|s| selection_label(&s.content)),
                })
                .collect();
            ReviewAnswer::Selected {
                chosen,
                other: other.cloned(),
            }
        }
        AnswerValue::UploadedFile { size_bytes, key } => ReviewAnswer::File {
            size_bytes: *size_bytes,
            key: key.clone(),
        },
    }
}

/// Translate a JavaScript-style pattern (`/…/flags` or a bare pattern plus the `flags`
/// attribute) into a Rust regex. `i`, `m`, `s` map to inline flags; `g`, `u`, `y` are ignored.
pub fn compile_js_regex(pattern: &str, flags: Option<&str>) -> Result<regex::Regex, String> {
    let mut pat = pattern;
    let mut all_flags = flags.unwrap_or("").to_string();
    if let Some(body) = pattern.strip_prefix('/')
        && let Some(end) = body.rfind('/')
    {
        let tail = &body[end + 1..];
        if tail.chars().all(|c| "gimsuy".contains(c)) {
            pat = &body[..end];
            all_flags.push_str(tail);
        }
    }
    let mut b = RegexBuilder::new(pat);
    b.size_limit(1 << 20).dfa_size_limit(1 << 20).nest_limit(64);
    for f in all_flags.chars() {
        match f {
            'i' | 'I' => {
                b.case_insensitive(true);
            }
            'm' => {
                b.multi_line(true);
            }
            's' => {
                b.dot_matches_new_line(true);
            }
            _ => {}
        }
    }
    b.build().map_err(|e| {
        let first = e.to_string();
        first
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid pattern")
            .trim()
            .to_string()
    })
}

fn check_free_text(text: &str, spec: &FreeTextSpec, what: &str, flags: &mut Vec<Flag>) {
    let len = text.chars().count();
    let empty = text.is_empty();
    if let Some(min) = spec.min_length
        && (len as u64) < u64::from(min)
    {
        flags.push(Flag::new(
            FlagKind::TooShort,
            format!("{what} is {len} characters; at least {min} required"),
        ));
    }
    if let Some(max) = spec.max_length
        && (len as u64) > u64::from(max)
    {
        flags.push(Flag::new(
            FlagKind::TooLong,
            format!("{what} is {len} characters; at most {max} allowed"),
        ));
    }
    if empty {
        return;
    }
    if let Some(bounds) = &spec.numeric {
        let t = text.trim();
        match t.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                let below = bounds.min.is_some_and(|m| n < m as f64);
                let above = bounds.max.is_some_and(|m| n > m as f64);
                if below || above {
                    let range = match (bounds.min, bounds.max) {
                        (Some(a), Some(b)) => format!("{a}..{b}"),
                        (Some(a), None) => format!("≥ {a}"),
                        (None, Some(b)) => format!("≤ {b}"),
                        (None, None) => String::new(),
                    };
                    flags.push(Flag::new(
                        FlagKind::OutOfNumericRange,
                        format!("{what} {t} is outside {range}"),
                    ));
                }
            }
            _ => flags.push(Flag::new(
                FlagKind::NotNumeric,
                format!("{what} is not a number"),
            )),
        }
    }
    for rc in &spec.regexes {
        match compile_js_regex(&rc.regex, rc.flags.as_deref()) {
            Ok(re) => {
                if !re.is_match(text) {
                    let why = rc
                        .error_text
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default();
                    flags.push(Flag::new(
                        FlagKind::RegexMismatch,
                        format!("{what} does not match /{}/{why}", rc.regex),
                    ));
                }
            }
            Err(e) => flags.push(Flag::new(
                FlagKind::Note,
                format!("pattern /{}/ cannot be checked here: {e}", rc.regex),
            )),
        }
    }
}

fn question_review(
    number: usize,
    q: &Question,
    answers: &[&Answer],
    key: Option<&AnswerKey>,
    score: Option<&KeyResult>,
) -> QuestionReview {
    let mut flags = Vec::new();
    let answer = match answers.first() {
        None => ReviewAnswer::NotAnswered,
        Some(a) => review_answer(&a.value, Some(&q.answer)),
    };
    if answers.len() > 1 {
        flags.push(Flag::new(
            FlagKind::DuplicateAnswer,
            format!(
                "{} answers for this question; the first is shown",
                answers.len()
            ),
        ));
    }
    if q.required && answer.is_missing() {
        flags.push(Flag::new(
            FlagKind::RequiredUnanswered,
            "required but not answered",
        ));
    }
    let mut choices = Vec::new();
    let key_q = key.and_then(|k| {
        k.questions
            .iter()
            .find(|kq| kq.question_identifier == q.identifier)
    });
    match (&q.answer, answers.first().map(|a| &a.value)) {
        (AnswerSpec::Selection(spec), value) => {
            let (ids, other): (&[String], Option<&String>) = match value {
                Some(AnswerValue::Selection { identifiers, other }) => {
                    (identifiers.as_slice(), other.as_ref())
                }
                _ => (&[], None),
            };
            for s in &spec.selections {
                let key_score = key_q.and_then(|kq| {
                    kq.options
                        .iter()
                        .find(|o| {
                            o.selection_identifiers.len() == 1
                                && o.selection_identifiers
                                    .first()
                                    .is_some_and(|x| *x == s.identifier)
                        })
                        .map(|o| o.score)
                });
                choices.push(ChoiceReview {
                    identifier: s.identifier.clone(),
                    content: s.content.clone(),
                    chosen: ids.contains(&s.identifier),
                    key_score,
                });
            }
            for id in ids {
                if !spec.selections.iter().any(|s| s.identifier == *id) {
                    flags.push(Flag::new(
                        FlagKind::UnknownSelection,
                        format!("selection {id:?} is not an option of this question"),
                    ));
                }
            }
            if let Some(o) = other {
                match &spec.other {
                    Some(ospec) => check_free_text(o, ospec, "other text", &mut flags),
                    None => flags.push(Flag::new(
                        FlagKind::WrongAnswerKind,
                        "\"other\" text given but the question offers no other box",
                    )),
                }
            }
            let count = ids.len() + usize::from(other.is_some_and(|o| !o.is_empty()));
            let (min, max) = (spec.min_selections as usize, spec.max_selections as usize);
            if count > max {
                flags.push(Flag::new(
                    FlagKind::TooManySelections,
                    format!("{count} selections; at most {max} allowed"),
                ));
            }
            // Nothing at all is "required but not answered" (or fine when optional).
            if count < min && count > 0 {
                flags.push(Flag::new(
                    FlagKind::TooFewSelections,
                    format!("{count} selections; at least {min} required"),
                ));
            }
            if matches!(
                value,
                Some(AnswerValue::FreeText(_)) | Some(AnswerValue::UploadedFile { .. })
            ) {
                flags.push(Flag::new(
                    FlagKind::WrongAnswerKind,
                    "answer is not a selection, but the question is multiple choice",
                ));
            }
        }
        (AnswerSpec::FreeText(spec), value) => match value {
            Some(AnswerValue::FreeText(t)) => check_free_text(t, spec, "answer", &mut flags),
            Some(AnswerValue::Empty) => check_free_text("", spec, "answer", &mut flags),
            Some(AnswerValue::Selection { .. }) | Some(AnswerValue::UploadedFile { .. }) => flags
                .push(Flag::new(
                    FlagKind::WrongAnswerKind,
                    "answer is not free text, but the question asks for free text",
                )),
            None => {}
        },
        (
            AnswerSpec::FileUpload {
                min_bytes,
                max_bytes,
            },
            value,
        ) => match value {
            Some(AnswerValue::UploadedFile {
                size_bytes: Some(n),
                ..
            }) => {
                if min_bytes.is_some_and(|m| *n < m) {
                    flags.push(Flag::new(
                        FlagKind::TooShort,
                        format!("file is {n} bytes; below the minimum"),
                    ));
                }
                if max_bytes.is_some_and(|m| *n > m) {
                    flags.push(Flag::new(
                        FlagKind::TooLong,
                        format!("file is {n} bytes; above the maximum"),
                    ));
                }
            }
            Some(AnswerValue::FreeText(_)) | Some(AnswerValue::Selection { .. }) => {
                flags.push(Flag::new(
                    FlagKind::WrongAnswerKind,
                    "answer is not a file upload, but the question asks for one",
                ))
            }
            _ => {}
        },
        (AnswerSpec::Missing, _) => {}
    }
    let grade = score.and_then(|s| s.for_question(&q.identifier)).cloned();
    QuestionReview {
        number,
        identifier: q.identifier.clone(),
        display_name: q.display_name.clone(),
        required: q.required,
        content: q.content.clone(),
        spec: q.answer.clone(),
        choices,
        answer,
        flags,
        grade,
    }
}

/// Join a Test, its Answer and optionally an AnswerKey into a [`Review`].
///
/// An empty form (no Test, or an empty one) and an empty answers document are both handled: the
/// review then says so in [`Review::notes`], and every answer is kept under
/// [`Review::extra_answers`].
pub fn build(
    form: &QuestionForm,
    answers: &QuestionFormAnswers,
    key: Option<&AnswerKey>,
) -> Review {
    let mut notes = Vec::new();
    let has_test = !form.items.is_empty();
    let has_answers = !answers.answers.is_empty();
    // Empty and unreadable are different things: a document the parser could not read has
    // problems (listed at the end of the review).
    if !has_test && !form.problems.is_empty() {
        notes.push("The Test could not be read (see Problems below).".to_string());
    } else if !has_test {
        notes.push(
            "No Test: this Qualification type has no test (or the Test is empty); decide on \
             the worker alone."
                .to_string(),
        );
    }
    if !has_answers && !answers.problems.is_empty() {
        notes.push("The Answer could not be read (see Problems below).".to_string());
    } else if !has_answers {
        notes.push("No answers: the request's Answer is absent or empty.".to_string());
    }
    if let FormVersion::Unknown(ns) = &form.version {
        notes.push(format!(
            "Unknown QuestionForm schema {ns:?}; shown as best understood."
        ));
    }
    let score = key.map(|k| k.score(answers));

    let mut items = Vec::new();
    let mut number = 0usize;
    let mut used = vec![false; answers.answers.len()];
    for item in &form.items {
        match item {
            FormItem::Overview(c) => items.push(ReviewItem::Overview(c.clone())),
            FormItem::Question(q) => {
                number += 1;
                let mut mine = Vec::new();
                for (i, a) in answers.answers.iter().enumerate() {
                    if a.question_identifier == q.identifier {
                        mine.push(a);
                        if let Some(u) = used.get_mut(i) {
                            *u = true;
                        }
                    }
                }
                items.push(ReviewItem::Question(Box::new(question_review(
                    number,
                    q,
                    &mine,
                    key,
                    score.as_ref(),
                ))));
            }
        }
    }
    let mut extra_answers = Vec::new();
    for (a, u) in answers.answers.iter().zip(used.iter()) {
        if !*u {
            extra_answers.push(ExtraAnswer {
                identifier: a.question_identifier.clone(),
                answer: review_answer(&a.value, None),
                note: has_test.then(|| "not a question of this Test".to_string()),
            });
        }
    }

    let mut problems = Vec::new();
    for (src, list) in [
        (Source::Test, &form.problems),
        (Source::Answer, &answers.problems),
    ] {
        for p in list {
            problems.push(SourcedProblem {
                source: src,
                message: p.message.clone(),
            });
        }
    }
    if let Some(k) = key {
        for p in &k.problems {
            problems.push(SourcedProblem {
                source: Source::AnswerKey,
                message: p.message.clone(),
            });
        }
        if has_test {
            for kq in &k.questions {
                if !form
                    .questions()
                    .any(|q| q.identifier == kq.question_identifier)
                {
                    problems.push(SourcedProblem {
                        source: Source::AnswerKey,
                        message: format!(
                            "key question {:?} is not in the Test",
                            kq.question_identifier
                        ),
                    });
                }
            }
        }
    }
    if let Some(s) = &score {
        for n in &s.notes {
            problems.push(SourcedProblem {
                source: Source::AnswerKey,
                message: n.clone(),
            });
        }
    }
    Review {
        version: form.version.clone(),
        has_test,
        has_answers,
        notes,
        items,
        extra_answers,
        score,
        mapping: key.and_then(|k| k.mapping.clone()),
        problems,
    }
}

/// Convenience for a request as the API returns it: `Test`, `Answer` (either may be absent or
/// `""`) and optionally the type's `AnswerKey`, as XML strings.
pub fn build_from_xml(test: Option<&str>, answer: Option<&str>, key: Option<&str>) -> Review {
    let form = super::parse_question_form(test.unwrap_or(""));
    let answers = super::parse_answers(answer.unwrap_or(""));
    let key = key
        .filter(|k| !k.trim().is_empty())
        .map(super::parse_answer_key);
    build(&form, &answers, key.as_ref())
}
