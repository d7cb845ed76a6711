//! mturk-triage: triage pending Amazon Mechanical Turk Qualification requests from the keyboard.
//!
//! Layout:
//! * [`mturk`]: the protocol side — SDK client construction, the page fetcher, the decision
//!   outbox, and [`mturk::sim`], the local MTurk-protocol server.
//! * [`qform`]: the documents — QuestionForm, QuestionFormAnswers, AnswerKey → a plain model;
//!   FormattedContent → text; sanitising of untrusted text. No terminal, no network.
//! * [`app`]: the triage core — one `App` state, an `update(msg)` reducer, effects as data.
//! * [`ui`]: pure render functions of the state, one module per screen region.
//! * [`runtime`]: the event loop and the terminal guard.
pub mod app;
pub mod cli;
pub mod mturk;
pub mod qform;
pub mod runtime;
pub mod ui;
