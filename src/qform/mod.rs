//! The documents: QuestionForm, QuestionFormAnswers and AnswerKey read into a plain model.
//! No terminal, no network.
pub mod model;
pub mod sanitize;
pub mod show;

pub use model::*;

/// Read a QuestionForm. Never fails: what could not be understood is listed in `problems`.
pub fn parse_question_form(_xml: &str) -> QuestionForm {
    QuestionForm::default()
}

/// Read a QuestionFormAnswers document. Never fails.
pub fn parse_answers(_xml: &str) -> QuestionFormAnswers {
    QuestionFormAnswers::default()
}

/// Read an AnswerKey document. Never fails.
pub fn parse_answer_key(_xml: &str) -> AnswerKey {
    AnswerKey::default()
}
