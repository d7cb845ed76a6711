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

/// Runs `show` with these files; returns (exit code, stdout, stderr).
fn show(test: &std::path::Path, answer: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(["show", "--test"])
        .arg(test)
        .arg("--answer")
        .arg(answer)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(real(p))
}

#[test]
fn width_below_the_minimum_is_refused() {
    for w in ["0", "19"] {
        let out = bin()
            .args(["show", "--test"])
            .arg(real("03-aws-docs-tictactoe.questionform.xml"))
            .arg("--answer")
            .arg(real("03-aws-docs-tictactoe.answers.xml"))
            .args(["--width", w])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--width {w}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "invalid value '{w}' for '--width <N>': {w} is not in 20..=65535"
            )),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    let (code, text, _) = show(
        &path("03-aws-docs-tictactoe.questionform.xml"),
        &path("03-aws-docs-tictactoe.answers.xml"),
        &["--width", "20"],
    );
    assert_eq!(code, 0);
    assert!(
        text.lines()
            .all(|l| mturk_triage::qform::sanitize::display_width(l) <= 20)
    );
}

#[test]
fn swapped_test_and_answer_are_named() {
    let form = path("03-aws-docs-tictactoe.questionform.xml");
    let answers = path("03-aws-docs-tictactoe.answers.xml");
    let (code, out, err) = show(&answers, &form, &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: --test {} is a QuestionFormAnswers document and --answer {} is a \
             QuestionForm: did you swap --test and --answer?",
            answers.display(),
            form.display()
        )
    );
    // Only one of them the wrong way round: still the question.
    let readme = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let (code, _, err) = show(&answers, &readme, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: Test file {} is a QuestionFormAnswers document, not a QuestionForm: \
             did you swap --test and --answer?",
            answers.display()
        )
    );
    let (code, _, err) = show(&readme, &form, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: Answer file {} is a QuestionForm, not a QuestionFormAnswers document: \
             did you swap --test and --answer? (Test file {}: not XML: it does not start with an \
             element)",
            form.display(),
            readme.display()
        )
    );
    // The same document twice is not a swap.
    let (code, _, err) = show(&form, &form, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "is a QuestionForm, not a QuestionFormAnswers document (the Test given twice?)"
        ),
        "{err}"
    );
}

#[test]
fn documents_of_the_wrong_kind_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let form = path("03-aws-docs-tictactoe.questionform.xml");
    let answers = path("03-aws-docs-tictactoe.answers.xml");
    let readme = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let (code, out, err) = show(&readme, &answers, &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: Test file {} is not a QuestionForm document (not XML: it does not \
             start with an element)",
            readme.display()
        )
    );
    let html = dir.path().join("page.xml");
    std::fs::write(&html, "<html><body>hi</body></html>").unwrap();
    let (code, _, err) = show(&html, &answers, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: Test file {} is not a QuestionForm document (root element <html>)",
            html.display()
        )
    );
    let (code, _, err) = show(&form, &html, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: Answer file {} is not a QuestionFormAnswers document (root element \
             <html>)",
            html.display()
        )
    );
    // A QuestionForm (or anything else) as the key.
    let (code, out, err) = show(
        &form,
        &answers,
        &[
            "--answer-key",
            &real("03-aws-docs-tictactoe.questionform.xml"),
        ],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err.trim_end(),
        format!(
            "mturk-triage: AnswerKey file {} is not an AnswerKey document (root element \
             <QuestionForm>); --answer-key takes the type's AnswerKey",
            form.display()
        )
    );
    // Empty files.
    let empty = dir.path().join("empty.xml");
    std::fs::write(&empty, " \n").unwrap();
    let (code, _, err) = show(&empty, &answers, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!("mturk-triage: Test file {} is empty", empty.display())
    );
    assert!(!err.contains("no test"), "{err}");
    let (code, _, err) = show(&form, &empty, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("Answer file {} is empty", empty.display())),
        "{err}"
    );
    let (code, _, err) = show(&form, &answers, &["--answer-key", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!("mturk-triage: AnswerKey file {} is empty", empty.display())
    );
}

#[test]
fn partial_documents_of_the_right_kind_still_render() {
    let dir = tempfile::tempdir().unwrap();
    let answers = path("03-aws-docs-tictactoe.answers.xml");
    // Truncated after the root element: nothing understood, the problems listed.
    let cut = dir.path().join("cut.xml");
    std::fs::write(&cut, "<QuestionForm>").unwrap();
    let (code, text, err) = show(&cut, &answers, &["--width", "100"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.starts_with("ℹ The Test could not be read (see Problems below).\n"),
        "{text}"
    );
    assert!(!text.contains("raw XML"), "{text}");
    assert!(text.contains("• [Test] document ended inside <QuestionForm> (truncated?)"));
    // Truncated in the middle: what was read is shown.
    let full = std::fs::read_to_string(real("03-aws-docs-tictactoe.questionform.xml")).unwrap();
    let half = dir.path().join("half.xml");
    std::fs::write(&half, &full[..full.len() / 2]).unwrap();
    let (code, text, _) = show(&half, &answers, &["--width", "100"]);
    assert_eq!(code, 0);
    assert!(text.starts_with("QuestionForm 2005-10-01"), "{text}");
    assert!(text.contains("(truncated?)"), "{text}");
    // A wrapped QuestionForm is still one.
    let wrapped = dir.path().join("wrapped.xml");
    std::fs::write(&wrapped, format!("<Test>{full}</Test>")).unwrap();
    let (code, text, _) = show(&wrapped, &answers, &["--width", "100"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("• [Test] the QuestionForm is wrapped in <Test>"),
        "{text}"
    );
}

#[test]
fn an_endless_or_huge_file_is_refused_not_read_into_memory() {
    let (code, _, err) = show(
        std::path::Path::new("/dev/zero"),
        std::path::Path::new("/dev/null"),
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("Test file /dev/zero is larger than 16 MiB"),
        "{err}"
    );
}
