//! Two reviewers (two dashboards, each with its own data directory) on one sim and one queue:
//! a request decided by the other shows "already processed" and leaves the list; no request is
//! decided twice. And credentials never appear in the journal, the log or panic output.

mod common;

use common::{PtyApp, SimProcess, header_count, temp_dir};

fn spawn(
    url: &str,
    dir: &std::path::Path,
    name: &str,
    extra_env: &[(&str, &str)],
    args: &[&str],
) -> PtyApp {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(&config, "undo_secs = 0\n").unwrap();
    let data = dir.join(name);
    let mut env = vec![
        ("MTURK_TRIAGE_CONFIG", config.to_str().unwrap().to_owned()),
        ("MTURK_TRIAGE_DATA", data.to_str().unwrap().to_owned()),
        ("RUST_BACKTRACE", "0".to_owned()),
    ];
    env.extend(extra_env.iter().map(|(k, v)| (*k, v.to_string())));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut all = vec!["--endpoint-url", url];
    all.extend_from_slice(args);
    PtyApp::spawn(&all, &env, 100, 30)
}

#[test]
fn two_reviewers_never_decide_a_request_twice() {
    let dir = temp_dir();
    let record = dir.path().join("record.jsonl");
    let sim = SimProcess::start(&[
        "--requests",
        "4",
        "--seed",
        "9",
        "--record",
        record.to_str().unwrap(),
    ]);
    let mut a = spawn(&sim.url, dir.path(), "alice", &[], &[]);
    let mut b = spawn(&sim.url, dir.path(), "bob", &[], &[]);
    for app in [&a, &b] {
        app.wait_for("rows", 30, |s| header_count(s, "loaded") == Some(4));
    }
    // Both look at the first request; Alice accepts it first.
    a.send(b"a");
    a.wait_for("Alice's accept", 20, |s| {
        header_count(s, "decided") == Some(1)
    });
    // Bob, whose list is older, tries to reject the same request.
    b.send(b"r");
    b.wait_text("worker will read", 10);
    b.send(b"too late\r");
    let screen = b.wait_for("already processed", 20, |s| s.contains("= taken"));
    assert!(screen.contains("already processed"), "{screen}");
    // At Bob's next re-list it leaves his list.
    b.send(b"R");
    b.wait_for("the taken row to leave", 20, |s| {
        header_count(s, "loaded") == Some(3) && !s.contains("= taken") && !s.contains("loading…")
    });
    a.send(b"q");
    b.send(b"q");
    assert!(a.wait_exit(10).success());
    assert!(b.wait_exit(10).success());
    let text = std::fs::read_to_string(&record).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "only Alice's call was applied:\n{text}");
    assert_eq!(lines[0]["op"], "AcceptQualificationRequest");
}

#[test]
fn credentials_never_reach_journal_log_or_panic_output() {
    const KEY_ID: &str = "AKIDTRIAGESECRETTEST1";
    const SECRET: &str = "s3cr3t-Do-Not-Print-0123456789abcdefXYZ";
    const TOKEN: &str = "session-token-Do-Not-Print-9876543210";
    let dir = temp_dir();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        format!("[triage]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"),
    )
    .unwrap();
    let config = dir.path().join("aws-config");
    // The profile names another region: the product must still sign for us-east-1, or the sim
    // (which checks the credential scope as AWS does) refuses every call and nothing is decided.
    std::fs::write(&config, "[profile triage]\nregion = eu-west-1\n").unwrap();
    let sim = SimProcess::start(&["--requests", "3"]);
    let env = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("MTURK_TRIAGE_LOG", "debug"),
    ];
    // With --profile the real credential chain is used (and signs every call).
    let mut app = spawn(&sim.url, dir.path(), "run", &env, &["--profile", "triage"]);
    app.wait_for("rows", 30, |s| header_count(s, "loaded") == Some(3));
    app.send(b"a");
    app.wait_for("accept", 20, |s| header_count(s, "decided") == Some(1));
    app.send(b"q");
    assert!(app.wait_exit(10).success());
    // Then a run that panics in a background task.
    let mut env_panic = env.to_vec();
    env_panic.push(("MTURK_TRIAGE_TEST_FAULT", "task"));
    let mut crash = spawn(
        &sim.url,
        dir.path(),
        "run",
        &env_panic,
        &["--profile", "triage"],
    );
    assert!(!crash.wait_exit(20).success());
    let panic_output = String::from_utf8_lossy(&crash.raw.lock().unwrap()).to_string();
    assert!(
        panic_output.contains("injected panic"),
        "the panic message was printed"
    );
    let journal = std::fs::read_to_string(dir.path().join("run/decisions.jsonl")).unwrap();
    let log = std::fs::read_to_string(dir.path().join("run/mturk-triage.log")).unwrap();
    assert!(
        journal.contains("\"outcome\":\"ok\""),
        "the decision was journaled"
    );
    assert!(
        log.contains("region eu-west-1"),
        "the ignored region was logged:\n{log}"
    );
    let screen_run1 = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    for (what, text) in [
        ("journal", &journal),
        ("log", &log),
        ("panic output", &panic_output),
        ("screen", &screen_run1),
    ] {
        for secret in [KEY_ID, SECRET, TOKEN] {
            assert!(!text.contains(secret), "{secret} found in the {what}");
        }
    }
}
