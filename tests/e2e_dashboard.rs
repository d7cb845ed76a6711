//! End to end: the real binary in a pseudo-terminal against a `sim` process with --record.
//! Wait for rows, accept one, reject one with a typed reason, quit; then prove from the record
//! file and from the service itself that exactly those two calls reached the server.

mod common;

use common::{PtyApp, SimProcess, header_count, temp_dir};
use mturk_triage::mturk::client::{fast_local_retries, local_client};

#[test]
fn accept_and_reject_reach_the_server_exactly_once() {
    let dir = temp_dir();
    let record = dir.path().join("record.jsonl");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "undo_secs = 1\nreason_templates = []\n").unwrap();
    let sim = SimProcess::start(&[
        "--forms",
        common::repo_path("assets/real").to_str().unwrap(),
        "--requests",
        "12",
        "--seed",
        "3",
        "--record",
        record.to_str().unwrap(),
    ]);
    let data = dir.path().join("data");
    let mut app = PtyApp::spawn(
        &["--endpoint-url", &sim.url],
        &[
            ("MTURK_TRIAGE_CONFIG", config.to_str().unwrap()),
            ("MTURK_TRIAGE_DATA", data.to_str().unwrap()),
        ],
        120,
        36,
    );
    app.wait_for("12 rows loaded", 30, |s| {
        header_count(s, "loaded") == Some(12) && !s.contains("loading…")
    });
    app.send(b"a");
    app.wait_for("the accept to be done", 20, |s| {
        header_count(s, "decided") == Some(1)
    });
    app.send(b"r");
    app.wait_text("worker will read", 10);
    app.send("Not enough detail — sorry".as_bytes());
    app.send(b"\r");
    app.wait_for("the reject to be done", 20, |s| {
        header_count(s, "decided") == Some(2)
    });
    let screen = app.screen();
    assert!(screen.contains("✓ acc 1"), "{screen}");
    assert!(screen.contains("✗ rej"), "{screen}");
    app.send(b"q");
    let status = app.wait_exit(10);
    assert!(status.success(), "exit status {status:?}");

    // The record file: exactly the two calls, with the right value and reason.
    let text = std::fs::read_to_string(&record).expect("record file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("record line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "record:\n{text}");
    assert_eq!(lines[0]["op"], "AcceptQualificationRequest");
    assert_eq!(lines[0]["IntegerValue"], 1);
    assert_eq!(lines[1]["op"], "RejectQualificationRequest");
    assert_eq!(lines[1]["Reason"], "Not enough detail — sorry");
    let accepted = lines[0]["QualificationRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let rejected = lines[1]["QualificationRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(accepted, rejected);

    // The service agrees: the score was granted, and both requests left the pending list.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = local_client(&sim.url, fast_local_retries());
        let score = client
            .get_qualification_score()
            .qualification_type_id(lines[0]["QualificationTypeId"].as_str().unwrap())
            .worker_id(lines[0]["WorkerId"].as_str().unwrap())
            .send()
            .await
            .expect("GetQualificationScore");
        assert_eq!(score.qualification.and_then(|q| q.integer_value), Some(1));
        let page = client
            .list_qualification_requests()
            .max_results(100)
            .send()
            .await
            .expect("list");
        let ids: Vec<String> = page
            .qualification_requests
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.qualification_request_id)
            .collect();
        assert_eq!(ids.len(), 10);
        assert!(!ids.contains(&accepted) && !ids.contains(&rejected));
        // The rejected worker was granted nothing.
        let rejected_score = client
            .get_qualification_score()
            .qualification_type_id(lines[1]["QualificationTypeId"].as_str().unwrap())
            .worker_id(lines[1]["WorkerId"].as_str().unwrap())
            .send()
            .await;
        assert!(
            rejected_score.is_err(),
            "no score for the rejected worker: {rejected_score:?}"
        );
    });
    // And no second decision call ever reached the server (it would have been refused).
    let sim_log = sim.stop();
    assert!(
        sim_log.contains("faults injected, 0 decisions refused as already decided"),
        "{sim_log}"
    );
}

#[test]
fn quitting_restores_the_terminal() {
    let dir = temp_dir();
    let sim = SimProcess::start(&["--requests", "3"]);
    let data = dir.path().join("data");
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let mut app = PtyApp::spawn(
        &["--endpoint-url", &sim.url],
        &[
            ("MTURK_TRIAGE_CONFIG", config.to_str().unwrap()),
            ("MTURK_TRIAGE_DATA", data.to_str().unwrap()),
        ],
        80,
        24,
    );
    app.wait_for("rows", 30, |s| header_count(s, "loaded") == Some(3));
    app.send(b"q");
    assert!(app.wait_exit(10).success());
    let raw = app.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    let enter = text
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let leave = text
        .rfind("\x1b[?1049l")
        .expect("left the alternate screen");
    assert!(leave > enter);
    assert!(
        text[leave..].contains("\x1b[?25h"),
        "cursor shown again after leaving"
    );
    let parser = app.parser.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(!parser.screen().hide_cursor(), "cursor visible");
}

#[test]
fn a_long_paste_into_the_reason_is_read_completely_and_capped() {
    let dir = temp_dir();
    let record = dir.path().join("record.jsonl");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "undo_secs = 0\n").unwrap();
    let sim = SimProcess::start(&["--requests", "3", "--record", record.to_str().unwrap()]);
    let data = dir.path().join("data");
    let mut app = PtyApp::spawn(
        &["--endpoint-url", &sim.url],
        &[
            ("MTURK_TRIAGE_CONFIG", config.to_str().unwrap()),
            ("MTURK_TRIAGE_DATA", data.to_str().unwrap()),
        ],
        100,
        30,
    );
    app.wait_for("rows", 30, |s| header_count(s, "loaded") == Some(3));
    app.send(b"r");
    app.wait_text("worker will read", 10);
    // One burst far larger than the terminal reader's 1 KiB buffer, then Enter.
    let mut burst = vec![b'x'; 3000];
    burst.push(b'\r');
    app.send(&burst);
    app.wait_for("the reject to be done", 20, |s| {
        header_count(s, "decided") == Some(1)
    });
    let text = std::fs::read_to_string(&record).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        v["Reason"].as_str().unwrap(),
        "x".repeat(mturk_triage::app::MAX_REASON_CHARS)
    );
}
