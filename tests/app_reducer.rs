//! Reducer tests: the triage core driven by messages, no terminal, no network.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use mturk_triage::app::{App, Config, Decision, Effect, EnvInfo, Listing, Mode, Msg, RowState};
use mturk_triage::mturk::error::{ApiError, ErrorKind};
use mturk_triage::mturk::fetcher::{Page, PendingRequest, Stop, Summary};
use mturk_triage::mturk::journal::{DecisionRec, Event as JEvent, Outcome, Resolution, Unfinished};

fn env() -> EnvInfo {
    EnvInfo {
        label: "SANDBOX".into(),
        production: false,
        endpoint: "https://x".into(),
    }
}

fn config(undo_secs: u64) -> Config {
    Config {
        undo_secs,
        concurrency: 2,
        rate_per_sec: 0.0,
        ..Config::default()
    }
}

/// The effects other than journal entries.
fn no_journal(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(|e| !matches!(e, Effect::Journal { .. }))
        .collect()
}

/// The journal events in the effects, as (request id, event).
fn journal_events(fx: &[Effect]) -> Vec<(String, JEvent)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Journal {
                request_id, event, ..
            } => Some((request_id.clone(), event.clone())),
            _ => None,
        })
        .collect()
}

fn req(i: usize) -> PendingRequest {
    PendingRequest {
        id: format!("QR{i:04}"),
        type_id: "3TYPE".into(),
        worker_id: format!("AWORKER{i:04}"),
        test: Arc::from("<QuestionForm/>"),
        answer: String::new(),
        submit_time: Some(1_700_000_000.0 + i as f64),
    }
}

fn page(number: usize, range: std::ops::Range<usize>, total: usize) -> Page {
    Page {
        number,
        requests: range.map(req).collect(),
        total,
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn done(pages: usize, total: usize) -> Summary {
    Summary {
        pages,
        total,
        duplicates: 0,
        stop: Stop::Complete,
    }
}

/// An app with `n` listed requests (one completed listing, generation 1).
fn loaded(n: usize, undo_secs: u64) -> App {
    let mut app = App::new(env(), None, config(undo_secs));
    let fx = app.start(0);
    assert_eq!(
        fx[0],
        Effect::Fetch {
            generation: 1,
            type_id: None
        }
    );
    app.update(
        0,
        Msg::Page {
            generation: 1,
            page: page(1, 0..n, n),
        },
    );
    app.update(
        0,
        Msg::FetchDone {
            generation: 1,
            summary: done(1, n),
        },
    );
    app
}

fn sends(fx: &[Effect]) -> Vec<(String, Decision)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send {
                request_id,
                decision,
            } => Some((request_id.clone(), decision.clone())),
            _ => None,
        })
        .collect()
}

fn state(app: &App, id: &str) -> RowState {
    app.row(id).expect("row").state.clone()
}

fn err(kind: ErrorKind, turk: Option<&str>) -> ApiError {
    ApiError {
        kind,
        code: Some("RequestError".into()),
        turk_code: turk.map(str::to_owned),
        message: "boom".into(),
        endpoint: None,
        credentials: None,
    }
}

#[test]
fn pages_become_rows_as_they_arrive_with_progress() {
    let mut app = App::new(env(), None, config(5));
    app.start(0);
    app.update(
        1,
        Msg::Page {
            generation: 1,
            page: page(1, 0..100, 100),
        },
    );
    assert_eq!(app.rows.len(), 100);
    assert_eq!(
        app.listing,
        Listing::Loading {
            generation: 1,
            pages: 1,
            total: 100
        }
    );
    app.update(
        2,
        Msg::Page {
            generation: 1,
            page: page(2, 100..150, 150),
        },
    );
    app.update(
        3,
        Msg::FetchDone {
            generation: 1,
            summary: done(2, 150),
        },
    );
    assert_eq!(app.rows.len(), 150);
    assert_eq!(app.counts().pending, 150);
    assert!(matches!(
        app.listing,
        Listing::Done {
            pages: 2,
            total: 150,
            ..
        }
    ));
    // MTurk repeats the whole form in every request: stored once.
    assert_eq!(app.distinct_tests(), 1);
}

#[test]
fn accept_waits_for_the_undo_window_then_sends_once_and_advances() {
    let mut app = loaded(3, 5);
    let fx = app.update(1_000, key('a'));
    assert!(
        sends(&fx).is_empty(),
        "nothing is sent during the undo window"
    );
    assert_eq!(
        state(&app, "QR0000"),
        RowState::Queued {
            decision: Decision::Accept { value: 1 },
            due_ms: 6_000,
            attempt: 0
        }
    );
    assert_eq!(
        app.selected, 1,
        "cursor moves to the next undecided request"
    );
    assert!(sends(&app.update(5_999, Msg::Tick)).is_empty());
    let fx = app.update(6_000, Msg::Tick);
    assert_eq!(
        sends(&fx),
        vec![("QR0000".to_string(), Decision::Accept { value: 1 })]
    );
    assert!(matches!(state(&app, "QR0000"), RowState::Sending { .. }));
    assert!(
        sends(&app.update(6_100, Msg::Tick)).is_empty(),
        "never a second call while in flight"
    );
    app.update(
        6_200,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Ok(()),
        },
    );
    assert_eq!(
        state(&app, "QR0000"),
        RowState::Done {
            decision: Decision::Accept { value: 1 }
        }
    );
    assert_eq!(app.counts().decided, 1);
}

#[test]
fn undo_takes_back_a_waiting_decision_and_nothing_is_sent() {
    let mut app = loaded(3, 5);
    app.update(0, key('a'));
    app.update(1_000, key('u'));
    assert_eq!(state(&app, "QR0000"), RowState::Pending);
    assert_eq!(app.selected, 0, "undo returns to the request");
    assert!(sends(&app.update(60_000, Msg::Tick)).is_empty());
}

#[test]
fn undo_after_sending_is_refused() {
    let mut app = loaded(2, 0);
    let fx = app.update(0, key('a'));
    assert_eq!(sends(&fx).len(), 1, "undo window 0 sends at once");
    app.update(10, key('u'));
    assert!(matches!(state(&app, "QR0000"), RowState::Sending { .. }));
    assert!(app.flash.as_ref().unwrap().text.contains("nothing to undo"));
}

#[test]
fn a_second_key_on_a_decided_row_never_sends_twice() {
    let mut app = loaded(2, 0);
    let mut all = sends(&app.update(0, key('a')));
    app.update(1, key('k')); // back to the row in flight
    assert_eq!(app.selected, 0);
    all.extend(sends(&app.update(2, key('a'))));
    all.extend(sends(&app.update(3, key('r'))));
    assert!(
        matches!(app.mode, Mode::Normal),
        "no reason prompt on a row in flight"
    );
    app.update(
        4,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Ok(()),
        },
    );
    all.extend(sends(&app.update(5, key('a'))));
    assert_eq!(all.len(), 1);
}

#[test]
fn request_error_marks_already_processed_and_is_not_retried() {
    let mut app = loaded(2, 0);
    app.update(0, key('a'));
    let fx = app.update(
        10,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Err(err(
                ErrorKind::Request,
                Some("AWS.MechanicalTurk.QualificationRequestDoesNotExist"),
            )),
        },
    );
    assert!(sends(&fx).is_empty());
    assert!(matches!(
        journal_events(&fx)[..],
        [(
            _,
            JEvent::Outcome {
                outcome: Outcome::AlreadyProcessed,
                ..
            }
        )]
    ));
    assert!(matches!(
        state(&app, "QR0000"),
        RowState::AlreadyProcessed { .. }
    ));
    // The TurkErrorCode and the service's message are shown, not just "failed".
    match state(&app, "QR0000") {
        RowState::AlreadyProcessed { message, .. } => assert_eq!(
            message,
            "request refused [AWS.MechanicalTurk.QualificationRequestDoesNotExist]: boom"
        ),
        other => panic!("{other:?}"),
    }
    let flash = app.flash.clone().unwrap().text;
    assert!(
        flash.contains("already processed") && flash.contains("boom"),
        "{flash}"
    );
    assert!(sends(&app.update(100_000, Msg::Tick)).is_empty());
}

#[test]
fn two_tests_of_one_type_are_reviewed_each_by_its_own_form() {
    // A type updated between two requests: each request carries the form it was taken with.
    let old_form = "<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd\">\
        <Question><QuestionIdentifier>q1</QuestionIdentifier><QuestionContent><Text>One?</Text></QuestionContent>\
        <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>";
    let new_form = old_form.replace(
        "</QuestionForm>",
        "<Question><QuestionIdentifier>q2</QuestionIdentifier><QuestionContent><Text>Two?</Text></QuestionContent>\
         <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>",
    );
    let mut app = App::new(env(), None, config(5));
    app.start(0);
    let mut a = req(0);
    a.test = Arc::from(old_form);
    let mut b = req(1);
    b.test = Arc::from(new_form.as_str());
    app.update(
        0,
        Msg::Page {
            generation: 1,
            page: Page {
                number: 1,
                requests: vec![a, b],
                total: 2,
            },
        },
    );
    assert_eq!(app.distinct_tests(), 2);
    assert_eq!(app.review().unwrap().summary(), "0/1 answered · 0 flagged");
    app.update(0, code(KeyCode::Down));
    assert_eq!(app.review().unwrap().summary(), "0/2 answered · 0 flagged");
    app.update(0, code(KeyCode::Up));
    assert_eq!(app.review().unwrap().summary(), "0/1 answered · 0 flagged");
}

#[test]
fn service_faults_are_retried_with_backoff_then_fail_and_t_retries() {
    let mut app = loaded(1, 0);
    app.update(0, key('a'));
    let fault = || Msg::Sent {
        request_id: "QR0000".into(),
        result: Err(err(ErrorKind::ServiceFault, None)),
    };
    app.update(10, fault());
    let RowState::Queued {
        due_ms, attempt: 1, ..
    } = state(&app, "QR0000")
    else {
        panic!("requeued")
    };
    assert!(
        (1_010..=1_510).contains(&due_ms),
        "first backoff 1–1.5 s, got {due_ms}"
    );
    assert!(sends(&app.update(due_ms - 1, Msg::Tick)).is_empty());
    assert_eq!(sends(&app.update(due_ms, Msg::Tick)).len(), 1);
    app.update(due_ms + 10, fault());
    let RowState::Queued {
        due_ms: d2,
        attempt: 2,
        ..
    } = state(&app, "QR0000")
    else {
        panic!("requeued")
    };
    assert_eq!(sends(&app.update(d2, Msg::Tick)).len(), 1);
    app.update(d2 + 10, fault());
    assert!(
        matches!(state(&app, "QR0000"), RowState::Failed { .. }),
        "gives up after 3 attempts"
    );
    assert!(sends(&app.update(d2 + 100_000, Msg::Tick)).is_empty());
    let fx = app.update(d2 + 100_001, key('t'));
    assert_eq!(sends(&fx).len(), 1, "t sends again");
}

#[test]
fn unknown_outcome_is_settled_by_a_relist_before_any_resend() {
    let mut app = loaded(3, 0);
    app.update(0, key('a')); // QR0000
    app.update(0, key('a')); // QR0001
    let timeout = |id: &str| Msg::Sent {
        request_id: id.into(),
        result: Err(err(ErrorKind::Timeout, None)),
    };
    let fx = app.update(10, timeout("QR0000"));
    assert_eq!(
        no_journal(fx),
        vec![Effect::Fetch {
            generation: 2,
            type_id: None
        }]
    );
    assert!(matches!(state(&app, "QR0000"), RowState::Unknown { .. }));
    app.update(11, timeout("QR0001"));
    // Locked while unknown.
    app.update(12, key('g'));
    assert!(sends(&app.update(13, key('a'))).is_empty());
    // The re-list shows QR0000 still pending (not applied) and QR0001 gone (applied).
    app.update(
        20,
        Msg::Page {
            generation: 2,
            page: Page {
                number: 1,
                requests: vec![req(0), req(2)],
                total: 2,
            },
        },
    );
    app.update(
        21,
        Msg::FetchDone {
            generation: 2,
            summary: done(1, 2),
        },
    );
    assert!(matches!(state(&app, "QR0000"), RowState::Failed { .. }));
    assert!(matches!(
        state(&app, "QR0001"),
        RowState::AlreadyProcessed { .. }
    ));
    assert!(
        sends(&app.update(100_000, Msg::Tick)).is_empty(),
        "nothing resent by itself"
    );
}

#[test]
fn a_relist_says_how_it_ended() {
    let mut app = loaded(3, 5);
    app.update(0, key('R'));
    listing(&mut app, 1, 2, &[0, 1, 2]);
    assert_eq!(
        app.flash.as_ref().unwrap().text,
        "listed again: 3 pending requests"
    );
}

#[test]
fn relist_keeps_the_selection_on_the_same_request() {
    let mut app = loaded(10, 5);
    app.update(0, code(KeyCode::Down));
    app.update(0, code(KeyCode::Down));
    assert_eq!(app.selected_row().unwrap().req.id, "QR0002");
    let fx = app.update(0, key('R'));
    assert!(fx.contains(&Effect::Fetch {
        generation: 2,
        type_id: None
    }));
    // A new, earlier request arrives, and QR0001 was decided elsewhere.
    let mut early = req(99);
    early.submit_time = Some(1_600_000_000.0);
    let mut reqs: Vec<_> = (0..10).filter(|&i| i != 1).map(req).collect();
    reqs.push(early);
    app.update(
        1,
        Msg::Page {
            generation: 2,
            page: Page {
                number: 1,
                requests: reqs,
                total: 10,
            },
        },
    );
    assert_eq!(app.selected_row().unwrap().req.id, "QR0002");
    app.update(
        2,
        Msg::FetchDone {
            generation: 2,
            summary: done(1, 10),
        },
    );
    assert_eq!(app.selected_row().unwrap().req.id, "QR0002");
    assert!(
        app.row("QR0001").is_none(),
        "a request decided elsewhere leaves the list"
    );
    assert_eq!(app.rows[0].req.id, "QR0099", "sorted by submit time");
    assert_eq!(app.rows.len(), 10);
}

#[test]
fn stale_pages_from_an_earlier_listing_are_ignored() {
    let mut app = loaded(2, 5);
    app.update(0, key('R'));
    app.update(
        1,
        Msg::Page {
            generation: 1,
            page: page(2, 50..60, 60),
        },
    );
    assert_eq!(app.rows.len(), 2);
}

#[test]
fn reject_asks_for_a_reason_and_sends_it() {
    let mut app = loaded(2, 0);
    app.update(0, key('r'));
    assert!(matches!(app.mode, Mode::ReasonPrompt { .. }));
    app.update(0, code(KeyCode::Enter));
    assert!(
        matches!(app.mode, Mode::ReasonPrompt { error: Some(_), .. }),
        "empty reason refused"
    );
    for c in "Too short, sorry".chars() {
        app.update(0, key(c));
    }
    let fx = app.update(0, code(KeyCode::Enter));
    assert_eq!(
        sends(&fx),
        vec![(
            "QR0000".to_string(),
            Decision::Reject {
                reason: "Too short, sorry".into()
            }
        )]
    );
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn reject_templates_and_escape() {
    let mut app = loaded(2, 5);
    app.update(0, key('r'));
    app.update(0, code(KeyCode::Tab));
    let first = app.config.reason_templates[0].clone();
    match &app.mode {
        Mode::ReasonPrompt { input, .. } => assert_eq!(input.value(), first),
        m => panic!("{m:?}"),
    }
    app.update(0, code(KeyCode::Esc));
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(state(&app, "QR0000"), RowState::Pending);
}

#[test]
fn accept_with_value_prompt() {
    let mut app = loaded(2, 0);
    app.update(
        0,
        Msg::Key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)),
    );
    app.update(0, code(KeyCode::Backspace)); // remove the default "1", if any
    // `1e3` is kept as typed and refused on Enter: never granted as 13.
    for c in "1e3".chars() {
        app.update(0, key(c));
    }
    let fx = app.update(0, code(KeyCode::Enter));
    assert!(sends(&fx).is_empty());
    match &app.mode {
        Mode::ValuePrompt {
            input,
            error: Some(e),
            ..
        } => {
            assert_eq!(input.value(), "1e3");
            assert!(e.contains("\"1e3\" is not a whole number"), "{e}");
        }
        other => panic!("still asking: {other:?}"),
    }
    // Full-width digits are not digits to MTurk either.
    app.update(0, ctrl('u'));
    for c in "１２".chars() {
        app.update(0, key(c));
    }
    assert!(sends(&app.update(0, code(KeyCode::Enter))).is_empty());
    app.update(0, ctrl('u'));
    app.update(0, key('4'));
    app.update(0, key('2'));
    let fx = app.update(0, code(KeyCode::Enter));
    assert_eq!(
        sends(&fx),
        vec![("QR0000".to_string(), Decision::Accept { value: 42 })]
    );
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

#[test]
fn a_paste_is_text_in_a_box_and_never_keys() {
    let mut app = loaded(3, 5);
    // Outside a text box a paste does nothing (a pasted "a" must not accept).
    let fx = app.update(0, Msg::Paste("tab a r\n".into()));
    assert!(fx.is_empty());
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.rows.iter().all(|r| r.state == RowState::Pending));
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("paste ignored")
    );
    // Into the Reason box: literal, line breaks and tabs as spaces, nothing submitted.
    app.update(0, key('r'));
    let fx = app.update(0, Msg::Paste("line1\r\nline2\ttab a 👍🏽 测试\n".into()));
    assert!(fx.is_empty());
    match &app.mode {
        Mode::ReasonPrompt { input, error, .. } => {
            assert_eq!(input.value(), "line1 line2 tab a 👍🏽 测试");
            assert_eq!(error, &None);
        }
        other => panic!("still in the reason box: {other:?}"),
    }
    assert!(app.rows.iter().all(|r| r.state == RowState::Pending));
    // Line breaks as some terminals paste them (CR CR, CR LF): one space each run.
    app.update(0, ctrl('u'));
    app.update(0, Msg::Paste("rrr\r\rq\r\nz".into()));
    match &app.mode {
        Mode::ReasonPrompt { input, .. } => assert_eq!(input.value(), "rrr q z"),
        other => panic!("{other:?}"),
    }
    // Longer than a Reason can be: cut at 1,024, and said so.
    app.update(0, ctrl('u'));
    app.update(0, Msg::Paste("x".repeat(1100)));
    match &app.mode {
        Mode::ReasonPrompt { input, error, .. } => {
            assert_eq!(input.value().chars().count(), 1024);
            assert_eq!(
                error.as_deref(),
                Some("pasted text cut: a Reason holds at most 1024 characters (76 left out)")
            );
        }
        other => panic!("{other:?}"),
    }
    let fx = app.update(0, code(KeyCode::Enter));
    assert_eq!(
        journal_events(&fx)[0].1,
        JEvent::Queued {
            decision: DecisionRec::from(&Decision::Reject {
                reason: "x".repeat(1024)
            })
        }
    );
}

#[test]
fn ctrl_z_suspends_from_a_text_box_and_keeps_what_was_typed() {
    let mut app = loaded(2, 5);
    app.update(0, key('r'));
    for c in "half typed".chars() {
        app.update(0, key(c));
    }
    assert_eq!(app.update(0, ctrl('z')), vec![Effect::Suspend]);
    match &app.mode {
        Mode::ReasonPrompt { input, .. } => assert_eq!(input.value(), "half typed"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn quit_asks_while_decisions_wait_and_can_send_first() {
    let mut app = loaded(2, 5);
    app.update(0, key('a'));
    assert!(app.update(0, key('q')).is_empty());
    assert!(matches!(app.mode, Mode::ConfirmQuit));
    let fx = app.update(1, key('s'));
    assert_eq!(sends(&fx).len(), 1, "waiting decision sent now");
    assert!(!fx.contains(&Effect::Quit), "not before it is answered");
    let fx = app.update(
        2,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Ok(()),
        },
    );
    assert!(fx.contains(&Effect::Quit));
}

#[test]
fn quit_asked_then_escape_stays_and_y_quits_without_sending() {
    let mut app = loaded(2, 5);
    app.update(0, key('a'));
    app.update(0, key('q'));
    app.update(0, code(KeyCode::Esc));
    assert!(matches!(app.mode, Mode::Normal));
    app.update(
        0,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(matches!(app.mode, Mode::ConfirmQuit));
    let fx = app.update(0, key('y'));
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn quit_without_pending_decisions_is_immediate() {
    let mut app = loaded(2, 5);
    assert_eq!(app.update(0, key('q')), vec![Effect::Quit]);
    let mut app = loaded(2, 5);
    assert_eq!(
        app.update(
            0,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
        ),
        vec![Effect::Quit]
    );
}

#[test]
fn key_releases_are_ignored() {
    let mut app = loaded(2, 0);
    let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(app.update(0, Msg::Key(release)).is_empty());
    assert_eq!(state(&app, "QR0000"), RowState::Pending);
}

#[test]
fn sends_respect_the_concurrency_bound() {
    let mut app = loaded(5, 1);
    for _ in 0..5 {
        app.update(0, key('a'));
    }
    let fx = app.update(1_000, Msg::Tick);
    assert_eq!(sends(&fx).len(), 2);
    let fx = app.update(
        1_100,
        Msg::Sent {
            request_id: sends(&fx)[0].0.clone(),
            result: Ok(()),
        },
    );
    assert_eq!(sends(&fx).len(), 1);
    assert_eq!((app.counts().in_flight, app.counts().waiting), (2, 2));
}

#[test]
fn every_decision_is_journaled_before_it_is_sent() {
    let mut app = loaded(2, 1);
    let fx = app.update(0, key('a'));
    assert_eq!(
        journal_events(&fx),
        vec![(
            "QR0000".into(),
            JEvent::Queued {
                decision: DecisionRec::Accept { value: 1 }
            }
        )]
    );
    let fx = app.update(1_000, Msg::Tick);
    let kinds: Vec<&str> = fx
        .iter()
        .map(|e| match e {
            Effect::Journal {
                event: JEvent::Sending { .. },
                ..
            } => "journal-sending",
            Effect::Send { .. } => "send",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        vec!["journal-sending", "send"],
        "the intent is written before the call"
    );
    let fx = app.update(
        1_100,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Ok(()),
        },
    );
    assert_eq!(
        journal_events(&fx),
        vec![(
            "QR0000".into(),
            JEvent::Outcome {
                outcome: Outcome::Ok,
                error: None
            }
        )]
    );
    // Undo is journaled too.
    app.update(2_000, key('r'));
    for c in "no".chars() {
        app.update(2_000, key(c));
    }
    app.update(2_000, code(KeyCode::Enter));
    let fx = app.update(2_100, key('u'));
    assert_eq!(journal_events(&fx), vec![("QR0001".into(), JEvent::Undone)]);
}

#[test]
fn a_retryable_failure_reopens_the_decision_in_the_journal() {
    let mut app = loaded(1, 0);
    app.update(0, key('a'));
    let fx = app.update(
        10,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Err(err(ErrorKind::ServiceFault, None)),
        },
    );
    let ev: Vec<JEvent> = journal_events(&fx).into_iter().map(|(_, e)| e).collect();
    assert!(matches!(
        ev[0],
        JEvent::Outcome {
            outcome: Outcome::Failed,
            ..
        }
    ));
    assert_eq!(
        ev[1],
        JEvent::Queued {
            decision: DecisionRec::Accept { value: 1 }
        }
    );
}

#[test]
fn sends_respect_the_rate_limit() {
    let mut app = App::new(
        env(),
        None,
        Config {
            undo_secs: 0,
            concurrency: 10,
            rate_per_sec: 2.0,
            ..Config::default()
        },
    );
    app.start(0);
    app.update(
        0,
        Msg::Page {
            generation: 1,
            page: page(1, 0..4, 4),
        },
    );
    let mut sent = Vec::new();
    for t in [0u64, 0, 0, 0] {
        sent.extend(sends(&app.update(t, key('a'))));
    }
    assert_eq!(sent.len(), 1, "one call at t=0");
    assert_eq!(sends(&app.update(499, Msg::Tick)).len(), 0);
    assert_eq!(sends(&app.update(500, Msg::Tick)).len(), 1);
    assert_eq!(sends(&app.update(1_000, Msg::Tick)).len(), 1);
    assert_eq!(sends(&app.update(1_500, Msg::Tick)).len(), 1);
    // After an idle spell two decisions do not go out together either.
    app.update(
        2_000,
        Msg::Page {
            generation: 1,
            page: page(2, 4..6, 6),
        },
    );
    app.update(10_000, key('n'));
    let mut sent = sends(&app.update(10_000, key('a')));
    sent.extend(sends(&app.update(10_000, key('a'))));
    sent.extend(sends(&app.update(10_000, Msg::Tick)));
    assert_eq!(sent.len(), 1, "one call at t=10s: {sent:?}");
    assert_eq!(sends(&app.update(10_499, Msg::Tick)).len(), 0);
    assert_eq!(sends(&app.update(10_500, Msg::Tick)).len(), 1);
}

fn unfinished(id: usize, was_sent: bool) -> Unfinished {
    Unfinished {
        request_id: format!("QR{id:04}"),
        worker_id: format!("AWORKER{id:04}"),
        type_id: "3TYPE".into(),
        decision: Decision::Accept { value: 5 },
        was_sent,
    }
}

#[test]
fn recovered_decisions_are_resumed_only_where_still_pending() {
    let mut app = App::new(env(), None, config(5));
    // Journal found two open decisions; QR0001 is no longer pending (it went through before the crash).
    app.update(
        0,
        Msg::Recovered(vec![unfinished(0, true), unfinished(1, true)]),
    );
    assert!(matches!(app.mode, Mode::Recover));
    app.start(0);
    app.update(
        1,
        Msg::Page {
            generation: 1,
            page: Page {
                number: 1,
                requests: vec![req(0), req(2)],
                total: 2,
            },
        },
    );
    app.update(
        2,
        Msg::FetchDone {
            generation: 1,
            summary: done(1, 2),
        },
    );
    assert!(
        matches!(state(&app, "QR0000"), RowState::Unknown { .. }),
        "nothing settled before the user chose"
    );
    let fx = app.update(3, key('r'));
    assert!(
        fx.contains(&Effect::Fetch {
            generation: 2,
            type_id: None
        }),
        "checked against a fresh listing"
    );
    assert!(sends(&fx).is_empty());
    app.update(
        4,
        Msg::Page {
            generation: 2,
            page: Page {
                number: 1,
                requests: vec![req(0), req(2)],
                total: 2,
            },
        },
    );
    let fx = app.update(
        5,
        Msg::FetchDone {
            generation: 2,
            summary: done(1, 2),
        },
    );
    assert_eq!(
        sends(&fx),
        vec![("QR0000".to_string(), Decision::Accept { value: 5 })],
        "still pending → sent once"
    );
    let ev = journal_events(&fx);
    assert!(ev.contains(&(
        "QR0000".into(),
        JEvent::Resolved {
            resolution: Resolution::Resumed
        }
    )));
    assert!(ev.contains(&(
        "QR0001".into(),
        JEvent::Resolved {
            resolution: Resolution::Settled
        }
    )));
    assert!(
        matches!(state(&app, "QR0001"), RowState::AlreadyProcessed { .. }),
        "gone → never resent"
    );
}

#[test]
fn quitting_from_the_recovery_dialog_keeps_the_decisions_open() {
    let mut app = loaded(3, 5);
    app.update(0, Msg::Recovered(vec![unfinished(1, true)]));
    assert!(matches!(app.mode, Mode::Recover));
    let fx = app.update(1, key('q'));
    assert_eq!(fx, vec![Effect::Quit], "no journal entry: still open");
}

#[test]
fn recovered_decisions_can_be_dropped() {
    let mut app = loaded(3, 5);
    app.update(0, Msg::Recovered(vec![unfinished(1, false)]));
    let fx = app.update(1, key('d'));
    assert_eq!(
        journal_events(&fx),
        vec![(
            "QR0001".into(),
            JEvent::Resolved {
                resolution: Resolution::Dropped
            }
        )]
    );
    assert_eq!(state(&app, "QR0001"), RowState::Pending);
    assert!(matches!(app.mode, Mode::Normal));
    assert!(sends(&app.update(100_000, Msg::Tick)).is_empty());
}

#[test]
fn rows_arriving_out_of_order_never_overwrite_each_other() {
    // Recovered stubs (no submit time yet) sit at the end; then a page brings older requests
    // and the stubs' own requests. Every request must end up in exactly one row, sorted.
    let mut app = App::new(env(), None, config(5));
    app.start(0);
    app.update(
        0,
        Msg::Recovered(vec![unfinished(5, false), unfinished(7, true)]),
    );
    app.update(0, key('d'));
    let mut reqs: Vec<PendingRequest> = (0..10).rev().map(req).collect();
    reqs.swap(0, 9);
    app.update(
        1,
        Msg::Page {
            generation: 1,
            page: Page {
                number: 1,
                requests: reqs,
                total: 10,
            },
        },
    );
    let ids: Vec<String> = app.rows.iter().map(|r| r.req.id.clone()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("QR{i:04}")).collect();
    assert_eq!(ids, expected);
    for (i, id) in expected.iter().enumerate() {
        assert_eq!(
            app.row(id).unwrap().req.worker_id,
            format!("AWORKER{i:04}"),
            "row data matches its id"
        );
    }
    // Deciding every row from the first reaches all ten.
    app.update(2, key('g'));
    for _ in 0..10 {
        app.update(3, key('a'));
    }
    assert_eq!(app.counts().pending, 0);
}

#[test]
fn the_value_prompt_takes_what_is_typed_and_enter_alone_is_the_default() {
    let mut app = loaded(3, 0);
    let shift_a = || Msg::Key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT));
    app.update(0, shift_a());
    app.update(0, key('7'));
    let fx = app.update(0, code(KeyCode::Enter));
    assert_eq!(
        sends(&fx),
        vec![("QR0000".to_string(), Decision::Accept { value: 7 })]
    );
    app.update(1, shift_a());
    let fx = app.update(1, code(KeyCode::Enter));
    assert_eq!(
        sends(&fx),
        vec![("QR0001".to_string(), Decision::Accept { value: 1 })]
    );
    app.update(2, shift_a());
    for c in "99999999999".chars() {
        app.update(2, key(c));
    }
    app.update(2, code(KeyCode::Enter));
    match &app.mode {
        Mode::ValuePrompt { error: Some(e), .. } => assert!(e.contains("out of range"), "{e}"),
        m => panic!("{m:?}"),
    }
}

#[test]
fn tab_never_replaces_a_typed_reason() {
    let mut app = loaded(2, 5);
    app.update(0, key('r'));
    for c in "My own words".chars() {
        app.update(0, key(c));
    }
    app.update(0, code(KeyCode::Tab));
    match &app.mode {
        Mode::ReasonPrompt { input, error, .. } => {
            assert_eq!(input.value(), "My own words");
            assert!(error.as_deref().unwrap_or("").contains("empty box"));
        }
        m => panic!("{m:?}"),
    }
    // Cleared, Tab fills a template, and Tab again swaps it for the next.
    app.update(
        0,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    app.update(0, code(KeyCode::Tab));
    app.update(0, code(KeyCode::Tab));
    match &app.mode {
        Mode::ReasonPrompt { input, .. } => {
            assert_eq!(input.value(), app.config.reason_templates[1])
        }
        m => panic!("{m:?}"),
    }
}

#[test]
fn a_second_ctrl_c_in_the_quit_dialog_quits() {
    let mut app = loaded(2, 5);
    app.update(0, key('a'));
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.update(0, ctrl_c()).is_empty());
    assert_eq!(app.update(0, ctrl_c()), vec![Effect::Quit]);
}

/// Feed one complete listing of `generation` showing `ids`; returns the effects of its end.
fn listing(app: &mut App, now: u64, generation: u64, ids: &[usize]) -> Vec<Effect> {
    app.update(
        now,
        Msg::Page {
            generation,
            page: Page {
                number: 1,
                requests: ids.iter().copied().map(req).collect(),
                total: ids.len(),
            },
        },
    );
    app.update(
        now,
        Msg::FetchDone {
            generation,
            summary: done(1, ids.len()),
        },
    )
}

#[test]
fn an_unknown_outcome_during_a_listing_is_proved_unapplied_only_by_a_later_listing() {
    let mut app = loaded(3, 0);
    app.update(0, key('a')); // QR0000, sent at once (no undo window)
    assert!(matches!(state(&app, "QR0000"), RowState::Sending { .. }));
    assert!(app.update(1, key('R')).contains(&Effect::Fetch {
        generation: 2,
        type_id: None
    }));
    // The call times out while listing 2 runs: no second listing at once …
    let fx = app.update(
        2,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Err(err(ErrorKind::Timeout, None)),
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Fetch { .. })));
    // … and listing 2, which read QR0000's page before the call applied, still shows it. That
    // proves nothing: the row stays locked and a fresh listing starts.
    app.update(
        3,
        Msg::Page {
            generation: 2,
            page: page(1, 0..3, 3),
        },
    );
    let fx = app.update(
        4,
        Msg::FetchDone {
            generation: 2,
            summary: done(1, 3),
        },
    );
    assert!(
        matches!(state(&app, "QR0000"), RowState::Unknown { .. }),
        "{:?}",
        state(&app, "QR0000")
    );
    assert_eq!(
        no_journal(fx),
        vec![Effect::Fetch {
            generation: 3,
            type_id: None
        }]
    );
    // Listing 3 no longer shows it: the call went through; nothing is ever resent.
    listing(&mut app, 5, 3, &[1, 2]);
    assert!(matches!(
        state(&app, "QR0000"),
        RowState::AlreadyProcessed { .. }
    ));
    assert!(sends(&app.update(100_000, key('t'))).is_empty());
    assert!(sends(&app.update(100_001, Msg::Tick)).is_empty());
}

#[test]
fn an_unknown_outcome_absent_from_a_running_listing_is_settled_by_it() {
    // Absence is proof whenever the listing read it: the request was no longer pending.
    let mut app = loaded(3, 0);
    app.update(0, key('a'));
    app.update(1, key('R'));
    app.update(
        2,
        Msg::Sent {
            request_id: "QR0000".into(),
            result: Err(err(ErrorKind::Timeout, None)),
        },
    );
    app.update(
        3,
        Msg::Page {
            generation: 2,
            page: page(1, 1..3, 2),
        },
    );
    let fx = app.update(
        4,
        Msg::FetchDone {
            generation: 2,
            summary: done(1, 2),
        },
    );
    assert!(matches!(
        state(&app, "QR0000"),
        RowState::AlreadyProcessed { .. }
    ));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Fetch { .. })),
        "no further listing needed"
    );
}

#[test]
fn recovered_decisions_of_other_types_stay_in_the_journal_under_a_type_filter() {
    let mut app = App::new(env(), Some("3TYPE".into()), config(5));
    let mut other = unfinished(1, true);
    other.type_id = "3OTHER".into();
    app.update(0, Msg::Recovered(vec![unfinished(0, true), other]));
    // Only the decision this listing can check is offered; the other is not a row.
    assert!(matches!(app.mode, Mode::Recover));
    assert_eq!(app.recovered.len(), 1);
    assert_eq!(app.recovered[0].request_id, "QR0000");
    assert!(app.row("QR0001").is_none());
    let flash = app.flash.clone().expect("a warning about the other type");
    assert!(
        flash
            .text
            .contains("1 unfinished decision from an earlier run")
            && flash.text.contains("other qualification types")
            && flash.text.contains("kept in the journal"),
        "{}",
        flash.text
    );
    app.start(0);
    app.update(1, key('r'));
    // The filtered listing does not show QR0001 (another type): nothing about it is journaled.
    let mut fx = app.update(
        2,
        Msg::Page {
            generation: 1,
            page: page(1, 0..1, 1),
        },
    );
    fx.extend(app.update(
        3,
        Msg::FetchDone {
            generation: 1,
            summary: done(1, 1),
        },
    ));
    assert_eq!(
        sends(&fx),
        vec![("QR0000".to_string(), Decision::Accept { value: 5 })]
    );
    assert!(
        journal_events(&fx).iter().all(|(id, _)| id != "QR0001"),
        "{fx:?}"
    );
}

#[test]
fn a_request_taken_by_another_reviewer_leaves_when_the_queue_is_empty() {
    let mut app = loaded(1, 5);
    app.update(0, key('R'));
    assert_eq!(
        app.flash.as_ref().unwrap().text,
        "listing pending requests again…"
    );
    // The other reviewer decided the only request: the re-list is one empty, complete page.
    listing(&mut app, 1, 2, &[]);
    assert!(app.rows.is_empty());
    assert_eq!(
        app.flash.as_ref().unwrap().text,
        "1 request decided elsewhere left the list"
    );
    assert_eq!(
        app.listing,
        Listing::Done {
            pages: 1,
            total: 0,
            stop: Stop::Complete
        }
    );
}

#[test]
fn nothing_is_decided_on_a_screen_too_small_to_show_it() {
    let mut app = loaded(3, 5);
    app.update(0, key('a')); // a decision waits
    app.update(
        0,
        Msg::Resize {
            width: 30,
            height: 8,
        },
    );
    for c in ['j', 'a', 'r', 'A', 'u', 't', 'T', 'R'] {
        let fx = app.update(1, key(c));
        assert!(fx.is_empty(), "{c}: {fx:?}");
    }
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.selected, 1, "the cursor did not move");
    assert!(matches!(state(&app, "QR0001"), RowState::Pending));
    assert!(
        matches!(state(&app, "QR0000"), RowState::Queued { .. }),
        "u did not undo"
    );
    // q asks (a decision waits); s cannot be chosen blind; y quits.
    assert!(app.update(2, key('q')).is_empty());
    assert!(matches!(app.mode, Mode::ConfirmQuit));
    assert!(app.update(3, key('s')).is_empty());
    assert_eq!(app.update(4, key('y')), vec![Effect::Quit]);
}

#[test]
fn a_stray_enter_never_resumes_recovered_decisions() {
    let mut app = loaded(3, 5);
    app.update(0, Msg::Recovered(vec![unfinished(1, true)]));
    let fx = app.update(1, code(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(matches!(app.mode, Mode::Recover));
    assert!(matches!(state(&app, "QR0001"), RowState::Unknown { .. }));
}
