//! The documents: QuestionForm, QuestionFormAnswers and AnswerKey read into a plain model.
//! No terminal, no network.
//!
//! * [`parse_question_form`], [`parse_answers`], [`parse_answer_key`]: never fail, never panic;
//!   what could not be understood is listed in the result's `problems`.
//! * [`AnswerKey::score`]: grading as MTurk does.
//! * [`review::build`] / [`review::build_from_xml`]: the joined review of one request.
//! * [`layout::layout`]: the review as styled lines of a given width (no ratatui types);
//!   [`layout::plain_text`] for plain output.
//! * [`sanitize`]: terminal safety and display width for any worker- or form-supplied text
//!   ([`sanitize::sanitize`], [`sanitize::display_width`], [`sanitize::truncate`],
//!   [`sanitize::wrap`]).
//! * [`formatted`]: FormattedContent (XHTML) → text lines.
pub mod answer_key;
mod answers;
pub mod formatted;
pub mod layout;
pub mod model;
mod question_form;
pub mod review;
pub mod sanitize;
pub mod show;
mod xml;

pub use answer_key::{KeyQuestionResult, KeyResult, Verdict};
pub use model::*;

/// Read a QuestionForm. Never fails: what could not be understood is listed in `problems`.
///
/// Elements are matched by local name, so any prefix or namespace is accepted; the namespace
/// decides [`QuestionForm::version`] (an unknown one is kept in [`FormVersion::Unknown`]).
/// Empty or whitespace-only input gives an empty form with no problems (a type without a test).
pub fn parse_question_form(xml: &str) -> QuestionForm {
    question_form::parse(xml)
}

/// Read a QuestionFormAnswers document. Never fails.
/// Empty or whitespace-only input gives no answers and no problems.
pub fn parse_answers(xml: &str) -> QuestionFormAnswers {
    answers::parse(xml)
}

/// Read an AnswerKey document. Never fails.
pub fn parse_answer_key(xml: &str) -> AnswerKey {
    answer_key::parse(xml)
}

/// What kind of MTurk document a text is, judged the way the parsers judge it: by the local name
/// of the root element, or of the first such element inside a wrapper (the parsers accept a
/// wrapped document with a problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    /// Empty or whitespace only.
    Empty,
    QuestionForm,
    /// An `HTMLQuestion` or `ExternalQuestion` (a HIT question, not a Qualification test); the
    /// QuestionForm parser shows what it can of it.
    HitQuestion(String),
    QuestionFormAnswers,
    AnswerKey,
    /// XML whose root element (local name) is none of the above.
    Other(String),
    /// Not XML: the text does not start with an element (or declaration) or has no element.
    NotXml,
}

impl DocumentKind {
    /// `<Name>` of the document's root as a reader would describe it, e.g. `<QuestionForm>`,
    /// or `no XML element`.
    pub fn describe(&self) -> String {
        match self {
            DocumentKind::Empty => "empty".into(),
            DocumentKind::QuestionForm => "root element <QuestionForm>".into(),
            DocumentKind::QuestionFormAnswers => "root element <QuestionFormAnswers>".into(),
            DocumentKind::AnswerKey => "root element <AnswerKey>".into(),
            DocumentKind::HitQuestion(n) | DocumentKind::Other(n) => {
                format!("root element <{}>", sanitize::truncate(n, 60))
            }
            DocumentKind::NotXml => "not XML: it does not start with an element".into(),
        }
    }
}

/// Which document `xml` is (see [`DocumentKind`]). Never fails, never panics.
pub fn document_kind(xml: &str) -> DocumentKind {
    if xml.trim().is_empty() {
        return DocumentKind::Empty;
    }
    let body = xml.strip_prefix('\u{feff}').unwrap_or(xml).trim_start();
    if !body.starts_with('<') {
        return DocumentKind::NotXml;
    }
    let doc = xml::read(xml);
    let Some(root) = doc.root else {
        return DocumentKind::NotXml;
    };
    let known = |name: &str| match name {
        "QuestionForm" => Some(DocumentKind::QuestionForm),
        "QuestionFormAnswers" => Some(DocumentKind::QuestionFormAnswers),
        "AnswerKey" => Some(DocumentKind::AnswerKey),
        _ => None,
    };
    if let Some(k) = known(&root.name) {
        return k;
    }
    if root.name == "HTMLQuestion" || root.name == "ExternalQuestion" {
        return DocumentKind::HitQuestion(root.name);
    }
    for name in ["QuestionForm", "QuestionFormAnswers", "AnswerKey"] {
        if root.find(name).is_some() {
            return known(name).unwrap_or(DocumentKind::Other(root.name));
        }
    }
    DocumentKind::Other(root.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_kind_follows_the_parsers() {
        assert_eq!(document_kind(""), DocumentKind::Empty);
        assert_eq!(document_kind(" \n\t"), DocumentKind::Empty);
        assert_eq!(document_kind("# README\n<b>x</b>"), DocumentKind::NotXml);
        assert_eq!(document_kind("<"), DocumentKind::NotXml);
        assert_eq!(
            document_kind("\u{feff}<?xml version=\"1.0\"?>\n<q:QuestionForm xmlns:q=\"x\">"),
            DocumentKind::QuestionForm
        );
        assert_eq!(
            document_kind("<QuestionFormAnswers/>"),
            DocumentKind::QuestionFormAnswers
        );
        assert_eq!(
            document_kind("<Wrapper><AnswerKey></AnswerKey></Wrapper>"),
            DocumentKind::AnswerKey
        );
        assert_eq!(
            document_kind("<HTMLQuestion><HTMLContent/></HTMLQuestion>"),
            DocumentKind::HitQuestion("HTMLQuestion".into())
        );
        assert_eq!(
            document_kind("<html><body/></html>"),
            DocumentKind::Other("html".into())
        );
        assert_eq!(
            DocumentKind::Other("html".into()).describe(),
            "root element <html>"
        );
        assert_eq!(
            DocumentKind::Other("x\u{1b}[2J".into()).describe(),
            format!("root element <{}>", sanitize::sanitize("x\u{1b}[2J"))
        );
    }
}
