//! The list holds 100,000 requests: identical Test strings are stored once, and the screen only
//! lays out the visible rows (no timing here; figures are in benches/dashboard.rs).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mturk_triage::app::{App, Config, EnvInfo, Msg};
use mturk_triage::mturk::fetcher::{Page, PendingRequest, Stop, Summary};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[test]
fn one_hundred_thousand_requests() {
    let form = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/real/03-aws-docs-tictactoe.questionform.xml"
    ))
    .unwrap();
    let mut app = App::new(
        EnvInfo {
            label: "T".into(),
            production: false,
            endpoint: "x".into(),
        },
        None,
        Config::default(),
    );
    app.start(0);
    app.update(
        0,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    for p in 0..1000usize {
        let requests = (0..100)
            .map(|i| {
                let n = p * 100 + i;
                PendingRequest {
                    id: format!("QR{n:08}"),
                    type_id: "3T".into(),
                    worker_id: format!("AW{n:08}"),
                    // A fresh allocation per request, as the network delivers it.
                    test: Arc::from(form.clone()),
                    answer: String::new(),
                    submit_time: Some(1.7e9 + n as f64),
                }
            })
            .collect();
        app.update(
            0,
            Msg::Page {
                generation: 1,
                page: Page {
                    number: p + 1,
                    requests,
                    total: (p + 1) * 100,
                },
            },
        );
    }
    app.update(
        0,
        Msg::FetchDone {
            generation: 1,
            summary: Summary {
                pages: 1000,
                total: 100_000,
                duplicates: 0,
                stop: Stop::Complete,
            },
        },
    );
    assert_eq!(app.rows.len(), 100_000);
    assert_eq!(
        app.distinct_tests(),
        1,
        "one copy of the form for 100,000 requests"
    );
    assert!(Arc::ptr_eq(
        &app.rows[0].req.test,
        &app.rows[99_999].req.test
    ));
    app.update(
        0,
        Msg::Key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
    );
    assert_eq!(app.selected, 99_999);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| mturk_triage::ui::draw(f, &app)).unwrap();
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("AW00099999"), "the last request is on screen");
    assert!(text.contains("Requests 100000/100000"));
}
