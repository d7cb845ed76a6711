//! Soak (bounded): 2,000 decisions through the real dashboard, outbox and SDK against
//! `sim --fault-rate 0.3 --record FILE`, with one `kill -9` of the dashboard mid-run and a restart
//! that resumes from the journal. At the end the record file (what the server applied) and the
//! journal (what the product decided) agree exactly: nothing lost, nothing applied twice.
//! The figures go to the last line of the output and to `target/soak-figures.txt`.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::{PtyApp, SimProcess, header_count, temp_dir};
use mturk_triage::mturk::journal::{self, Event, Outcome, Resolution};

const N: usize = 2000;
const KILL_AFTER: usize = 700;

fn spawn(sim: &SimProcess, config: &str, data: &str) -> PtyApp {
    PtyApp::spawn(
        &["--endpoint-url", &sim.url],
        &[
            ("MTURK_TRIAGE_CONFIG", config),
            ("MTURK_TRIAGE_DATA", data),
            ("RUST_BACKTRACE", "0"),
        ],
        // Wide enough for every piece of the header the driver reads.
        200,
        40,
    )
}

/// Counts from the header: (loaded, pending, decided, in flight, failed).
fn counts(screen: &str) -> Option<(usize, usize, usize, usize, usize)> {
    Some((
        header_count(screen, "loaded").unwrap_or(0),
        header_count(screen, "pending")?,
        header_count(screen, "decided")?,
        header_count(screen, "in flight").unwrap_or(0)
            + header_count(screen, "waiting").unwrap_or(0),
        header_count(screen, "failed").unwrap_or(0)
            + header_count(screen, "unconfirmed").unwrap_or(0),
    ))
}

/// Drive the dashboard: list again when a listing failed, retry failed decisions, decide the
/// next undecided request, until `stop(decided)` or everything is decided. Returns decided.
fn drive(app: &mut PtyApp, deadline: Instant, stop_at: Option<usize>) -> usize {
    let mut last_relist = Instant::now();
    loop {
        assert!(
            Instant::now() < deadline,
            "soak timed out; screen:\n{}",
            app.screen()
        );
        let screen = app.screen();
        if screen.contains("Unfinished decisions") {
            app.send(b"r");
            // Wait for the dialog to close: a second `r` would open the reject prompt.
            app.wait_for("the recovery dialog to close", 20, |s| {
                !s.contains("Unfinished decisions")
            });
            continue;
        }
        assert!(
            !screen.contains("worker will read"),
            "no reject prompt is ever opened:\n{screen}"
        );
        let Some((_loaded, pending, decided, in_flight, failed)) = counts(&screen) else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let first = screen.lines().next().unwrap_or("");
        let listing_bad = first.contains("listing failed") || first.contains("listing incomplete");
        let loading = first.contains("loading…");
        if let Some(limit) = stop_at
            && decided >= limit
        {
            return decided;
        }
        if listing_bad && last_relist.elapsed() > Duration::from_millis(500) {
            app.send(b"R");
            last_relist = Instant::now();
        }
        if failed > 0 {
            app.send(b"T");
        }
        if pending == 0 && in_flight == 0 && failed == 0 && !loading && !listing_bad {
            return decided;
        }
        // Keep a few decisions flying without piling up keys the dashboard has not read yet.
        if pending > 0 && in_flight < 8 {
            app.send(b"n");
            app.send(&[b'a'; 8]);
        }
        std::thread::sleep(Duration::from_millis(60));
    }
}

#[test]
fn soak_2000_decisions_with_faults_and_a_crash() {
    let dir = temp_dir();
    let record = dir.path().join("record.jsonl");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "undo_secs = 0\nconcurrency = 4\nrate_per_sec = 0\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let sim = SimProcess::start(&[
        "--forms",
        common::repo_path("assets/real").to_str().unwrap(),
        "--requests",
        &N.to_string(),
        "--seed",
        "21",
        "--fault-rate",
        "0.3",
        "--record",
        record.to_str().unwrap(),
    ]);
    let deadline = Instant::now() + Duration::from_secs(300);
    let (cfg, dat) = (config.to_str().unwrap(), data.to_str().unwrap());

    // Run 1, killed with SIGKILL mid-run (decisions in flight, no chance to clean up).
    let mut app = spawn(&sim, cfg, dat);
    let decided_before_kill = drive(&mut app, deadline, Some(KILL_AFTER));
    app.kill_9();
    drop(app);

    // Run 2: resumes the unfinished decisions, then decides the rest.
    let mut app = spawn(&sim, cfg, dat);
    drive(&mut app, deadline, None);
    app.send(b"q");
    let quit_at = Instant::now();
    let status = app.wait_exit(30);
    eprintln!("soak: exit took {:?}", quit_at.elapsed());
    assert!(status.success());
    let url = sim.url.clone();
    let sim_log = sim.stop();

    // What the server applied.
    let rec_text = std::fs::read_to_string(&record).unwrap();
    let mut applied: HashMap<String, usize> = HashMap::new();
    for line in rec_text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["op"], "AcceptQualificationRequest");
        assert_eq!(v["IntegerValue"], 1);
        *applied
            .entry(v["QualificationRequestId"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    // Applied twice, or a decision call for a request already decided (the sim refuses it and
    // counts it): either is a duplicate.
    let repeats: usize = sim_log
        .lines()
        .find_map(|l| {
            l.split(" faults injected, ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .expect("the sim's summary counts refused repeat decisions");
    let duplicated = applied.values().filter(|&&c| c > 1).count() + repeats;

    // What the product decided, from the journal.
    let entries = journal::read_entries(&data.join(journal::FILE_NAME)).unwrap();
    let mut decided_ids: HashSet<String> = HashSet::new();
    let mut confirmed: HashSet<String> = HashSet::new();
    let mut retries = 0usize;
    let mut sent_once: HashSet<String> = HashSet::new();
    for e in &entries {
        match &e.event {
            Event::Queued { .. } => {
                decided_ids.insert(e.request_id.clone());
            }
            // A resend after a failure, automatic or by `t`/`T` (a new attempt after a
            // Failed outcome starts again at 0, so count sends after the first one).
            Event::Sending { .. } if !sent_once.insert(e.request_id.clone()) => retries += 1,
            Event::Outcome {
                outcome: Outcome::Ok | Outcome::AlreadyProcessed,
                ..
            }
            | Event::Resolved {
                resolution: Resolution::Settled,
                ..
            } => {
                confirmed.insert(e.request_id.clone());
            }
            _ => {}
        }
    }
    let applied_ids: HashSet<String> = applied.keys().cloned().collect();
    let lost = decided_ids.difference(&applied_ids).count() + (N - applied_ids.len().min(N));
    let open = journal::unfinished(&data.join(journal::FILE_NAME), &url).unwrap_or_default();
    let faults: usize = sim_log
        .lines()
        .find_map(|l| l.split(" calls, ").nth(1)?.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    let figures = format!(
        "soak: decisions={} faults_injected={faults} retries={retries} lost={lost} duplicated={duplicated} (killed after {decided_before_kill})",
        applied_ids.len()
    );
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/soak-figures.txt"),
        format!("{figures}\n"),
    );
    assert_eq!(applied_ids.len(), N, "every request decided: {figures}");
    assert_eq!(
        decided_ids, applied_ids,
        "journal and record name the same requests: {figures}"
    );
    assert_eq!(
        confirmed, applied_ids,
        "every applied decision is confirmed in the journal: {figures}"
    );
    assert!(open.is_empty(), "no unfinished decision left: {open:?}");
    assert_eq!((lost, duplicated), (0, 0), "{figures}");
    assert!(faults > 0, "faults were injected: {sim_log}");
    println!("{figures}");
}
