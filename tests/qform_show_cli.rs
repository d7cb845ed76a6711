//! `mturk-triage show` end to end: output, width, and clear errors naming the file.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mturk-triage"))
}

fn real(name: &str) -> String {
    format!("{}/assets/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn show_prints_review() {
    let out = bin()
        .args(["show", "--test"])
        .arg(real("08-mturkemu-colors.questionform.xml"))
        .arg("--answer")
        .arg(real("19-codenames-clues.answers.xml"))
        .arg("--answer-key")
        .arg(real("08-mturkemu-colors.scale.answerkey.xml"))
        .args(["--width", "60"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("QuestionForm 2005-10-01 · 2 questions · 0 answered"),
        "{text}"
    );
    assert!(text.contains("Extra answers (6), not questions of this Test:"));
    assert!(text.contains("qualification value 0"));
    assert!(
        text.lines()
            .all(|l| mturk_triage::qform::sanitize::display_width(l) <= 60)
    );
}

#[test]
fn show_uses_columns_env_by_default() {
    let out = bin()
        .env("COLUMNS", "120")
        .args(["show", "--test"])
        .arg(real("03-aws-docs-tictactoe.questionform.xml"))
        .arg("--answer")
        .arg(real("03-aws-docs-tictactoe.answers.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(" │ Answer:"), "side by side at 120: {text}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let out = bin()
        .args(["show", "--test", "/nonexistent/form.xml", "--answer"])
        .arg(real("03-aws-docs-tictactoe.answers.xml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read Test file /nonexistent/form.xml"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn non_utf8_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.xml");
    std::fs::write(
        &bad,
        b"<QuestionFormAnswers><Answer><FreeText>caf\xe9</FreeText></Answer></QuestionFormAnswers>",
    )
    .unwrap();
    let out = bin()
        .args(["show", "--test"])
        .arg(real("03-aws-docs-tictactoe.questionform.xml"))
        .arg("--answer")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Answer file") && err.contains("latin1.xml"),
        "{err}"
    );
    assert!(
        err.contains("not valid UTF-8 (first bad byte at offset 42)"),
        "{err}"
    );
}
