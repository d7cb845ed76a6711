//! Dashboard at scale: 100,000 pending requests (1,000 pages of 100) carrying the real forms.
//! Times page ingestion, moving the cursor (which builds the selected review) and drawing a
//! 160×48 frame. Run: `cargo bench --bench dashboard`. Figures go in BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mturk_triage::app::{App, Config, EnvInfo, Msg};
use mturk_triage::mturk::fetcher::{Page, PendingRequest, Stop, Summary};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TOTAL: usize = 100_000;

fn forms() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/real");
    let mut v = Vec::new();
    for name in [
        "03-aws-docs-tictactoe",
        "19-codenames-clues",
        "02-mturkr-reading-comprehension",
        "08-mturkemu-colors",
    ] {
        let form = std::fs::read_to_string(format!("{dir}/{name}.questionform.xml")).unwrap();
        let answers =
            std::fs::read_to_string(format!("{dir}/{name}.answers.xml")).unwrap_or_default();
        v.push((form, answers));
    }
    v
}

fn main() {
    let forms = forms();
    // The fetcher hands each page its own copy of the Test string (as parsed JSON would).
    let pages: Vec<Page> = (0..TOTAL / 100)
        .map(|p| Page {
            number: p + 1,
            requests: (0..100)
                .map(|i| {
                    let n = p * 100 + i;
                    let (form, answer) = &forms[n % forms.len()];
                    PendingRequest {
                        id: format!("3QR{n:027}"),
                        type_id: format!("3TYPE{:025}", n % forms.len()),
                        worker_id: format!("AW{n:012}"),
                        test: Arc::from(form.as_str()),
                        answer: answer.clone(),
                        submit_time: Some(1.7e9 + n as f64),
                    }
                })
                .collect(),
            total: (p + 1) * 100,
        })
        .collect();
    let mut app = App::new(
        EnvInfo {
            label: "BENCH".into(),
            production: false,
            endpoint: "http://127.0.0.1:1".into(),
        },
        None,
        Config::default(),
    );
    app.start(0);
    app.update(
        0,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    let t = Instant::now();
    for page in pages {
        app.update(
            0,
            Msg::Page {
                generation: 1,
                page,
            },
        );
    }
    app.update(
        0,
        Msg::FetchDone {
            generation: 1,
            summary: Summary {
                pages: 1000,
                total: TOTAL,
                duplicates: 0,
                stop: Stop::Complete,
            },
        },
    );
    let ingest = t.elapsed();
    assert_eq!(app.rows.len(), TOTAL);
    assert!(app.distinct_tests() <= forms.len() + 1);

    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let frame = |app: &App, term: &mut Terminal<TestBackend>| {
        let t = Instant::now();
        term.draw(|f| mturk_triage::ui::draw(f, app)).unwrap();
        t.elapsed()
    };
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut moves = Duration::ZERO;
    let mut frames = Duration::ZERO;
    let steps = 200u32;
    for i in 0..steps {
        let t = Instant::now();
        app.update(u64::from(i), key(KeyCode::Char('j')));
        moves += t.elapsed();
        frames += frame(&app, &mut term);
    }
    let t = Instant::now();
    app.update(0, key(KeyCode::Char('G')));
    let jump = t.elapsed();
    let last_frame = frame(&app, &mut term);
    println!(
        "dashboard bench: {TOTAL} requests, {} distinct Test strings stored",
        app.distinct_tests()
    );
    println!(
        "  ingest 1000 pages:           {:>9.1} ms ({:.2} µs per request)",
        ms(ingest),
        ms(ingest) * 1000.0 / TOTAL as f64
    );
    println!(
        "  cursor move (update):        {:>9.3} ms mean over {steps}",
        ms(moves) / f64::from(steps)
    );
    println!(
        "  draw 160x48 frame:           {:>9.3} ms mean over {steps}",
        ms(frames) / f64::from(steps)
    );
    println!(
        "  jump to last (G) + frame:    {:>9.3} ms + {:.3} ms",
        ms(jump),
        ms(last_frame)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
