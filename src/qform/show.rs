//! `mturk-triage show`: the review of one Test + Answer as plain text.

use std::path::Path;
use std::process::ExitCode;

use super::layout::{layout, plain_text};
use super::review;
use super::{DocumentKind, document_kind};

/// The narrowest output `show` prints (`--width` below it is refused; a smaller `$COLUMNS` is
/// raised to it).
pub const MIN_WIDTH: u16 = 20;

/// The largest document `show` reads (MTurk's own documents are far smaller; this keeps
/// `/dev/zero` or a stray disk image from eating the memory).
pub const MAX_DOC_BYTES: u64 = 16 * 1024 * 1024;

/// Read a document as UTF-8, with an error that names the file.
fn read_doc(what: &str, path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {what} file {}: {e}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_DOC_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_DOC_BYTES {
        return Err(format!(
            "{what} file {} is larger than {} MiB: not a qualification document",
            path.display(),
            MAX_DOC_BYTES / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{what} file {} is not valid UTF-8 (first bad byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The width to print at: `--width`, else `$COLUMNS` (at least [`MIN_WIDTH`]), else 100.
fn pick_width(arg: Option<u16>) -> u16 {
    arg.or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c > 0)
            .map(|c| c.max(MIN_WIDTH))
    })
    .unwrap_or(100)
}

/// Refuse documents of the wrong kind before rendering anything: an empty file, a file that is
/// not XML, the Test and Answer given the wrong way round, or a key that is not an AnswerKey.
/// Documents of the right kind are accepted even when they are damaged (truncated, bad
/// elements): the review shows what was understood and lists the problems.
fn check_kinds(
    args: &crate::cli::ShowArgs,
    test: &str,
    answer: &str,
    key: Option<&str>,
) -> Result<(), String> {
    let test_kind = document_kind(test);
    let answer_kind = document_kind(answer);
    let t = args.test.display();
    let a = args.answer.display();
    if test_kind == DocumentKind::Empty {
        return Err(format!("Test file {t} is empty"));
    }
    if answer_kind == DocumentKind::Empty {
        return Err(format!(
            "Answer file {a} is empty (a worker who answered nothing is <QuestionFormAnswers/>)"
        ));
    }
    let is_form =
        |k: &DocumentKind| matches!(k, DocumentKind::QuestionForm | DocumentKind::HitQuestion(_));
    const SWAP: &str = "did you swap --test and --answer?";
    match (&test_kind, &answer_kind) {
        (DocumentKind::QuestionFormAnswers, k) if is_form(k) => {
            return Err(format!(
                "--test {t} is a QuestionFormAnswers document and --answer {a} is a \
                 QuestionForm: {SWAP}"
            ));
        }
        (DocumentKind::QuestionFormAnswers, DocumentKind::QuestionFormAnswers) => {
            return Err(format!(
                "Test file {t} is a QuestionFormAnswers document, not a QuestionForm (the \
                 Answer given twice?)"
            ));
        }
        (DocumentKind::QuestionFormAnswers, _) => {
            return Err(format!(
                "Test file {t} is a QuestionFormAnswers document, not a QuestionForm: {SWAP}"
            ));
        }
        (k, a_kind) if is_form(k) && is_form(a_kind) => {
            return Err(format!(
                "Answer file {a} is a QuestionForm, not a QuestionFormAnswers document (the \
                 Test given twice?)"
            ));
        }
        (k, a_kind) if is_form(a_kind) => {
            return Err(format!(
                "Answer file {a} is a QuestionForm, not a QuestionFormAnswers document: {SWAP} \
                 (Test file {t}: {})",
                k.describe()
            ));
        }
        _ => {}
    }
    if !matches!(
        test_kind,
        DocumentKind::QuestionForm | DocumentKind::HitQuestion(_)
    ) {
        return Err(format!(
            "Test file {t} is not a QuestionForm document ({})",
            test_kind.describe()
        ));
    }
    if answer_kind != DocumentKind::QuestionFormAnswers {
        return Err(format!(
            "Answer file {a} is not a QuestionFormAnswers document ({})",
            answer_kind.describe()
        ));
    }
    if let (Some(key), Some(path)) = (key, &args.answer_key) {
        let k = path.display();
        match document_kind(key) {
            DocumentKind::AnswerKey => {}
            DocumentKind::Empty => return Err(format!("AnswerKey file {k} is empty")),
            other => {
                return Err(format!(
                    "AnswerKey file {k} is not an AnswerKey document ({}); --answer-key takes \
                     the type's AnswerKey",
                    other.describe()
                ));
            }
        }
    }
    Ok(())
}

/// Render a Test + Answer (+ AnswerKey) as plain text at `width` columns.
pub fn render(test: &str, answer: &str, key: Option<&str>, width: u16) -> String {
    let r = review::build_from_xml(Some(test), Some(answer), key);
    plain_text(&layout(&r, width))
}

/// `mturk-triage show`.
pub fn run_cli(args: crate::cli::ShowArgs) -> Result<ExitCode, String> {
    let test = read_doc("Test", &args.test)?;
    let answer = read_doc("Answer", &args.answer)?;
    let key = match &args.answer_key {
        Some(p) => Some(read_doc("AnswerKey", p)?),
        None => None,
    };
    check_kinds(&args, &test, &answer, key.as_deref())?;
    let out = render(&test, &answer, key.as_deref(), pick_width(args.width));
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(format!("cannot write to stdout: {e}")),
    }
}
