//! `mturk-triage sim`: a local server speaking the MTurk Requester API (AWS JSON 1.1).
//!
//! Flags, data and every protocol choice are documented in `docs/sim.md`. Layout:
//! * [`server`]: accept loop, HTTP, `X-Amz-Target` dispatch, faults, latency, response headers;
//! * [`ops`]: the nine operations and their input validation;
//! * [`state`]: types, requests, decisions, grants, pagination tokens;
//! * [`data`]: the built-in data set, `--forms`, `--requests-file`;
//! * [`generator`]: ids, workers and answers valid for their form;
//! * [`faults`], [`record`], [`json`] (number spelling), [`rng`] (stable PRNG).

pub mod data;
pub mod error;
pub mod faults;
pub mod generator;
pub mod json;
pub mod ops;
pub mod record;
pub mod rng;
pub mod server;
pub mod sigv4;
pub mod state;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use faults::FaultKind;
pub use ops::{DEFAULT_MAX_RESULTS, Op};
pub use state::{Dataset, Decision, QualRequest, QualType};

/// Everything the sim needs to start; `mturk-triage sim` flags map one to one onto it.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    /// Every `*.questionform.xml` in it becomes an owned qualification type. `None`: the built-in
    /// demo data set from `assets/`.
    pub forms_dir: Option<PathBuf>,
    /// Generated pending requests spread across the types.
    pub requests: usize,
    /// JSON Lines of explicit requests, served as given (in addition to generated ones).
    pub requests_file: Option<PathBuf>,
    pub seed: u64,
    pub latency_ms: u64,
    /// Fraction of calls answered with ServiceFault, ThrottlingException or a dropped connection.
    pub fault_rate: f64,
    /// One JSON line per successful state-changing call.
    pub record: Option<PathBuf>,
    /// Allow a listen address that is not loopback (`--allow-non-loopback`). Off by default:
    /// the sim has no authentication.
    pub allow_non_loopback: bool,
    /// Serve a form's `STEM.answerkey.xml` as the type's `AnswerKey` (`--expose-answer-keys`).
    /// Off by default: on MTurk a type with an AnswerKey is graded automatically, so its requests
    /// would never wait for review; pending requests plus an AnswerKey is not faithful.
    pub expose_answer_keys: bool,
    /// Test hook: faults for the next calls, in order, before any random fault. Also see
    /// [`SimHandle::fail_next`].
    pub fail_next: Vec<FaultKind>,
    /// Generated SubmitTimes lie in the six days before this instant (epoch ms). `None`: the start
    /// of the current UTC day, so the same seed gives the same data all day.
    pub time_anchor_ms: Option<i64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            forms_dir: None,
            requests: 40,
            requests_file: None,
            seed: 1,
            latency_ms: 0,
            fault_rate: 0.0,
            record: None,
            allow_non_loopback: false,
            expose_answer_keys: false,
            fail_next: Vec::new(),
            time_anchor_ms: None,
        }
    }
}

impl SimConfig {
    /// Check the values that do not need the file system.
    pub fn validate(&self) -> Result<(), String> {
        if !self.fault_rate.is_finite() || !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(format!(
                "--fault-rate {} is not a fraction between 0 and 1",
                self.fault_rate
            ));
        }
        if !self.listen.ip().is_loopback() && !self.allow_non_loopback {
            return Err(format!(
                "--listen {}: not a loopback address; the sim has no authentication, so it only \
                 listens on 127.0.0.1 / ::1 unless --allow-non-loopback is given",
                self.listen
            ));
        }
        if self.latency_ms > 600_000 {
            return Err(format!(
                "--latency-ms {} is more than 10 minutes",
                self.latency_ms
            ));
        }
        if self.requests > 100_000 {
            return Err(format!("--requests {} is more than 100000", self.requests));
        }
        Ok(())
    }

    fn anchor_ms(&self) -> i64 {
        self.time_anchor_ms.unwrap_or_else(|| {
            let now = json::now_ms();
            now - now.rem_euclid(86_400_000)
        })
    }
}

/// The data set a config describes (what [`start`] would serve), without starting anything.
pub fn load_dataset(cfg: &SimConfig) -> Result<Dataset, String> {
    cfg.validate()?;
    data::build_dataset(cfg, cfg.anchor_ms())
}

/// A running sim. Dropping it does not stop the server; call [`SimHandle::shutdown`].
pub struct SimHandle {
    pub addr: SocketAddr,
    /// The data set's warnings (see [`Dataset::warnings`]); `sim` prints them to stderr.
    pub warnings: Vec<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<server::Shared>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Test hook: the next calls (any operation) get these faults, in order.
    pub fn fail_next(&self, kinds: impl IntoIterator<Item = FaultKind>) {
        self.shared.lock().faults.push(kinds);
    }

    /// Test hook: the next calls of one operation get these faults, in order (before the
    /// general queue of [`SimHandle::fail_next`]).
    pub fn fail_next_for(&self, op: Op, kinds: impl IntoIterator<Item = FaultKind>) {
        self.shared.lock().faults.push_for(op, kinds);
    }

    /// Change the random fault rate while running (clamped to 0..=1).
    pub fn set_fault_rate(&self, rate: f64) {
        let rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.shared.lock().faults.set_rate(rate);
    }

    /// Calls received for an operation name (faulted ones included; `"?"` for unknown targets).
    pub fn calls(&self, op: &str) -> usize {
        self.shared.lock().calls.get(op).copied().unwrap_or(0)
    }

    /// Pending requests in listing order (SubmitTime, then id).
    pub fn pending(&self) -> Vec<QualRequest> {
        self.shared.lock().state.pending().cloned().collect()
    }

    /// All qualification types, owned and system ones.
    pub fn types(&self) -> Vec<QualType> {
        self.shared.lock().state.types().to_vec()
    }

    /// How a request was decided (`None`: still pending or unknown).
    pub fn decision(&self, request_id: &str) -> Option<Decision> {
        self.shared
            .lock()
            .state
            .request(request_id)
            .and_then(|(_, d)| d.cloned())
    }

    /// The IntegerValue a worker holds for a type.
    pub fn score(&self, type_id: &str, worker_id: &str) -> Option<i64> {
        self.shared
            .lock()
            .state
            .grant(type_id, worker_id)
            .map(|g| g.value)
    }

    /// Whether CreateWorkerBlock blocked this worker.
    pub fn is_blocked(&self, worker_id: &str) -> bool {
        self.shared.lock().state.is_blocked(worker_id)
    }
}

/// Bind and start serving in the background of the current tokio runtime.
pub async fn start(cfg: SimConfig) -> Result<SimHandle, String> {
    let mut dataset = load_dataset(&cfg)?;
    let warnings = std::mem::take(&mut dataset.warnings);
    let recorder = match &cfg.record {
        Some(p) => record::Recorder::open(p)?,
        None => record::Recorder::none(),
    };
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let instance = rng::SimRng::derived(json::now_ms() as u64, &addr.to_string()).next_u64();
    let inner = server::Inner {
        state: state::State::new(dataset, instance, cfg.expose_answer_keys),
        recorder,
        faults: faults::FaultPlan::new(cfg.fault_rate, cfg.seed, cfg.fail_next.clone()),
        calls: Default::default(),
    };
    let shared = Arc::new(server::Shared::new(
        inner,
        Duration::from_millis(cfg.latency_ms),
        cfg.seed,
    ));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let router = server::router(shared.clone());
    let task = tokio::spawn(server::serve(listener, router, rx));
    Ok(SimHandle {
        addr,
        warnings,
        shutdown: Some(tx),
        task,
        shared,
    })
}

impl From<crate::cli::SimArgs> for SimConfig {
    fn from(a: crate::cli::SimArgs) -> Self {
        SimConfig {
            listen: a.listen,
            forms_dir: a.forms,
            requests: a.requests,
            requests_file: a.requests_file,
            seed: a.seed,
            latency_ms: a.latency_ms,
            fault_rate: a.fault_rate,
            record: a.record,
            allow_non_loopback: a.allow_non_loopback,
            expose_answer_keys: a.expose_answer_keys,
            fail_next: Vec::new(),
            time_anchor_ms: None,
        }
    }
}

/// `mturk-triage sim`: start, print the endpoint URL as the first stdout line, serve until
/// Ctrl-C / SIGTERM.
pub async fn run_cli(args: crate::cli::SimArgs) -> Result<std::process::ExitCode, String> {
    // Watch for the signals before anything is printed: a caller may stop us right after
    // reading the URL.
    let stop = StopSignals::install()?;
    let handle = start(SimConfig::from(args)).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.endpoint_url())
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write the endpoint URL to stdout: {e}"))?;
    }
    let (types, pending) = {
        let inner = handle.shared.lock();
        (
            inner.state.types().iter().filter(|t| t.owned).count(),
            inner.state.pending().count(),
        )
    };
    for w in &handle.warnings {
        eprintln!("mturk-triage sim: warning: {w}");
    }
    use crate::app::plural;
    eprintln!(
        "mturk-triage sim: {} across {} on {}; Ctrl-C to stop",
        plural(pending, "pending request"),
        plural(types, "owned qualification type"),
        handle.endpoint_url()
    );
    stop.wait().await?;
    let (calls, faults, repeats) = {
        let inner = handle.shared.lock();
        (
            inner.calls.values().sum::<usize>(),
            inner.faults.injected,
            inner.state.repeat_decisions,
        )
    };
    eprintln!(
        "mturk-triage sim: stopped after {calls} calls, {faults} faults injected, \
         {repeats} decisions refused as already decided"
    );
    handle.shutdown().await;
    Ok(std::process::ExitCode::SUCCESS)
}

/// SIGINT (Ctrl-C) and SIGTERM, registered when created.
struct StopSignals {
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl StopSignals {
    fn install() -> Result<Self, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let watch = |kind: SignalKind, name: &str| {
                signal(kind).map_err(|e| format!("cannot watch for {name}: {e}"))
            };
            Ok(StopSignals {
                signals: (
                    watch(SignalKind::interrupt(), "Ctrl-C")?,
                    watch(SignalKind::terminate(), "SIGTERM")?,
                ),
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    async fn wait(self) -> Result<(), String> {
        #[cfg(unix)]
        {
            let (mut int, mut term) = self.signals;
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))
        }
    }
}
