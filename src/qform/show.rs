//! `mturk-triage show`: the review of one Test + Answer as plain text.

use std::path::Path;
use std::process::ExitCode;

use super::layout::{layout, plain_text};
use super::review;

/// Read a document as UTF-8, with an error that names the file.
fn read_doc(what: &str, path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {what} file {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{what} file {} is not valid UTF-8 (first bad byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The width to print at: `--width`, else `$COLUMNS`, else 100.
fn pick_width(arg: Option<u16>) -> u16 {
    arg.or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c > 0)
    })
    .unwrap_or(100)
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
