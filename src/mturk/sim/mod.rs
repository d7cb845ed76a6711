//! `mturk-triage sim`: a local server speaking the MTurk Requester API (AWS JSON 1.1).

use std::net::SocketAddr;
use std::path::PathBuf;

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
        }
    }
}

/// A running sim. Dropping it does not stop the server; call [`SimHandle::shutdown`].
pub struct SimHandle {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
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
        let _ = self.task.await;
    }
}

/// Bind and start serving in the background of the current tokio runtime.
pub async fn start(_cfg: SimConfig) -> Result<SimHandle, String> {
    Err("sim: not implemented yet".into())
}

/// `mturk-triage sim`: start, print the endpoint URL as the first stdout line, serve until
/// Ctrl-C / SIGTERM.
pub async fn run_cli(_args: crate::cli::SimArgs) -> Result<std::process::ExitCode, String> {
    Err("sim: not implemented yet".into())
}
