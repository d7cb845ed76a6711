//! QuestionFormAnswers → [`QuestionFormAnswers`].

use super::model::*;
use super::xml::{self, push_problem};

pub(crate) fn parse(input: &str) -> QuestionFormAnswers {
    let mut out = QuestionFormAnswers::default();
    if input.trim().is_empty() {
        return out;
    }
    let doc = xml::read(input);
    out.problems = doc.problems;
    let Some(root) = doc.root else {
        push_problem(&mut out.problems, "no QuestionFormAnswers element found");
        return out;
    };
    let mut root = &root;
    if root.name != "QuestionFormAnswers" {
        if let Some(inner) = root.find("QuestionFormAnswers") {
            push_problem(
                &mut out.problems,
                format!("the QuestionFormAnswers is wrapped in <{}>", root.name),
            );
            root = inner;
        } else {
            push_problem(
                &mut out.problems,
                format!(
                    "root element is <{}>, expected <QuestionFormAnswers>",
                    root.name
                ),
            );
        }
    }
    for el in root.elements() {
        if el.name != "Answer" {
            push_problem(
                &mut out.problems,
                format!(
                    "unknown element <{}> in <QuestionFormAnswers> skipped",
                    el.name
                ),
            );
            continue;
        }
        let mut qid: Option<String> = None;
        let mut free: Option<String> = None;
        let mut sels: Vec<String> = Vec::new();
        let mut other: Option<String> = None;
        let mut size: Option<Option<u64>> = None;
        let mut key: Option<String> = None;
        for c in el.elements() {
            match c.name.as_str() {
                "QuestionIdentifier" => qid = Some(c.text().trim().to_string()),
                // Kept exactly: whitespace is part of the worker's answer.
                "FreeText" => free = Some(c.text()),
                "SelectionIdentifier" => sels.push(c.text().trim().to_string()),
                "OtherSelectionText" => other = Some(c.text()),
                "UploadedFileSizeInBytes" => {
                    let t = c.text();
                    let n = t.trim().parse::<u64>().ok();
                    if n.is_none() {
                        push_problem(
                            &mut out.problems,
                            format!("UploadedFileSizeInBytes {:?} is not a number", t.trim()),
                        );
                    }
                    size = Some(n);
                }
                "UploadedFileKey" => key = Some(c.text().trim().to_string()),
                other => push_problem(
                    &mut out.problems,
                    format!("unknown element <{other}> in <Answer> skipped"),
                ),
            }
        }
        let question_identifier = qid.unwrap_or_else(|| {
            push_problem(&mut out.problems, "an Answer has no QuestionIdentifier");
            String::new()
        });
        let kinds = usize::from(free.is_some())
            + usize::from(!sels.is_empty() || other.is_some())
            + usize::from(size.is_some() || key.is_some());
        if kinds > 1 {
            push_problem(
                &mut out.problems,
                format!("answer to {question_identifier:?} mixes answer kinds; free text wins"),
            );
        }
        let value = if let Some(t) = free {
            AnswerValue::FreeText(t)
        } else if !sels.is_empty() || other.is_some() {
            AnswerValue::Selection {
                identifiers: sels,
                other,
            }
        } else if size.is_some() || key.is_some() {
            AnswerValue::UploadedFile {
                size_bytes: size.flatten(),
                key: key.unwrap_or_default(),
            }
        } else {
            AnswerValue::Empty
        };
        out.answers.push(Answer {
            question_identifier,
            value,
        });
    }
    out
}
