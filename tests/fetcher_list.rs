//! The page fetcher and `mturk-triage list`, through the real SDK, against the sim and against a
//! deliberately misbehaving server. 127.0.0.1 only.

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use mturk_triage::mturk::client::{fast_local_retries, local_client};
use mturk_triage::mturk::fetcher::{PAGE_SIZE, Stop, fetch_all};
use mturk_triage::mturk::sim::{self, FaultKind, SimConfig};
use tokio_util::sync::CancellationToken;

fn forms_cfg(requests: usize) -> SimConfig {
    SimConfig {
        forms_dir: Some(common::repo_path("assets/real")),
        requests,
        seed: 11,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn all_250_requests_over_three_pages_in_order_without_duplicates() {
    let sim = sim::start(forms_cfg(250)).await.unwrap();
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let mut pages = Vec::new();
    let mut rows = Vec::new();
    let summary = fetch_all(&client, None, &CancellationToken::new(), |p| {
        pages.push((p.number, p.requests.len(), p.total));
        rows.extend(p.requests);
    })
    .await
    .unwrap();
    assert_eq!(pages, vec![(1, 100, 100), (2, 100, 200), (3, 50, 250)]);
    assert_eq!(summary.total, 250);
    assert_eq!(summary.stop, Stop::Complete);
    let ids: HashSet<_> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 250);
    let times: Vec<f64> = rows.iter().map(|r| r.submit_time.unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "listed oldest first"
    );
    // Every page was asked with MaxResults=100.
    assert_eq!(sim.calls("ListQualificationRequests"), 3);
    // The Test text is shared between requests of one form.
    let distinct: HashSet<*const u8> = rows.iter().map(|r| r.test.as_ptr()).collect();
    assert!(
        distinct.len() <= 12,
        "{} distinct Test allocations",
        distinct.len()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_type_filter_lists_only_that_type() {
    let sim = sim::start(forms_cfg(120)).await.unwrap();
    let type_id = sim.types()[0].id.clone();
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let mut rows = Vec::new();
    fetch_all(&client, Some(&type_id), &CancellationToken::new(), |p| {
        rows.extend(p.requests)
    })
    .await
    .unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.type_id == type_id));
    let expected = sim
        .pending()
        .iter()
        .filter(|r| r.type_id == type_id)
        .count();
    assert_eq!(rows.len(), expected);
    sim.shutdown().await;
}

#[tokio::test]
async fn transient_faults_are_retried_by_the_sdk() {
    let sim = sim::start(forms_cfg(150)).await.unwrap();
    sim.fail_next([FaultKind::Throttling, FaultKind::ServiceFault]);
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let s = fetch_all(&client, None, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(s.total, 150);
    assert_eq!(
        sim.calls("ListQualificationRequests"),
        4,
        "2 faults + 2 pages"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unknown_type_id_is_a_request_error_with_a_hint() {
    let sim = sim::start(forms_cfg(5)).await.unwrap();
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let f = fetch_all(
        &client,
        Some("3NOSUCHTYPE0000000000000000000"),
        &CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.kind, mturk_triage::mturk::error::ErrorKind::Request);
    assert!(
        f.error
            .to_string()
            .contains("differ between sandbox and production"),
        "{}",
        f.error
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn cancelled_before_the_first_page() {
    let sim = sim::start(forms_cfg(5)).await.unwrap();
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let cancel = CancellationToken::new();
    cancel.cancel();
    let s = fetch_all(&client, None, &cancel, |_| panic!("no page"))
        .await
        .unwrap();
    assert_eq!((s.pages, s.stop), (0, Stop::Cancelled));
    sim.shutdown().await;
}

/// A server whose pages are scripted: (request ids, next token).
async fn scripted(
    pages: Vec<(Vec<&'static str>, Option<&'static str>)>,
) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let pages = Arc::new(pages);
    let app = Router::new().route(
        "/",
        post(move |_h: HeaderMap, body: String| {
            let c = c.clone();
            let pages = pages.clone();
            async move {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["MaxResults"], PAGE_SIZE, "always MaxResults=100");
                let n = c.fetch_add(1, Ordering::SeqCst);
                let (ids, token) = pages.get(n).cloned().unwrap_or((vec![], None));
                let reqs: Vec<_> = ids
                    .iter()
                    .map(|id| serde_json::json!({"QualificationRequestId": id, "QualificationTypeId": "3T", "WorkerId": "AW", "SubmitTime": 1.485179373361E9}))
                    .collect();
                let mut out = serde_json::json!({"NumResults": reqs.len(), "QualificationRequests": reqs});
                if let Some(t) = token {
                    out["NextToken"] = t.into();
                }
                ([("content-type", "application/x-amz-json-1.1")], out.to_string())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

#[tokio::test]
async fn stops_on_a_repeated_token_and_deduplicates() {
    let (url, calls) = scripted(vec![
        (vec!["R1", "R2"], Some("T1")),
        (vec!["R2", "R3"], Some("T2")),
        (vec!["R4"], Some("T1")),
        (vec!["R5"], None),
    ])
    .await;
    let client = local_client(&url, fast_local_retries());
    let mut ids = Vec::new();
    let s = fetch_all(&client, None, &CancellationToken::new(), |p| {
        ids.extend(p.requests.into_iter().map(|r| r.id))
    })
    .await
    .unwrap();
    assert_eq!(ids, vec!["R1", "R2", "R3", "R4"]);
    assert_eq!((s.pages, s.duplicates, s.stop), (3, 1, Stop::RepeatedToken));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn stops_on_an_empty_page_even_with_a_token() {
    let (url, calls) = scripted(vec![
        (vec!["R1"], Some("A")),
        (vec![], Some("B")),
        (vec!["R9"], None),
    ])
    .await;
    let client = local_client(&url, fast_local_retries());
    let s = fetch_all(&client, None, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((s.pages, s.total, s.stop), (2, 1, Stop::EmptyPage));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_empty_queue_and_an_empty_page_after_a_full_one_are_complete() {
    // Nothing pending: one empty page, no token. That is a complete listing (so rows decided
    // elsewhere leave the list), not a suspicious stop.
    let (url, _) = scripted(vec![(vec![], None)]).await;
    let client = local_client(&url, fast_local_retries());
    let s = fetch_all(&client, None, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((s.pages, s.total, s.stop), (1, 0, Stop::Complete));
    // An empty first page that still carries a token: nothing is pending either.
    let (url, calls) = scripted(vec![(vec![], Some("A")), (vec!["R9"], None)]).await;
    let client = local_client(&url, fast_local_retries());
    let s = fetch_all(&client, None, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((s.pages, s.total, s.stop), (1, 0, Stop::Complete));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // A full page whose token leads to an empty page: the end of the list.
    let full: Vec<&'static str> = (0..PAGE_SIZE)
        .map(|i| &*Box::leak(format!("R{i:03}").into_boxed_str()))
        .collect();
    let (url, calls) = scripted(vec![(full, Some("A")), (vec![], Some("B"))]).await;
    let client = local_client(&url, fast_local_retries());
    let s = fetch_all(&client, None, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((s.pages, s.total, s.stop), (2, 100, Stop::Complete));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

fn list(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(common::BIN)
        .args(["list", "--endpoint-url", url])
        .args(extra)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run list")
}

#[test]
fn list_command_prints_every_request_in_each_format() {
    let sim = common::SimProcess::start(&[
        "--forms",
        common::repo_path("assets/real").to_str().unwrap(),
        "--requests",
        "250",
    ]);
    let out = list(&sim.url, &["--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 250);
    let ids: HashSet<_> = rows
        .iter()
        .map(|r| r["QualificationRequestId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    assert!(rows[0].get("Test").is_none(), "Test only with --full");
    assert!(String::from_utf8_lossy(&out.stderr).contains("page 3: 50 new, 250 in all"));

    let out = list(&sim.url, &["--format", "csv", "--full"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(
        "QualificationRequestId,QualificationTypeId,WorkerId,SubmitTime,Test,Answer\n"
    ));
    assert!(text.contains("QuestionForm"));

    let out = list(&sim.url, &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().starts_with("REQUEST ID"));
    assert!(text.trim_end().ends_with("250 pending request(s)"));
    assert_eq!(text.lines().count(), 252);
    assert!(!text.contains('\u{1b}'), "no raw escape in table output");
}

#[test]
fn missing_credentials_and_unknown_profiles_are_named() {
    let dir = common::temp_dir();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[work]\naws_access_key_id = AKIDWORKEXAMPLE0001\naws_secret_access_key = x\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(common::BIN)
            .arg("list")
            .args(args)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // No credentials anywhere (the sandbox, never reached: the chain is asked first).
    let err = run(&[]);
    assert!(
        err.contains("no AWS credentials found — tried profile \"default\"")
            && err.contains("mturk-triage demo"),
        "{err}"
    );
    // A profile that is in neither file.
    let err = run(&["--profile", "nonexistent"]);
    assert!(
        err.contains("profile \"nonexistent\" is not defined in /dev/null or")
            && err.contains("credentials"),
        "{err}"
    );
}

#[test]
fn a_malformed_type_id_is_refused_before_any_call() {
    for args in [
        &["list", "--qualification-type-id", "bogus"][..],
        &[
            "--qualification-type-id",
            "3abc",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ][..],
    ] {
        let (code, err) = run_bin(args);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("is not a qualification type id"), "{err}");
    }
}

#[test]
fn flags_before_a_subcommand_are_refused_not_ignored() {
    for args in [
        &["--endpoint-url", "http://127.0.0.1:9", "list"][..],
        &[
            "--production",
            "list",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ][..],
        &["--undo-secs", "30", "demo"][..],
        &["--qualification-type-id", "3X", "list"][..],
    ] {
        let (code, err) = run_bin(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot be used with"), "{args:?}: {err}");
    }
}

/// Run the binary with `args`: its exit code and standard error.
fn run_bin(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(common::BIN)
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_command_fails_clearly() {
    let out = list("http://127.0.0.1:9", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach http://127.0.0.1:9"), "{err}");
    let out = list("ftp://x", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http or https"));
}

/// A server that refuses every call as AWS does for an unknown access key or a wrong secret.
async fn refusing(type_: &'static str, message: &'static str) -> String {
    let app = Router::new().route(
        "/",
        post(move || async move {
            (
                axum::http::StatusCode::BAD_REQUEST,
                [("content-type", "application/x-amz-json-1.1")],
                serde_json::json!({"__type": type_, "message": message}).to_string(),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn refused_credentials_are_explained_with_their_source() {
    let dir = common::temp_dir();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[triage]\naws_access_key_id = AKIDTRIAGEEXAMPLE1234\naws_secret_access_key = s3cr3t-never-shown\n",
    )
    .unwrap();
    let cases = [
        (
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            "unknown or expired",
        ),
        (
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
            "secret access key does not belong",
        ),
        (
            "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than 20260102T000000Z.",
            "check the system clock",
        ),
    ];
    for (type_, message, hint) in cases {
        let url = refusing(type_, message).await;
        let creds = creds.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(common::BIN)
                .args(["list", "--endpoint-url", &url, "--profile", "triage"])
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
                .env("AWS_CONFIG_FILE", "/dev/null")
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .output()
                .expect("run list")
        })
        .await
        .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("credentials refused [{type_}]: {message}")),
            "{err}"
        );
        assert!(err.contains(hint), "{hint}: {err}");
        assert!(
            err.contains(
                "credentials: profile \"triage\" (from the shared credentials/config files, access key AKID…1234)"
            ),
            "{err}"
        );
        assert!(!err.contains("s3cr3t"), "the secret never shows: {err}");
    }
}

#[test]
fn list_on_a_terminal_never_prints_worker_escapes_raw() {
    let dir = common::temp_dir();
    let file = dir.path().join("hostile.jsonl");
    let answer = "<QuestionFormAnswers><Answer><QuestionIdentifier>q</QuestionIdentifier><FreeText>\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}RED</FreeText></Answer></QuestionFormAnswers>";
    let line = serde_json::json!({
        "QualificationTypeId": "3HOSTILE00000000000000000000001",
        "WorkerId": "AHOSTILE0001",
        "Test": "",
        "Answer": answer,
        "SubmitTime": 1.7e9
    });
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let sim =
        common::SimProcess::start(&["--requests", "0", "--requests-file", file.to_str().unwrap()]);
    for format in ["csv", "json", "table"] {
        let mut app = common::PtyApp::spawn(
            &[
                "list",
                "--endpoint-url",
                &sim.url,
                "--format",
                format,
                "--full",
            ],
            &[],
            200,
            50,
        );
        assert!(app.wait_exit(20).success());
        let raw = app.raw.lock().unwrap().clone();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            !text.contains('\u{1b}'),
            "{format}: raw ESC reached the terminal"
        );
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{format}: raw C1/bidi reached the terminal"
        );
        assert!(text.contains("RED"), "{format}: the text is still there");
    }
    // Piped (not a terminal), CSV stays exact.
    let out = list(&sim.url, &["--format", "csv", "--full"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\u{1b}]0;pwned"));
}
