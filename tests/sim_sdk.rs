//! The sim against the real `aws-sdk-mturk` client, all on 127.0.0.1.

use std::collections::HashSet;
use std::path::PathBuf;

use aws_sdk_mturk::Client;
use aws_sdk_mturk::config::retry::RetryConfig;
use aws_sdk_mturk::error::ProvideErrorMetadata;
use aws_sdk_mturk::operation::accept_qualification_request::AcceptQualificationRequestError;
use aws_sdk_mturk::operation::get_qualification_score::GetQualificationScoreError;
use aws_sdk_mturk::operation::get_qualification_type::GetQualificationTypeError;
use aws_sdk_mturk::operation::list_qualification_requests::ListQualificationRequestsError;
use aws_sdk_mturk::operation::reject_qualification_request::RejectQualificationRequestError;
use aws_smithy_types::date_time::Format;
use mturk_triage::mturk::client;
use mturk_triage::mturk::sim::{self, Decision, FaultKind, SimConfig, SimHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TARGET: &str = "MTurkRequesterServiceV20170117.";
const ANCHOR_MS: i64 = 1_796_000_000_000;

fn assets() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/real"))
}

fn base(requests: usize) -> SimConfig {
    SimConfig {
        forms_dir: Some(assets()),
        requests,
        seed: 42,
        time_anchor_ms: Some(ANCHOR_MS),
        ..SimConfig::default()
    }
}

async fn start(cfg: SimConfig) -> SimHandle {
    sim::start(cfg).await.expect("sim starts")
}

fn no_retries(h: &SimHandle) -> Client {
    client::local_client(&h.endpoint_url(), RetryConfig::disabled())
}

fn retrying(h: &SimHandle) -> Client {
    client::local_client(&h.endpoint_url(), client::fast_local_retries())
}

/// A raw HTTP/1.1 call (no SDK): status, lower-cased header block, body.
async fn raw(h: &SimHandle, target: Option<&str>, body: &[u8]) -> (u16, String, String) {
    raw_method(h, "POST", target, body).await
}

async fn raw_method(
    h: &SimHandle,
    method: &str,
    target: Option<&str>,
    body: &[u8],
) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(h.addr).await.unwrap();
    let mut head = format!(
        "{method} / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n",
        h.addr,
        body.len()
    );
    if let Some(t) = target {
        head.push_str(&format!("X-Amz-Target: {t}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, headers.to_ascii_lowercase(), body.to_owned())
}

async fn list_all(c: &Client, type_id: Option<&str>) -> (Vec<i32>, Vec<String>) {
    let pages: Vec<_> = c
        .list_qualification_requests()
        .set_qualification_type_id(type_id.map(str::to_owned))
        .max_results(100)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut nums = Vec::new();
    let mut ids = Vec::new();
    for p in pages {
        let p = p.expect("page");
        nums.push(p.num_results().unwrap());
        for r in p.qualification_requests() {
            ids.push(r.qualification_request_id().unwrap().to_owned());
        }
    }
    (nums, ids)
}

#[tokio::test]
async fn paginator_returns_all_250_in_three_pages() {
    let h = start(base(250)).await;
    let c = no_retries(&h);
    let (nums, ids) = list_all(&c, None).await;
    assert_eq!(nums, [100, 100, 50]);
    assert_eq!(ids.len(), 250);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 250, "duplicates");
    let expected: Vec<String> = h.pending().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, expected, "order is the sim's (SubmitTime, id) order");
    // Stable: the same listing again gives the same order.
    assert_eq!(list_all(&c, None).await.1, ids);
    // SubmitTimes never go backwards.
    let out = c
        .list_qualification_requests()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let times: Vec<f64> = out
        .qualification_requests()
        .iter()
        .map(|r| r.submit_time().unwrap().as_secs_f64())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // Without MaxResults: the documented default page size.
    let out = c.list_qualification_requests().send().await.unwrap();
    assert_eq!(out.num_results(), Some(sim::DEFAULT_MAX_RESULTS as i32));
    assert!(out.next_token().is_some());
    h.shutdown().await;
}

#[tokio::test]
async fn paging_while_others_decide_skips_and_repeats_nothing() {
    let h = start(base(250)).await;
    let c = no_retries(&h);
    let all: Vec<String> = h.pending().into_iter().map(|r| r.id).collect();
    let p1 = c
        .list_qualification_requests()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let mut seen: Vec<String> = p1
        .qualification_requests()
        .iter()
        .map(|r| r.qualification_request_id().unwrap().to_owned())
        .collect();
    // Another client decides 5 requests from page 1 and 10 from what would be page 2.
    let mut decided = HashSet::new();
    for id in all[10..15].iter().chain(&all[120..130]) {
        c.accept_qualification_request()
            .qualification_request_id(id)
            .send()
            .await
            .unwrap();
        decided.insert(id.clone());
    }
    let mut token = p1.next_token().map(str::to_owned);
    while let Some(t) = token {
        let p = c
            .list_qualification_requests()
            .max_results(100)
            .next_token(t)
            .send()
            .await
            .unwrap();
        seen.extend(
            p.qualification_requests()
                .iter()
                .map(|r| r.qualification_request_id().unwrap().to_owned()),
        );
        token = p.next_token().map(str::to_owned);
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    // Everything is seen except the later-page requests decided meanwhile.
    for id in &all {
        let later_decided = decided.contains(id) && all[120..130].contains(id);
        assert_eq!(unique.contains(id), !later_decided, "{id}");
    }
    assert_eq!(seen.len(), 240);
    h.shutdown().await;
}

#[tokio::test]
async fn type_filter_and_unknown_or_malformed_type() {
    let h = start(base(60)).await;
    let c = no_retries(&h);
    let t = h.pending()[0].type_id.clone();
    let expected: Vec<String> = h
        .pending()
        .into_iter()
        .filter(|r| r.type_id == t)
        .map(|r| r.id)
        .collect();
    assert!(!expected.is_empty());
    let (_, ids) = list_all(&c, Some(&t)).await;
    assert_eq!(ids, expected);

    let e = c
        .list_qualification_requests()
        .qualification_type_id("3NOSUCHTYPE0000000000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 400);
    match e.into_service_error() {
        ListQualificationRequestsError::RequestError(re) => {
            assert_eq!(
                re.turk_error_code(),
                Some("AWS.MechanicalTurk.QualificationDoesNotExist")
            );
            let m = re.message().unwrap();
            assert!(m.starts_with("You requested a Qualification that does not exist. ("));
            assert!(m.ends_with(')'));
        }
        other => panic!("{other:?}"),
    }
    // A token is bound to its filter: reusing it without the filter is refused.
    let p1 = c
        .list_qualification_requests()
        .qualification_type_id(&t)
        .max_results(1)
        .send()
        .await
        .unwrap();
    let tok = p1.next_token().expect("more than one request of that type");
    assert!(tok.len() <= 255);
    let e = c
        .list_qualification_requests()
        .next_token(tok)
        .max_results(1)
        .send()
        .await
        .unwrap_err();
    match e.into_service_error() {
        ListQualificationRequestsError::RequestError(re) => {
            assert_eq!(
                re.turk_error_code(),
                Some("AWS.MechanicalTurk.InvalidParameterValue")
            );
            assert!(re.message().unwrap().contains("NextToken"));
        }
        other => panic!("{other:?}"),
    }
    let p2 = c
        .list_qualification_requests()
        .qualification_type_id(&t)
        .next_token(tok)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        p2.qualification_requests()[0].qualification_request_id(),
        Some(expected[1].as_str())
    );
    let e = c
        .list_qualification_requests()
        .qualification_type_id("3abc-lower")
        .send()
        .await
        .unwrap_err();
    match e.into_service_error() {
        ListQualificationRequestsError::RequestError(re) => {
            assert_eq!(
                re.turk_error_code(),
                Some("AWS.MechanicalTurk.InvalidParameterValue")
            );
            assert!(re.message().unwrap().contains("regular expression pattern"));
        }
        other => panic!("{other:?}"),
    }
    h.shutdown().await;
}

#[tokio::test]
async fn accept_reject_score_and_double_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let h = start(SimConfig {
        record: Some(rec.clone()),
        ..base(20)
    })
    .await;
    let c = no_retries(&h);
    let pending = h.pending();
    let (a, b) = (&pending[0], &pending[1]);

    c.accept_qualification_request()
        .qualification_request_id(&a.id)
        .integer_value(7)
        .send()
        .await
        .unwrap();
    c.reject_qualification_request()
        .qualification_request_id(&b.id)
        .reason("Sorry: 2 of 3 wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(h.decision(&a.id), Some(Decision::Granted(7)));
    assert_eq!(
        h.decision(&b.id),
        Some(Decision::Rejected(Some("Sorry: 2 of 3 wrong".into())))
    );
    let (_, ids) = list_all(&c, None).await;
    assert_eq!(ids.len(), 18);
    assert!(!ids.contains(&a.id) && !ids.contains(&b.id));

    let q = c
        .get_qualification_score()
        .qualification_type_id(&a.type_id)
        .worker_id(&a.worker_id)
        .send()
        .await
        .unwrap();
    let q = q.qualification().unwrap();
    assert_eq!(q.integer_value(), Some(7));
    assert_eq!(q.worker_id(), Some(a.worker_id.as_str()));
    assert_eq!(q.qualification_type_id(), Some(a.type_id.as_str()));
    assert_eq!(q.status().map(|s| s.as_str()), Some("Granted"));
    assert!(q.grant_time().is_some());

    // The rejected worker holds no qualification.
    let e = c
        .get_qualification_score()
        .qualification_type_id(&b.type_id)
        .worker_id(&b.worker_id)
        .send()
        .await
        .unwrap_err();
    match e.into_service_error() {
        GetQualificationScoreError::RequestError(re) => assert_eq!(
            re.turk_error_code(),
            Some("AWS.MechanicalTurk.QualificationDoesNotExist")
        ),
        other => panic!("{other:?}"),
    }

    // Second accept of the same request, accept of a rejected one, unknown id.
    for id in [a.id.as_str(), b.id.as_str(), "3NOTAREQUEST"] {
        let e = c
            .accept_qualification_request()
            .qualification_request_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.raw_response().unwrap().status().as_u16(), 400);
        match e.into_service_error() {
            AcceptQualificationRequestError::RequestError(re) => {
                assert_eq!(
                    re.turk_error_code(),
                    Some("AWS.MechanicalTurk.QualificationRequestDoesNotExist")
                );
                let m = re.message().unwrap();
                assert!(m.contains(id), "{m}");
                let stamp = m.rsplit_once(" (").unwrap().1.trim_end_matches(')');
                assert!(
                    stamp.len() == 13 && stamp.bytes().all(|b| b.is_ascii_digit()),
                    "{m}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let e = c
        .reject_qualification_request()
        .qualification_request_id(&a.id)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        e.into_service_error(),
        RejectQualificationRequestError::RequestError(_)
    ));
    // The grant is untouched by the failed calls.
    assert_eq!(h.score(&a.type_id, &a.worker_id), Some(7));

    // Record: exactly the two successful decisions, in order, with the right values.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["op"], "AcceptQualificationRequest");
    assert_eq!(lines[0]["QualificationRequestId"], a.id.as_str());
    assert_eq!(lines[0]["WorkerId"], a.worker_id.as_str());
    assert_eq!(lines[0]["QualificationTypeId"], a.type_id.as_str());
    assert_eq!(lines[0]["IntegerValue"], 7);
    assert!(lines[0]["time"].as_f64().unwrap() > 1.7e9);
    assert_eq!(lines[1]["op"], "RejectQualificationRequest");
    assert_eq!(lines[1]["QualificationRequestId"], b.id.as_str());
    assert_eq!(lines[1]["Reason"], "Sorry: 2 of 3 wrong");
    h.shutdown().await;
}

#[tokio::test]
async fn accept_without_integer_value_grants_one() {
    let h = start(base(3)).await;
    let c = no_retries(&h);
    let r = h.pending()[2].clone();
    c.accept_qualification_request()
        .qualification_request_id(&r.id)
        .send()
        .await
        .unwrap();
    let q = c
        .get_qualification_score()
        .qualification_type_id(&r.type_id)
        .worker_id(&r.worker_id)
        .send()
        .await
        .unwrap();
    assert_eq!(q.qualification().unwrap().integer_value(), Some(1));
    h.shutdown().await;
}

#[tokio::test]
async fn validation_errors() {
    let h = start(base(5)).await;
    let c = no_retries(&h);
    for n in [0, 101, -1] {
        let e = c
            .list_qualification_requests()
            .max_results(n)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.raw_response().unwrap().status().as_u16(), 400);
        match e.into_service_error() {
            ListQualificationRequestsError::RequestError(re) => {
                assert_eq!(re.turk_error_code(), Some("AWS.ParameterOutOfRange"), "{n}");
                assert!(re.message().unwrap().contains(&format!("'{n}'")));
            }
            other => panic!("{other:?}"),
        }
    }
    for n in [1, 100] {
        c.list_qualification_requests()
            .max_results(n)
            .send()
            .await
            .unwrap();
    }
    // The SDK sends `{}` when the required id is not set.
    let e = c.accept_qualification_request().send().await.unwrap_err();
    match e.into_service_error() {
        AcceptQualificationRequestError::RequestError(re) => {
            assert_eq!(
                re.turk_error_code(),
                Some("AWS.MechanicalTurk.InvalidParameterValue")
            );
            assert!(re.message().unwrap().contains("qualificationRequestId"));
        }
        other => panic!("{other:?}"),
    }
    let e = c.reject_qualification_request().send().await.unwrap_err();
    assert_eq!(e.code(), Some("RequestError"));
    let e = c
        .get_qualification_type()
        .qualification_type_id("not-an-id")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        e.into_service_error(),
        GetQualificationTypeError::RequestError(_)
    ));
    let e = c
        .list_qualification_types()
        .send()
        .await
        .expect_err("MustBeRequestable is required");
    assert_eq!(e.code(), Some("RequestError"));
    let e = c
        .get_qualification_score()
        .qualification_type_id(&h.pending()[0].type_id)
        .worker_id("BADWORKER")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("RequestError"));
    let e = c
        .create_worker_block()
        .worker_id("A1234567890AB")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("RequestError"), "Reason is required");
    // Wrong JSON types and bodies that are not JSON objects (raw HTTP).
    for (op, body) in [
        ("ListQualificationRequests", r#"{"MaxResults":"10"}"#),
        ("ListQualificationRequests", r#"{"MaxResults":10.5}"#),
        ("ListQualificationRequests", r#"{"QualificationTypeId":7}"#),
        (
            "AcceptQualificationRequest",
            r#"{"QualificationRequestId":["x"]}"#,
        ),
        (
            "AcceptQualificationRequest",
            r#"{"QualificationRequestId":"x","IntegerValue":"7"}"#,
        ),
        ("ListQualificationTypes", r#"{"MustBeRequestable":"true"}"#),
        ("GetAccountBalance", "not json"),
        ("GetAccountBalance", "[1,2]"),
        ("GetAccountBalance", "{\"a\":"),
    ] {
        let (status, headers, text) =
            raw(&h, Some(&format!("{TARGET}{op}")), body.as_bytes()).await;
        assert_eq!(status, 400, "{op} {body}");
        assert!(headers.contains("content-type: application/x-amz-json-1.1"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["__type"], "RequestError", "{op} {body}");
        assert!(v["TurkErrorCode"].as_str().unwrap().starts_with("AWS."));
        assert!(v["Message"].as_str().unwrap().ends_with(')'));
    }
    assert!(h.pending().len() == 5, "nothing was decided");
    h.shutdown().await;
}

#[tokio::test]
async fn unknown_operation_and_wire_headers() {
    let h = start(base(2)).await;
    for (method, target) in [
        ("POST", Some(format!("{TARGET}CreateHIT"))),
        ("POST", Some("Other.ListQualificationRequests".to_owned())),
        ("POST", None),
        ("GET", Some(format!("{TARGET}GetAccountBalance"))),
    ] {
        let (status, _, text) = raw_method(&h, method, target.as_deref(), b"{}").await;
        assert_eq!(status, 400, "{target:?}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["__type"], "UnknownOperationException");
        assert!(v["Message"].is_string());
    }
    let (status, headers, text) = raw(&h, Some(&format!("{TARGET}GetAccountBalance")), b"{}").await;
    assert_eq!(status, 200);
    assert!(headers.contains("content-type: application/x-amz-json-1.1"));
    let rid = headers
        .lines()
        .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
        .expect("x-amzn-RequestId header");
    let groups: Vec<usize> = rid.trim().split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{rid}");
    assert_eq!(
        text,
        r#"{"AvailableBalance":"10000.00","OnHoldBalance":"0.00"}"#
    );
    // Header name case does not matter; a lower-case name is what the SDK sends.
    let (status, _, _) = raw(&h, Some(&format!("{TARGET}GetAccountBalance")), b"").await;
    assert_eq!(status, 200, "an empty body reads as {{}}");
    let c = no_retries(&h);
    let b = c.get_account_balance().send().await.unwrap();
    assert_eq!(b.available_balance(), Some("10000.00"));
    assert_eq!(b.on_hold_balance(), Some("0.00"));
    let e = c.create_hit().send().await.unwrap_err();
    assert_eq!(e.code(), Some("UnknownOperationException"));
    h.shutdown().await;
}

#[tokio::test]
async fn service_fault_is_http_500_and_retried() {
    let h = start(base(5)).await;
    h.fail_next([FaultKind::ServiceFault]);
    let e = no_retries(&h)
        .list_qualification_requests()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 500);
    match e.into_service_error() {
        ListQualificationRequestsError::ServiceFault(sf) => {
            assert!(sf.message().unwrap().contains("try again"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.calls("ListQualificationRequests"), 1);
    // With retries, three faults exhaust the three attempts.
    h.fail_next([FaultKind::ServiceFault; 3]);
    let e = retrying(&h)
        .list_qualification_requests()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ServiceFault"));
    assert_eq!(h.calls("ListQualificationRequests"), 4);
    // Two faults, then success on the third attempt.
    h.fail_next([FaultKind::ServiceFault; 2]);
    let out = retrying(&h)
        .list_qualification_requests()
        .send()
        .await
        .unwrap();
    assert_eq!(out.num_results(), Some(5));
    assert_eq!(h.calls("ListQualificationRequests"), 7);
    h.shutdown().await;
}

#[tokio::test]
async fn throttling_then_success_under_sdk_retry() {
    let h = start(base(5)).await;
    let id = h.pending()[0].id.clone();
    h.fail_next([FaultKind::Throttling]);
    let e = no_retries(&h)
        .accept_qualification_request()
        .qualification_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ThrottlingException"));
    assert_eq!(e.message(), Some("Rate exceeded"));
    assert_eq!(h.decision(&id), None, "a throttled call changes nothing");

    h.fail_next([FaultKind::Throttling]);
    retrying(&h)
        .accept_qualification_request()
        .qualification_request_id(&id)
        .integer_value(3)
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(h.calls("AcceptQualificationRequest"), 3);
    assert_eq!(h.decision(&id), Some(Decision::Granted(3)));
    h.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_apply_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let h = start(SimConfig {
        record: Some(rec.clone()),
        ..base(5)
    })
    .await;
    let p = h.pending();
    // Dropped before applying: nothing happened; the SDK's retry then applies it once.
    h.fail_next([FaultKind::DropBeforeApply]);
    let e = no_retries(&h)
        .accept_qualification_request()
        .qualification_request_id(&p[0].id)
        .send()
        .await
        .unwrap_err();
    assert!(e.raw_response().is_none(), "no HTTP answer: {e:?}");
    assert_eq!(h.decision(&p[0].id), None);
    h.fail_next([FaultKind::DropBeforeApply]);
    retrying(&h)
        .accept_qualification_request()
        .qualification_request_id(&p[0].id)
        .send()
        .await
        .unwrap();
    assert_eq!(h.decision(&p[0].id), Some(Decision::Granted(1)));

    // Applied, then the answer is lost: the retry finds the request already decided.
    h.fail_next([FaultKind::DropAfterApply]);
    let e = retrying(&h)
        .reject_qualification_request()
        .qualification_request_id(&p[1].id)
        .send()
        .await
        .unwrap_err();
    match e.into_service_error() {
        RejectQualificationRequestError::RequestError(re) => assert_eq!(
            re.turk_error_code(),
            Some("AWS.MechanicalTurk.QualificationRequestDoesNotExist")
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.decision(&p[1].id), Some(Decision::Rejected(None)));
    let lines = std::fs::read_to_string(&rec).unwrap();
    let ops: Vec<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["op"].to_string())
        .collect();
    assert_eq!(
        ops,
        [
            "\"AcceptQualificationRequest\"",
            "\"RejectQualificationRequest\""
        ]
    );
    h.shutdown().await;
}

#[tokio::test]
async fn faults_for_one_operation_leave_the_others_alone() {
    let h = start(base(4)).await;
    let c = no_retries(&h);
    let id = h.pending()[0].id.clone();
    h.fail_next_for(sim::Op::AcceptQualificationRequest, [FaultKind::Throttling]);
    // Listing is not affected.
    assert_eq!(
        c.list_qualification_requests()
            .send()
            .await
            .unwrap()
            .num_results(),
        Some(4)
    );
    let e = c
        .accept_qualification_request()
        .qualification_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ThrottlingException"));
    c.accept_qualification_request()
        .qualification_request_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(h.calls("AcceptQualificationRequest"), 2);
    assert_eq!(h.calls("ListQualificationRequests"), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn random_faults_at_rate_one_and_zero() {
    let h = start(SimConfig {
        fault_rate: 1.0,
        ..base(3)
    })
    .await;
    let c = no_retries(&h);
    let mut codes = HashSet::new();
    for _ in 0..30 {
        let e = c.get_account_balance().send().await.unwrap_err();
        codes.insert(match e.raw_response() {
            None => "dropped".to_owned(),
            Some(r) => format!("{} {}", r.status().as_u16(), e.code().unwrap_or("?")),
        });
    }
    let mut codes: Vec<_> = codes.into_iter().collect();
    codes.sort();
    assert_eq!(
        codes,
        ["400 ThrottlingException", "500 ServiceFault", "dropped"]
    );
    h.set_fault_rate(0.0);
    // A fault before applying changes nothing; a connection dropped after applying has applied.
    h.fail_next([
        FaultKind::ServiceFault,
        FaultKind::Throttling,
        FaultKind::DropBeforeApply,
    ]);
    let first = h.pending()[0].id.clone();
    for _ in 0..3 {
        let e = c
            .reject_qualification_request()
            .qualification_request_id(&first)
            .send()
            .await;
        assert!(e.is_err());
    }
    assert_eq!(h.pending().len(), 3, "faulted calls change nothing");
    h.fail_next([FaultKind::DropAfterApply]);
    let e = c
        .reject_qualification_request()
        .qualification_request_id(&first)
        .send()
        .await
        .unwrap_err();
    assert!(e.raw_response().is_none(), "no answer: {e:?}");
    assert_eq!(h.pending().len(), 2, "applied, answer lost");
    assert!(c.get_account_balance().send().await.is_ok());
    h.shutdown().await;
}

#[tokio::test]
async fn exponent_submit_time_and_requests_file_served_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reqs.jsonl");
    let test = "<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd\"><Question><QuestionIdentifier>q</QuestionIdentifier><QuestionContent><Text>Q?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>";
    let answer = "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd\"><Answer><QuestionIdentifier>q</QuestionIdentifier><FreeText>&#27979;&#35797; \u{1b}[2J</FreeText></Answer></QuestionFormAnswers>";
    let lines = [
        serde_json::json!({"QualificationTypeId":"3FILETYPE","WorkerId":"A1FIRSTWORKER","Test":test,"Answer":answer,"SubmitTime":1.485179373361E9,"QualificationRequestId":"3REQEXP"}),
        serde_json::json!({"QualificationTypeId":"3FILETYPE","WorkerId":"A2SECONDWORKER","Test":"","Answer":"","SubmitTime":1485179000,"QualificationRequestId":"3REQINT"}),
        serde_json::json!({"QualificationTypeId":"3OTHERTYPE","WorkerId":"A1FIRSTWORKER","SubmitTime":1485200000.5}),
    ];
    let mut text = String::from("# explicit requests\n");
    for l in &lines {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    // Spelled as MTurk does (serde_json would write 1485179373.361).
    let text = text.replace("1485179373.361", "1.485179373361E9");
    assert!(text.contains(r#""SubmitTime":1.485179373361E9"#));
    std::fs::write(&file, text).unwrap();
    let h = start(SimConfig {
        requests: 0,
        requests_file: Some(file),
        ..base(0)
    })
    .await;
    let c = no_retries(&h);
    let out = c
        .list_qualification_requests()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let rs = out.qualification_requests();
    assert_eq!(rs.len(), 3);
    // Ordered by SubmitTime: the integer one first.
    assert_eq!(rs[0].qualification_request_id(), Some("3REQINT"));
    assert_eq!(rs[0].test(), Some(""));
    assert_eq!(rs[0].answer(), Some(""));
    assert_eq!(rs[1].qualification_request_id(), Some("3REQEXP"));
    assert_eq!(rs[1].qualification_type_id(), Some("3FILETYPE"));
    assert_eq!(rs[1].worker_id(), Some("A1FIRSTWORKER"));
    assert_eq!(rs[1].test(), Some(test));
    assert_eq!(rs[1].answer(), Some(answer));
    let t = rs[1].submit_time().unwrap();
    assert_eq!(t.secs(), 1_485_179_373);
    assert!(
        t.fmt(Format::DateTime)
            .unwrap()
            .starts_with("2017-01-23T13:49:33")
    );
    let ms = t.subsec_nanos() / 1_000_000;
    assert!((360..=361).contains(&ms), "{ms}");
    assert_eq!(rs[2].qualification_type_id(), Some("3OTHERTYPE"));
    assert_eq!(rs[2].test(), None);
    assert_eq!(rs[2].answer(), None);
    assert!(rs[2].qualification_request_id().unwrap().starts_with('3'));
    // On the wire each time is spelled as the file gave it.
    let (_, _, body) = raw(
        &h,
        Some(&format!("{TARGET}ListQualificationRequests")),
        br#"{}"#,
    )
    .await;
    assert!(body.contains(r#""SubmitTime":1.485179373361E9"#), "{body}");
    assert!(body.contains(r#""SubmitTime":1485179000}"#), "{body}");
    assert!(body.contains(r#""SubmitTime":1485200000.5}"#), "{body}");
    // The types were created as needed.
    let t = c
        .get_qualification_type()
        .qualification_type_id("3FILETYPE")
        .send()
        .await
        .unwrap();
    let t = t.qualification_type().unwrap();
    assert_eq!(t.test(), Some(test));
    assert_eq!(t.auto_granted(), Some(false));
    h.shutdown().await;
}

#[tokio::test]
async fn qualification_types_listing_and_details() {
    let h = start(base(5)).await;
    let c = no_retries(&h);
    let owned = c
        .list_qualification_types()
        .must_be_requestable(false)
        .must_be_owned_by_caller(true)
        .max_results(100)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = owned
        .qualification_types()
        .iter()
        .map(|t| t.name().unwrap())
        .collect();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.contains(&"03-aws-docs-tictactoe"));
    assert!(names.contains(&"19-codenames-clues"));
    assert!(!names.contains(&"Masters"));
    let everything = c
        .list_qualification_types()
        .must_be_requestable(false)
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert!(
        everything
            .qualification_types()
            .iter()
            .any(|t| t.name() == Some("Masters"))
    );
    let requestable = c
        .list_qualification_types()
        .must_be_requestable(true)
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert_eq!(requestable.num_results(), Some(10));
    let q = c
        .list_qualification_types()
        .must_be_requestable(true)
        .query("TICTACTOE")
        .send()
        .await
        .unwrap();
    assert_eq!(q.num_results(), Some(1));
    // Pagination over types.
    let pages: Vec<_> = c
        .list_qualification_types()
        .must_be_requestable(false)
        .into_paginator()
        .page_size(3)
        .send()
        .collect::<Vec<_>>()
        .await;
    let n: usize = pages
        .iter()
        .map(|p| p.as_ref().unwrap().qualification_types().len())
        .sum();
    assert_eq!(n, everything.qualification_types().len());
    assert_eq!(pages.len(), n.div_ceil(3));

    let tic = h
        .types()
        .into_iter()
        .find(|t| t.name == "03-aws-docs-tictactoe")
        .unwrap();
    assert!(tic.id.starts_with('3') && tic.id.len() == 30);
    let got = c
        .get_qualification_type()
        .qualification_type_id(&tic.id)
        .send()
        .await
        .unwrap();
    let t = got.qualification_type().unwrap();
    assert_eq!(t.name(), Some("03-aws-docs-tictactoe"));
    assert_eq!(
        t.test(),
        Some(include_str!(
            "../assets/real/03-aws-docs-tictactoe.questionform.xml"
        ))
    );
    assert!(t.test_duration_in_seconds().unwrap() > 0);
    assert_eq!(
        t.qualification_type_status().map(|s| s.as_str()),
        Some("Active")
    );
    assert_eq!(t.is_requestable(), Some(true));
    assert_eq!(t.auto_granted(), Some(false));
    assert!(t.creation_time().unwrap().secs() < ANCHOR_MS / 1000);
    // Some types set a retry delay, some do not.
    let delays: HashSet<bool> = owned
        .qualification_types()
        .iter()
        .map(|t| t.retry_delay_in_seconds().is_some())
        .collect();
    assert_eq!(delays.len(), 2);
    // Answer keys are not exposed by default.
    assert!(
        owned
            .qualification_types()
            .iter()
            .all(|t| t.answer_key().is_none())
    );
    h.shutdown().await;

    let h = start(SimConfig {
        expose_answer_keys: true,
        ..base(1)
    })
    .await;
    let c = no_retries(&h);
    let rc = h
        .types()
        .into_iter()
        .find(|t| t.name == "02-mturkr-reading-comprehension")
        .unwrap();
    let got = c
        .get_qualification_type()
        .qualification_type_id(&rc.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.qualification_type().unwrap().answer_key(),
        Some(include_str!(
            "../assets/real/02-mturkr-reading-comprehension.answerkey.xml"
        ))
    );
    h.shutdown().await;
}

#[tokio::test]
async fn worker_block_and_notify() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.jsonl");
    let h = start(SimConfig {
        record: Some(rec.clone()),
        ..base(4)
    })
    .await;
    let c = no_retries(&h);
    let p = h.pending();
    c.accept_qualification_request()
        .qualification_request_id(&p[0].id)
        .send()
        .await
        .unwrap();
    c.create_worker_block()
        .worker_id(&p[1].worker_id)
        .reason("spam answers")
        .send()
        .await
        .unwrap();
    assert!(h.is_blocked(&p[1].worker_id));
    let out = c
        .notify_workers()
        .subject("Thanks")
        .message_text("Your qualification was granted.")
        .worker_ids(&p[0].worker_id)
        .worker_ids(&p[2].worker_id)
        .send()
        .await
        .unwrap();
    let f = out.notify_workers_failure_statuses();
    assert_eq!(f.len(), 1, "only the never-decided worker fails");
    assert_eq!(f[0].worker_id(), Some(p[2].worker_id.as_str()));
    assert_eq!(
        f[0].notify_workers_failure_code().map(|c| c.as_str()),
        Some("HardFailure")
    );
    let e = c
        .notify_workers()
        .subject("x")
        .message_text("y")
        .worker_ids("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("RequestError"));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ops: Vec<&str> = lines.iter().map(|l| l["op"].as_str().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "AcceptQualificationRequest",
            "CreateWorkerBlock",
            "NotifyWorkers"
        ]
    );
    assert_eq!(lines[1]["WorkerId"], p[1].worker_id.as_str());
    assert_eq!(lines[1]["Reason"], "spam answers");
    h.shutdown().await;
}

#[tokio::test]
async fn junk_bodies_never_break_the_server() {
    let h = start(base(5)).await;
    let mut bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"\"str\"".to_vec(),
        b"{\"MaxResults\":1e400}".to_vec(),
        b"{\"MaxResults\":-9223372036854775809}".to_vec(),
        b"{\"MaxResults\":18446744073709551616}".to_vec(),
        b"{\"NextToken\":\"\"}".to_vec(),
        b"{\"NextToken\":\"!!!\"}".to_vec(),
        b"{\"NextToken\":\"djEuMC5SLjAuOTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ\"}".to_vec(),
        format!("{{\"NextToken\":\"{}\"}}", "A".repeat(300)).into_bytes(),
        b"{\"QualificationRequestId\":\"\\u0000\\u001b[2J\"}".to_vec(),
        b"{\"WorkerIds\":[null,1,{}],\"Subject\":\"s\",\"MessageText\":\"m\"}".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        "[".repeat(100_000).into_bytes(),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes(),
        vec![b'{'; 10],
    ];
    let mut seed = 7u64;
    for _ in 0..30 {
        let n = (seed % 500) as usize;
        let mut b = Vec::with_capacity(n);
        for _ in 0..n {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            b.push((seed >> 56) as u8);
        }
        bodies.push(b);
    }
    for op in sim::Op::ALL {
        for body in &bodies {
            let (status, _, text) = raw(&h, Some(&format!("{TARGET}{}", op.name())), body).await;
            assert!(status == 200 || status == 400, "{op:?} {status}");
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON answer");
            if status == 400 {
                assert_eq!(v["__type"], "RequestError", "{op:?}");
            }
        }
    }
    // A forged token: a real one with its rank pushed to the maximum.
    let (_, _, text) = raw(
        &h,
        Some(&format!("{TARGET}ListQualificationRequests")),
        br#"{"MaxResults":1}"#,
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tok = v["NextToken"].as_str().unwrap();
    let plain = String::from_utf8(sim::state::base64url_decode(tok).unwrap()).unwrap();
    let (head, _) = plain.rsplit_once('.').unwrap();
    for rank in ["18446744073709551615", "99999999999999999999999", "-1", ""] {
        let forged = sim::state::base64url_encode(format!("{head}.{rank}").as_bytes());
        let (status, _, text) = raw(
            &h,
            Some(&format!("{TARGET}ListQualificationRequests")),
            format!("{{\"NextToken\":\"{forged}\"}}").as_bytes(),
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        match status {
            200 => assert_eq!(v["NumResults"], 0, "{rank}"),
            400 => assert_eq!(v["__type"], "RequestError", "{rank}"),
            other => panic!("{rank}: {other}"),
        }
    }
    // Too big a body.
    let big = vec![b' '; 2 << 20];
    let (status, _, text) = raw(&h, Some(&format!("{TARGET}GetAccountBalance")), &big).await;
    assert_eq!(status, 400, "{text}");
    // Still healthy.
    let out = no_retries(&h)
        .list_qualification_requests()
        .send()
        .await
        .unwrap();
    assert_eq!(out.num_results(), Some(5));
    h.shutdown().await;
}

#[tokio::test]
async fn latency_is_added_to_every_answer() {
    let h = start(SimConfig {
        latency_ms: 150,
        ..base(2)
    })
    .await;
    let c = no_retries(&h);
    let t0 = std::time::Instant::now();
    c.get_account_balance().send().await.unwrap();
    c.list_qualification_requests().send().await.unwrap();
    let took = t0.elapsed();
    assert!(took >= std::time::Duration::from_millis(300), "{took:?}");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn dropping_the_handle_keeps_serving_shutdown_stops() {
    let h = start(base(2)).await;
    let url = h.endpoint_url();
    drop(h);
    let c = client::local_client(&url, RetryConfig::disabled());
    assert_eq!(
        c.list_qualification_requests()
            .send()
            .await
            .unwrap()
            .num_results(),
        Some(2)
    );
    let h = start(base(2)).await;
    let c = no_retries(&h);
    c.get_account_balance().send().await.unwrap();
    let addr = h.addr;
    h.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "port closed"
    );
    assert!(c.get_account_balance().send().await.is_err());
}

/// A client signing for `region` with a clock `skew_secs` off (negative: behind).
fn signing_client(h: &SimHandle, region: &str, skew_secs: i64) -> Client {
    use aws_sdk_mturk::config::{BehaviorVersion, Credentials, Region};
    let now = std::time::SystemTime::now();
    let then = if skew_secs < 0 {
        now - std::time::Duration::from_secs(skew_secs.unsigned_abs())
    } else {
        now + std::time::Duration::from_secs(skew_secs as u64)
    };
    let conf = aws_sdk_mturk::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .http_client(client::https_client())
        .endpoint_url(h.endpoint_url())
        .retry_config(RetryConfig::disabled())
        .time_source(aws_smithy_async::time::StaticTimeSource::new(then))
        .build();
    Client::from_conf(conf)
}

#[tokio::test]
async fn signatures_for_another_region_or_a_skewed_clock_are_refused() {
    use mturk_triage::mturk::error::{ErrorKind, classify};
    let h = start(base(3)).await;
    // Signed for us-east-1 with the right clock: served.
    assert!(
        signing_client(&h, "us-east-1", 0)
            .get_account_balance()
            .send()
            .await
            .is_ok()
    );
    // Signed for another region: refused as AWS refuses it, whatever the operation.
    let e = signing_client(&h, "eu-west-1", 0)
        .list_qualification_requests()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidSignatureException"));
    assert_eq!(
        e.message(),
        Some("Credential should be scoped to a valid region. ")
    );
    let api = classify(e);
    assert_eq!(api.kind, ErrorKind::Auth);
    // A clock an hour behind: "Signature expired", and the product says to check the clock.
    let e = signing_client(&h, "us-east-1", -3600)
        .get_account_balance()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidSignatureException"));
    assert!(
        e.message().unwrap_or("").starts_with("Signature expired: "),
        "{e:?}"
    );
    let api = classify(e);
    assert_eq!(api.kind, ErrorKind::Auth);
    assert_eq!(api.hint(), Some("check the system clock"));
    assert!(
        api.to_string().contains("(check the system clock)"),
        "{api}"
    );
    // An hour ahead: not yet current.
    let e = signing_client(&h, "us-east-1", 3600)
        .get_account_balance()
        .send()
        .await
        .unwrap_err();
    assert!(
        e.message()
            .unwrap_or("")
            .starts_with("Signature not yet current: "),
        "{e:?}"
    );
    assert_eq!(classify(e).hint(), Some("check the system clock"));
    assert_eq!(h.pending().len(), 3, "nothing refused was applied");
    h.shutdown().await;
}
