//! The event loop and the terminal guard.
//!
//! One `tokio::select!` over key events (presses only), messages from background tasks (listing
//! pages, call results), signals and a timer. The UI never awaits the network: every call runs in
//! a spawned task and reports back as a [`Msg`]. Messages are drained in batches and the screen
//! is drawn once per batch, and only when something changed.

pub mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_sdk_mturk::Client;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::{App, Config, Decision, Effect, EnvInfo, Level, Msg, TypeInfo};
use crate::cli::{DashArgs, DemoArgs, EnvArgs};
use crate::mturk::client::{self, Target};
use crate::mturk::error::{ApiError, ErrorKind, classify};
use crate::mturk::fetcher;
use crate::mturk::journal::Journal;

const TICK: Duration = Duration::from_millis(250);
/// At most this many messages are handled between two frames.
const MAX_BATCH: usize = 512;

/// Failures injected on purpose by the terminal-restore tests (`MTURK_TRIAGE_TEST_FAULT`):
/// `render` panics while drawing the second frame, `task` panics in a background task, `error`
/// returns an error from the run loop. Unset in normal use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestFault {
    Render,
    Task,
    Error,
}

impl TestFault {
    fn from_env() -> Option<TestFault> {
        match std::env::var("MTURK_TRIAGE_TEST_FAULT").ok()?.as_str() {
            "render" => Some(TestFault::Render),
            "task" => Some(TestFault::Task),
            "error" => Some(TestFault::Error),
            _ => None,
        }
    }
}

/// Log to `<data dir>/mturk-triage.log`, never to the screen. Returns the writer guard.
pub fn init_logging()
-> Result<Option<(tracing_appender::non_blocking::WorkerGuard, PathBuf)>, String> {
    let Some(dir) = crate::app::config::data_dir() else {
        return Ok(None);
    };
    let writable = "(set MTURK_TRIAGE_DATA to a writable folder)";
    if dir.is_file() {
        return Err(format!(
            "the data directory {} is a file, not a folder {writable}",
            dir.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e} {writable}",
            dir.display()
        )
    })?;
    let path = dir.join("mturk-triage.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| {
            format!(
                "cannot write the log file {}: {e} {writable}",
                path.display()
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    // MTURK_TRIAGE_LOG sets the level of our own messages only: the SDK's debug output names
    // access key ids and dumps requests, so other crates stay at `warn` whatever is asked.
    let level = std::env::var("MTURK_TRIAGE_LOG")
        .ok()
        .filter(|l| {
            ["error", "warn", "info", "debug", "trace"].contains(&l.to_ascii_lowercase().as_str())
        })
        .unwrap_or_else(|| "info".into());
    let filter = tracing_subscriber::EnvFilter::new(format!(
        "warn,mturk_triage={}",
        level.to_ascii_lowercase()
    ));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(Some((guard, path)))
}

fn load_config(dash: &DashArgs) -> Result<Config, String> {
    let (mut config, _) = Config::load()?;
    if let Some(u) = dash.undo_secs {
        config.undo_secs = u;
    }
    Ok(config)
}

fn env_info(target: &Target) -> EnvInfo {
    EnvInfo {
        label: target.label(),
        production: *target == Target::Production,
        endpoint: target.endpoint().to_owned(),
    }
}

/// `mturk-triage [flags]`: the dashboard on sandbox, production or a custom endpoint.
pub async fn run_dashboard(env: EnvArgs, dash: DashArgs) -> Result<ExitCode, String> {
    let config = load_config(&dash)?;
    let target = Target::from_flags(env.production, env.endpoint_url.as_deref())?;
    let _log = init_logging()?;
    let built = client::build(target, env.profile.as_deref()).await;
    tracing::info!(endpoint = built.target.endpoint(), "dashboard start");
    let app = App::new(
        env_info(&built.target),
        dash.qualification_type_id.clone(),
        config,
    );
    if let client::CredentialSource::Chain { profile } = &built.credentials {
        // The chain may take a moment (SSO, credential_process, metadata): say what is going on
        // before the dashboard takes the screen.
        eprintln!(
            "mturk-triage: {} — looking up AWS credentials (profile {profile:?})…",
            built.target.label()
        );
    }
    let (credentials, creds_error) = match client::check_credentials(&built).await {
        Ok(found) => (found, None),
        Err(e) => (None, Some(e)),
    };
    let mut notices = Vec::new();
    if let Some(r) = &built.region_overridden_from {
        notices.push((
            Level::Info,
            format!("region {r} from your profile/environment ignored: MTurk is in us-east-1"),
        ));
    }
    run_loop(
        app,
        built.client,
        built.target.endpoint().to_owned(),
        credentials,
        creds_error,
        notices,
    )
    .await
}

/// `mturk-triage demo`: the sim in-process on 127.0.0.1, the dashboard on it through the SDK.
pub async fn run_demo(args: DemoArgs) -> Result<ExitCode, String> {
    let config = load_config(&args.dash)?;
    let _log = init_logging()?;
    let sim = crate::mturk::sim::start(crate::mturk::sim::SimConfig {
        requests: args.requests,
        ..Default::default()
    })
    .await
    .map_err(|e| format!("cannot start the demo server: {e}"))?;
    let url = sim.endpoint_url();
    let target = Target::Demo(url.clone());
    let client = client::local_client(&url, client::fast_local_retries());
    let app = App::new(
        env_info(&target),
        args.dash.qualification_type_id.clone(),
        config,
    );
    let notices = vec![(
        Level::Info,
        "demo: a local MTurk stand-in with real qualification tests; nothing leaves this machine"
            .to_string(),
    )];
    let result = run_loop(app, client, url, None, None, notices).await;
    sim.shutdown().await;
    result
}

struct Executor {
    client: Client,
    endpoint: String,
    /// Where the credentials came from (named when the service refuses them).
    credentials: Option<String>,
    tx: mpsc::UnboundedSender<Msg>,
    fetch_cancel: CancellationToken,
    credentials_error: Option<String>,
    journal: Option<Journal>,
    journal_error: Option<String>,
}

impl Executor {
    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Fetch {
                generation,
                type_id,
            } => {
                self.fetch_cancel.cancel();
                self.fetch_cancel = CancellationToken::new();
                let cancel = self.fetch_cancel.clone();
                let client = self.client.clone();
                let tx = self.tx.clone();
                let endpoint = self.endpoint.clone();
                let credentials = self.credentials.clone();
                if let Some(e) = &self.credentials_error {
                    let _ = tx.send(Msg::FetchFailed {
                        generation,
                        failed: fetcher::Failed {
                            error: ApiError::new(ErrorKind::Credentials, e.clone()),
                            pages: 0,
                            total: 0,
                        },
                    });
                    return;
                }
                tokio::spawn(async move {
                    let page_tx = tx.clone();
                    let r = fetcher::fetch_all(&client, type_id.as_deref(), &cancel, |page| {
                        let _ = page_tx.send(Msg::Page { generation, page });
                    })
                    .await;
                    let msg = match r {
                        Ok(summary) => Msg::FetchDone {
                            generation,
                            summary,
                        },
                        Err(mut failed) => {
                            tracing::warn!(error = %failed.error, "listing failed");
                            failed.error = failed
                                .error
                                .with_endpoint(&endpoint)
                                .with_credentials(credentials.as_deref());
                            Msg::FetchFailed { generation, failed }
                        }
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::CancelFetch => self.fetch_cancel.cancel(),
            Effect::Journal {
                request_id,
                worker_id,
                type_id,
                event,
            } => {
                if let Some(j) = &mut self.journal
                    && let Err(e) = j.append(&request_id, &worker_id, &type_id, event)
                {
                    tracing::error!(error = %e, "journal write failed");
                    self.journal_error = Some(e.clone());
                    let _ = self.tx.send(Msg::Notice {
                        level: Level::Error,
                        text: format!("{e}: decisions are no longer sent"),
                    });
                }
            }
            Effect::Send {
                request_id,
                decision,
            } => {
                if let Some(e) = &self.journal_error {
                    // Nothing goes out that the journal could not record.
                    let _ = self.tx.send(Msg::Sent {
                        request_id,
                        result: Err(ApiError::new(ErrorKind::Other, format!("not sent: {e}"))),
                    });
                    return;
                }
                let client = self.client.clone();
                let tx = self.tx.clone();
                let endpoint = self.endpoint.clone();
                let credentials = self.credentials.clone();
                tokio::spawn(async move {
                    let result = send_decision(&client, &request_id, &decision)
                        .await
                        .map_err(|e| {
                            e.with_endpoint(&endpoint)
                                .with_credentials(credentials.as_deref())
                        });
                    match &result {
                        Ok(()) => {
                            tracing::info!(request = %request_id, decision = decision.verb(), "sent")
                        }
                        Err(e) => tracing::warn!(request = %request_id, error = %e, "send failed"),
                    }
                    let _ = tx.send(Msg::Sent { request_id, result });
                });
            }
            Effect::LoadTypes => {
                let client = self.client.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    // Names are a convenience: a few tries, then say so (R tries again).
                    const TRIES: u32 = 3;
                    for attempt in 1..=TRIES {
                        match load_types(&client).await {
                            Ok(types) => {
                                let _ = tx.send(Msg::Types(types));
                                return;
                            }
                            Err(e) if attempt < TRIES && e.is_retryable() => {
                                tracing::warn!(error = %e, attempt, "cannot list qualification types; trying again");
                                tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot list qualification types");
                                let _ = tx.send(Msg::Notice {
                                    level: Level::Warn,
                                    text: format!("type names unavailable ({e}); R tries again"),
                                });
                                return;
                            }
                        }
                    }
                });
            }
            Effect::Suspend | Effect::Quit => {}
        }
    }
}

/// Send one decision: exactly one attempt. Accept and Reject are not idempotent, so the SDK's own
/// retries are off for them; the outbox retries only what cannot have been applied, and settles
/// the rest by listing first.
pub async fn send_decision(
    client: &Client,
    request_id: &str,
    decision: &Decision,
) -> Result<(), ApiError> {
    let once = || {
        aws_sdk_mturk::config::Builder::new()
            .retry_config(aws_sdk_mturk::config::retry::RetryConfig::disabled())
    };
    match decision {
        Decision::Accept { value } => client
            .accept_qualification_request()
            .qualification_request_id(request_id)
            .integer_value(*value)
            .customize()
            .config_override(once())
            .send()
            .await
            .map(|_| ())
            .map_err(classify),
        Decision::Reject { reason } => client
            .reject_qualification_request()
            .qualification_request_id(request_id)
            .reason(reason)
            .customize()
            .config_override(once())
            .send()
            .await
            .map(|_| ())
            .map_err(classify),
    }
}

/// The caller's qualification types (all pages).
pub async fn load_types(client: &Client) -> Result<Vec<TypeInfo>, ApiError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..1000 {
        let page = client
            .list_qualification_types()
            .must_be_requestable(false)
            .must_be_owned_by_caller(true)
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(classify)?;
        for t in page.qualification_types.unwrap_or_default() {
            if let Some(id) = t.qualification_type_id {
                out.push(TypeInfo {
                    id,
                    name: t.name.unwrap_or_default(),
                    retry_delay_secs: t.retry_delay_in_seconds,
                    answer_key: t.answer_key.filter(|k| !k.trim().is_empty()),
                });
            }
        }
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => break,
        }
    }
    Ok(out)
}

async fn run_loop(
    mut app: App,
    client: Client,
    endpoint: String,
    credentials: Option<String>,
    credentials_error: Option<String>,
    mut notices: Vec<(Level, String)>,
) -> Result<ExitCode, String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();

    let mut exec = Executor {
        client,
        endpoint,
        credentials,
        tx: tx.clone(),
        fetch_cancel: CancellationToken::new(),
        credentials_error,
        journal: None,
        journal_error: None,
    };
    // The journal: opened before anything can be decided; unfinished decisions of an earlier
    // run against this same endpoint are offered to the user.
    // Without a journal no decision could be protected, so the dashboard does not open.
    let dir = crate::app::config::data_dir().ok_or(
        "no data directory for the decision journal: set MTURK_TRIAGE_DATA to a writable folder",
    )?;
    let journal = Journal::open(&dir, &app.env.label, &app.env.endpoint).map_err(|e| {
        if e.starts_with("another mturk-triage") {
            e // says what to do itself
        } else {
            format!("{e} (set MTURK_TRIAGE_DATA to a writable folder)")
        }
    })?;
    let (recovered, unreadable) = journal.unfinished()?;
    if unreadable > 0 {
        notices.push((
            Level::Warn,
            format!(
                "{} of the decision journal {} could not be read and were skipped \
                 (a crash while writing can leave one)",
                crate::app::plural(unreadable, "line"),
                journal.path().display()
            ),
        ));
    }
    exec.journal = Some(journal);
    {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() {
            return Err(
                "the dashboard draws on a terminal, and standard output is not one: \
                 run it in a terminal (for scripts: `mturk-triage list`)"
                    .into(),
            );
        }
    }
    let mut guard =
        terminal::Guard::new().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let started = Instant::now();
    let now = move || started.elapsed().as_millis() as u64;
    if let Ok(size) = guard.terminal.size() {
        app.update(
            now(),
            Msg::Resize {
                width: size.width,
                height: size.height,
            },
        );
    }
    for (level, text) in notices {
        app.update(now(), Msg::Notice { level, text });
    }
    app.update(now(), Msg::Recovered(recovered));
    for fx in app.start(now()) {
        exec.run(fx);
    }
    #[cfg(unix)]
    let (mut sigterm, mut sighup) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).map_err(|e| e.to_string())?,
            signal(SignalKind::hangup()).map_err(|e| e.to_string())?,
        )
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut exit = ExitCode::SUCCESS;
    let fault = TestFault::from_env();
    let mut frames = 0u64;
    loop {
        if dirty {
            guard
                .draw(|f| {
                    if fault == Some(TestFault::Render) && frames > 0 {
                        panic!("injected panic in render (MTURK_TRIAGE_TEST_FAULT=render)");
                    }
                    crate::ui::draw(f, &app)
                })
                .map_err(|e| format!("cannot draw: {e}"))?;
            dirty = false;
            frames += 1;
            if frames == 1 {
                match fault {
                    Some(TestFault::Task) => {
                        tokio::spawn(async {
                            panic!(
                                "injected panic in a background task (MTURK_TRIAGE_TEST_FAULT=task)"
                            )
                        });
                    }
                    Some(TestFault::Error) => {
                        return Err(
                            "injected error from the run loop (MTURK_TRIAGE_TEST_FAULT=error)"
                                .into(),
                        );
                    }
                    Some(TestFault::Render) => {
                        // Force a second frame.
                        let _ = tx.send(Msg::Tick);
                    }
                    None => {}
                }
            }
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Some(Msg::Key(k)),
                Some(Ok(Event::Resize(width, height))) => Some(Msg::Resize { width, height }),
                Some(Ok(Event::Paste(text))) => Some(Msg::Paste(text)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => break
            },
            Some(m) = rx.recv() => Some(m),
            _ = tick.tick() => app.wants_ticks().then_some(Msg::Tick),
            _ = sigterm.recv() => { exit = ExitCode::from(143); break }
            _ = sighup.recv() => { exit = ExitCode::from(129); break }
        };
        let Some(first) = first else { continue };
        // Coalesce: handle everything already waiting (terminal input and task messages), then
        // draw once. A paste or key repeat arrives as many events at once.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && matches!(crossterm::event::poll(Duration::ZERO), Ok(true))
        {
            match crossterm::event::read() {
                Ok(Event::Key(k)) => batch.push(Msg::Key(k)),
                Ok(Event::Resize(width, height)) => batch.push(Msg::Resize { width, height }),
                Ok(Event::Paste(text)) => batch.push(Msg::Paste(text)),
                Ok(_) => {}
                Err(e) => return Err(format!("cannot read the terminal: {e}")),
            }
        }
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let mut quit = false;
        for msg in batch {
            for fx in app.update(now(), msg) {
                match fx {
                    Effect::Quit => quit = true,
                    Effect::Suspend => {
                        guard
                            .suspend()
                            .map_err(|e| format!("cannot resume the terminal: {e}"))?;
                    }
                    other => exec.run(other),
                }
            }
        }
        dirty = true;
        if quit {
            break;
        }
    }
    exec.fetch_cancel.cancel();
    drop(guard);
    // A session that ended without a usable listing (no credentials, unreachable, unknown type)
    // reports it in its exit status too.
    if exit == ExitCode::SUCCESS && matches!(app.listing, crate::app::Listing::Failed { .. }) {
        if let crate::app::Listing::Failed { error, .. } = &app.listing {
            eprintln!("mturk-triage: the last listing failed: {error}");
        }
        exit = ExitCode::from(1);
    }
    let c = app.counts();
    let left = app.active_count();
    let unsent = left + c.failed + c.unconfirmed;
    eprintln!(
        "mturk-triage: {} decided this session, {} still pending{}",
        c.decided,
        c.pending,
        if unsent > 0 {
            let next = if app.env.label == "DEMO" {
                "the demo starts afresh every time, so they are not carried over"
            } else {
                "they are offered again at the next start against this endpoint"
            };
            format!(
                ", {unsent} decision(s) NOT confirmed ({left} waiting or in flight, {} failed, {} unconfirmed): {next}",
                c.failed, c.unconfirmed
            )
        } else {
            String::new()
        }
    );
    Ok(exit)
}
