//! How decision calls behave on the wire: exactly one attempt each (Accept and Reject are not
//! idempotent), and failures classified by whether the call may have been applied.

use mturk_triage::app::Decision;
use mturk_triage::mturk::client::{fast_local_retries, local_client};
use mturk_triage::mturk::error::ErrorKind;
use mturk_triage::mturk::sim::ops::Op;
use mturk_triage::mturk::sim::{self, FaultKind, SimConfig};
use mturk_triage::runtime::send_decision;

async fn setup() -> (sim::SimHandle, aws_sdk_mturk::Client, String) {
    let sim = sim::start(SimConfig {
        requests: 5,
        seed: 4,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let client = local_client(&sim.endpoint_url(), fast_local_retries());
    let id = sim.pending()[0].id.clone();
    (sim, client, id)
}

#[tokio::test]
async fn a_connection_dropped_after_the_call_was_applied_is_an_unknown_outcome_not_a_retry() {
    let (sim, client, id) = setup().await;
    sim.fail_next_for(Op::AcceptQualificationRequest, [FaultKind::DropAfterApply]);
    let err = send_decision(&client, &id, &Decision::Accept { value: 3 })
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(
        sim.calls("AcceptQualificationRequest"),
        1,
        "no automatic second call"
    );
    assert!(sim.decision(&id).is_some(), "it was in fact applied");
    sim.shutdown().await;
}

#[tokio::test]
async fn throttling_and_service_faults_are_single_attempts_left_to_the_outbox() {
    let (sim, client, id) = setup().await;
    sim.fail_next_for(Op::RejectQualificationRequest, [FaultKind::Throttling]);
    let err = send_decision(&client, &id, &Decision::Reject { reason: "r".into() })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttling);
    assert!(err.is_retryable());
    sim.fail_next_for(Op::RejectQualificationRequest, [FaultKind::ServiceFault]);
    let err = send_decision(&client, &id, &Decision::Reject { reason: "r".into() })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ServiceFault);
    assert_eq!(sim.calls("RejectQualificationRequest"), 2);
    assert!(sim.decision(&id).is_none(), "nothing applied");
    send_decision(&client, &id, &Decision::Reject { reason: "r".into() })
        .await
        .unwrap();
    assert!(sim.decision(&id).is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_refused_connection_cannot_have_been_applied() {
    let client = local_client("http://127.0.0.1:9", fast_local_retries());
    let err = send_decision(&client, "3QR", &Decision::Accept { value: 1 })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport, "{err:?}");
    assert!(err.is_retryable() && !err.outcome_unknown());
}
