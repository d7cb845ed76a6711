//! Screen snapshots (TestBackend + insta) at 80×24 and 160×48 on the demo's real forms, and
//! checks on styles and hostile text that a text snapshot cannot show.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mturk_triage::app::{App, Config, EnvInfo, Msg, TypeInfo};
use mturk_triage::mturk::fetcher::{Page, PendingRequest, Stop, Summary};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn asset(name: &str) -> String {
    std::fs::read_to_string(format!("{}/assets/real/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn env(label: &str, production: bool) -> EnvInfo {
    EnvInfo {
        label: label.into(),
        production,
        endpoint: "http://127.0.0.1:1".into(),
    }
}

fn requests() -> Vec<PendingRequest> {
    let t0 = 1.764_787_000e9; // 2025-12-03 18:36:40Z
    let mk = |i: usize, ty: &str, worker: &str, test: &str, answer: String| PendingRequest {
        id: format!("3QR{i:027}"),
        type_id: ty.into(),
        worker_id: worker.into(),
        test: Arc::from(test),
        answer,
        submit_time: Some(t0 + (i * 3671) as f64),
    };
    let f03 = asset("03-aws-docs-tictactoe.questionform.xml");
    let f19 = asset("19-codenames-clues.questionform.xml");
    let f08 = asset("08-mturkemu-colors.questionform.xml");
    vec![
        mk(
            1,
            "3TICTACTOE00000000000000000001",
            "A1B2C3D4E5F6G7",
            &f03,
            asset("03-aws-docs-tictactoe.answers.xml"),
        ),
        mk(
            2,
            "3CODENAMES00000000000000000002",
            "A9Z8Y7X6W5V4U3",
            &f19,
            asset("19-codenames-clues.answers.xml"),
        ),
        mk(
            3,
            "3COLORS0000000000000000000003",
            "AHOSTILE\u{1b}[2J\u{202e}X",
            &f08,
            String::new(),
        ),
        mk(
            4,
            "3TICTACTOE00000000000000000001",
            "A77777777777",
            &f03,
            String::new(),
        ),
    ]
}

fn app(label: &str, production: bool, width: u16, height: u16) -> App {
    let mut app = App::new(env(label, production), None, Config::default());
    app.start(0);
    app.update(0, Msg::Resize { width, height });
    let reqs = requests();
    let n = reqs.len();
    app.update(
        0,
        Msg::Page {
            generation: 1,
            page: Page {
                number: 1,
                requests: reqs,
                total: n,
            },
        },
    );
    app.update(
        0,
        Msg::FetchDone {
            generation: 1,
            summary: Summary {
                pages: 1,
                total: n,
                duplicates: 0,
                stop: Stop::Complete,
            },
        },
    );
    app.update(
        0,
        Msg::Types(vec![
            TypeInfo {
                id: "3TICTACTOE00000000000000000001".into(),
                name: "Tic-tac-toe (AWS docs sample)".into(),
                retry_delay_secs: Some(86_400),
                answer_key: None,
            },
            TypeInfo {
                id: "3CODENAMES00000000000000000002".into(),
                name: "Codenames clue writers".into(),
                retry_delay_secs: None,
                answer_key: None,
            },
        ]),
    );
    app
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| mturk_triage::ui::draw(f, app)).unwrap();
    t
}

/// Every cell of the screen, row after row.
fn screen_text(t: &Terminal<TestBackend>) -> String {
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

fn key(app: &mut App, now: u64, c: KeyCode) {
    app.update(now, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)));
}

#[test]
fn dashboard_80x24() {
    let a = app("DEMO", false, 80, 24);
    insta::assert_snapshot!(render(&a, 80, 24).backend());
}

#[test]
fn dashboard_160x48() {
    let a = app("SANDBOX", false, 160, 48);
    insta::assert_snapshot!(render(&a, 160, 48).backend());
}

#[test]
fn dashboard_160x48_second_request_scrolled() {
    let mut a = app("SANDBOX", false, 160, 48);
    key(&mut a, 0, KeyCode::Char('j'));
    insta::assert_snapshot!(render(&a, 160, 48).backend());
}

#[test]
fn queued_decision_and_reject_prompt_80x24() {
    let mut a = app("DEMO", false, 80, 24);
    key(&mut a, 1_000, KeyCode::Char('a'));
    key(&mut a, 2_000, KeyCode::Char('r'));
    insta::assert_snapshot!(render(&a, 80, 24).backend());
}

#[test]
fn help_screen_80x24() {
    let mut a = app("DEMO", false, 80, 24);
    key(&mut a, 0, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&a, 80, 24).backend());
}

#[test]
fn production_banner_is_red() {
    let a = app("PRODUCTION", true, 80, 24);
    let t = render(&a, 80, 24);
    let buf = t.backend().buffer();
    let first: String = (0..12).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    assert_eq!(first, " PRODUCTION ");
    assert_eq!(buf[(1, 0)].style().bg, Some(Color::Red));
}

#[test]
fn hostile_worker_text_renders_inert_and_visible() {
    let mut a = app("DEMO", false, 80, 24);
    key(&mut a, 0, KeyCode::Char('G')); // select the hostile row
    for (w, h) in [(80, 24), (160, 48), (20, 8)] {
        a.update(
            0,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        let t = render(&a, w, h);
        let buf = t.backend().buffer();
        let mut all = String::new();
        for y in 0..h {
            for x in 0..w {
                let s = buf[(x, y)].symbol();
                assert!(
                    !s.chars()
                        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "raw control at {x},{y}: {s:?}"
                );
                all.push_str(s);
            }
        }
        if w >= 80 {
            assert!(all.contains("␛[2J"), "escape shown as a visible marker");
        }
    }
}

#[test]
fn empty_listing_says_so() {
    let mut a = App::new(env("SANDBOX", false), None, Config::default());
    a.start(0);
    a.update(
        0,
        Msg::FetchDone {
            generation: 1,
            summary: Summary {
                pages: 1,
                total: 0,
                duplicates: 0,
                stop: Stop::EmptyPage,
            },
        },
    );
    let t = render(&a, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("nothing pending"), "{text}");
}

#[test]
fn a_too_small_window_says_so_and_never_panics() {
    let a = app("DEMO", false, 30, 8);
    let t = render(&a, 30, 8);
    let text = screen_text(&t);
    assert!(text.contains("window too small: 30x8"), "{text}");
    // Every size down to 1x1 draws without a panic.
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 2),
        (39, 9),
        (40, 10),
        (41, 11),
        (200, 3),
    ] {
        render(&a, w, h);
    }
}

#[test]
fn x_shows_the_raw_documents_inert_and_x_again_the_review() {
    let mut a = app("SANDBOX", false, 160, 48);
    key(&mut a, 0, KeyCode::Char('G'));
    key(&mut a, 0, KeyCode::Char('k')); // the hostile row
    key(&mut a, 0, KeyCode::Char('x'));
    let raw = screen_text(&render(&a, 160, 48));
    assert!(raw.contains("┌ Raw XML "), "the pane says what it shows");
    assert!(raw.contains("Test (raw XML)"));
    // A long line wraps under its own indentation (plus two).
    assert!(
        raw.contains("││  uestionForm.xsd\">"),
        "continuation indented"
    );
    // Down to the Answer document.
    let mut seen = raw.clone();
    for _ in 0..40 {
        key(&mut a, 0, KeyCode::Char('J'));
        seen.push_str(&screen_text(&render(&a, 160, 48)));
    }
    assert!(
        seen.contains("Answer (raw XML)"),
        "the Answer follows the Test"
    );
    assert!(
        seen.contains("</QuestionForm>"),
        "the whole Test can be scrolled through"
    );
    assert!(
        seen.contains("␛[2J"),
        "the worker's escape is a visible marker"
    );
    assert!(!seen.chars().any(|c| c.is_control()));
    key(&mut a, 0, KeyCode::Char('x'));
    let review = screen_text(&render(&a, 160, 48));
    assert!(review.contains("┌ Review "), "back to the review");
    assert!(!review.contains("Test (raw XML)"));
}

#[test]
fn the_header_counts_the_outbox_while_it_works() {
    let mut a = app("SANDBOX", false, 160, 48);
    key(&mut a, 1_000, KeyCode::Char('a'));
    let text = screen_text(&render(&a, 160, 48));
    let header: String = text.chars().take(160).collect();
    assert!(
        header.contains("3 pending · 0 decided · 0 in flight · 1 waiting │ sent 0 of 1"),
        "{header}"
    );
}

#[test]
fn the_value_prompt_says_a_held_score_is_replaced() {
    let mut a = app("DEMO", false, 80, 24);
    a.update(
        0,
        Msg::Key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)),
    );
    let text = screen_text(&render(&a, 80, 24));
    assert!(
        text.contains("replaces any score the worker holds"),
        "{text}"
    );
}
