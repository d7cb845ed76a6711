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
