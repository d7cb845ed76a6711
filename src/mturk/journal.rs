//! The decision journal: JSON Lines in the data directory, each line flushed and fsync'd before
//! the call it announces goes out. It holds no credentials.
//!
//! Per request (and per endpoint) the entries form a little state machine:
//!
//! ```text
//! queued ──undone──────────────────────────────▶ finished
//!   │
//!   └─sending──outcome(ok|already_processed)──▶ finished
//!        │
//!        ├─outcome(failed): not applied ──▶ UNFINISHED (not sent)
//!        │
//!        └─outcome(unknown) / no outcome (crash) ──▶ UNFINISHED: settle by listing first
//! resolved(dropped|settled|resumed) ──▶ finished
//! ```
//!
//! On start, unfinished entries for the same endpoint are offered to the user (resume or drop).
//! A decision made against one endpoint never replays against another: the endpoint is part of
//! every entry's identity.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::Decision;

pub const FILE_NAME: &str = "decisions.jsonl";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionRec {
    Accept { value: i32 },
    Reject { reason: String },
}

impl From<&Decision> for DecisionRec {
    fn from(d: &Decision) -> Self {
        match d {
            Decision::Accept { value } => DecisionRec::Accept { value: *value },
            Decision::Reject { reason } => DecisionRec::Reject {
                reason: reason.clone(),
            },
        }
    }
}

impl From<&DecisionRec> for Decision {
    fn from(d: &DecisionRec) -> Self {
        match d {
            DecisionRec::Accept { value } => Decision::Accept { value: *value },
            DecisionRec::Reject { reason } => Decision::Reject {
                reason: reason.clone(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    AlreadyProcessed,
    /// Not applied (the service said so, or the call never reached it).
    Failed,
    /// May or may not have been applied.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The user dropped an unfinished decision from an earlier run.
    Dropped,
    /// A re-list showed the request no longer pending: nothing will be sent.
    Settled,
    /// A re-list showed it still pending: it is queued again (a new `queued` entry follows).
    Resumed,
}

/// What happened, as the reducer reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Queued {
        decision: DecisionRec,
    },
    Undone,
    Sending {
        decision: DecisionRec,
        attempt: u32,
    },
    Outcome {
        outcome: Outcome,
        error: Option<String>,
    },
    Resolved {
        resolution: Resolution,
    },
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// `SANDBOX`, `PRODUCTION`, `DEMO` or the custom endpoint.
    pub env: String,
    pub endpoint: String,
    pub request_id: String,
    pub worker_id: String,
    pub type_id: String,
    #[serde(flatten)]
    pub event: Event,
}

/// A decision from an earlier run whose outcome is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub request_id: String,
    pub worker_id: String,
    pub type_id: String,
    pub decision: Decision,
    /// A call went out (so it may have been applied).
    pub was_sent: bool,
}

#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Held open (and locked) while this dashboard runs on this endpoint.
    _lock: File,
    pub env: String,
    pub endpoint: String,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Journal {
    /// Open (create) the journal in `dir` for one environment.
    pub fn open(dir: &Path, env: &str, endpoint: &str) -> Result<Journal, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))?;
        let path = dir.join(FILE_NAME);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot open the decision journal {}: {e}", path.display()))?;
        let lock = lock(dir, endpoint)?;
        let mut j = Journal {
            path,
            file,
            _lock: lock,
            env: env.to_owned(),
            endpoint: endpoint.to_owned(),
        };
        j.end_torn_line()?;
        Ok(j)
    }

    /// A crash can leave a last line without its newline: end it, so the next entry stands on a
    /// line of its own (the torn line itself is skipped when reading).
    fn end_torn_line(&mut self) -> Result<(), String> {
        let bytes = std::fs::read(&self.path).map_err(|e| {
            format!(
                "cannot read the decision journal {}: {e}",
                self.path.display()
            )
        })?;
        if bytes.last().is_some_and(|b| *b != b'\n') {
            self.file
                .write_all(b"\n")
                .and_then(|_| self.file.sync_data())
                .map_err(|e| {
                    format!(
                        "cannot write the decision journal {}: {e}",
                        self.path.display()
                    )
                })?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one event, flushed and fsync'd before returning.
    pub fn append(
        &mut self,
        request_id: &str,
        worker_id: &str,
        type_id: &str,
        event: Event,
    ) -> Result<(), String> {
        let entry = Entry {
            at_ms: now_ms(),
            env: self.env.clone(),
            endpoint: self.endpoint.clone(),
            request_id: request_id.to_owned(),
            worker_id: worker_id.to_owned(),
            type_id: type_id.to_owned(),
            event,
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|e| {
                format!(
                    "cannot write the decision journal {}: {e}",
                    self.path.display()
                )
            })
    }

    /// Unfinished decisions for this journal's endpoint, and how many lines of the journal could
    /// not be read.
    pub fn unfinished(&self) -> Result<(Vec<Unfinished>, usize), String> {
        let (entries, bad) = read_entries_counted(&self.path)?;
        Ok((fold_unfinished(entries, &self.endpoint), bad))
    }
}

/// One dashboard per endpoint and data directory: two on the same queue with one journal would
/// each offer the other's in-flight decisions for "recovery". An exclusive lock on a lock file of
/// the endpoint, held while the file is open (released by the system when the process ends,
/// however it ends). Dashboards on other endpoints (sandbox and production side by side) share
/// the journal file, each appending whole lines.
fn lock(dir: &Path, endpoint: &str) -> Result<File, String> {
    let name: String = endpoint_key(endpoint)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("decisions.{name}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot create the lock file {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor we own; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            return Err(if e.kind() == std::io::ErrorKind::WouldBlock {
                format!(
                    "another mturk-triage on {endpoint} is already using {} (its decision journal \
                     is locked): quit it first, or give each dashboard its own MTURK_TRIAGE_DATA",
                    dir.display()
                )
            } else {
                format!("cannot lock {}: {e}", path.display())
            });
        }
    }
    Ok(file)
}

/// The same MTurk endpoint, however it was written: case, a trailing slash, the default port,
/// and the loopback names (`localhost`, `127.0.0.1`, `[::1]`) do not matter.
pub fn same_endpoint(a: &str, b: &str) -> bool {
    endpoint_key(a) == endpoint_key(b)
}

fn endpoint_key(url: &str) -> String {
    use crate::mturk::client::{host_and_port, is_loopback_host};
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once("://").map_or("", |(s, _)| s);
    let (host, port) = host_and_port(&lower);
    let port = match (scheme, port.as_deref()) {
        ("https", Some("443")) | ("http", Some("80")) | (_, None) => String::new(),
        (_, Some(p)) => p.to_owned(),
    };
    let host = if is_loopback_host(&host) {
        "loopback".to_owned()
    } else {
        host
    };
    format!("{scheme}://{host}:{port}")
}

/// Read every entry (lines that cannot be read, e.g. a line cut by a crash, are skipped).
pub fn read_entries(path: &Path) -> Result<Vec<Entry>, String> {
    read_entries_counted(path).map(|(entries, _)| entries)
}

/// Every entry, and how many (non-blank) lines could not be read: torn by a crash while being
/// written, or damaged.
pub fn read_entries_counted(path: &Path) -> Result<(Vec<Entry>, usize), String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => {
            return Err(format!(
                "cannot read the decision journal {}: {e}",
                path.display()
            ));
        }
    };
    let mut out = Vec::new();
    let mut bad = 0usize;
    for line in BufReader::new(file).lines() {
        let line =
            line.map_err(|e| format!("cannot read the decision journal {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&line) {
            Ok(entry) => out.push(entry),
            Err(_) => bad += 1,
        }
    }
    Ok((out, bad))
}

/// The decisions still open for `endpoint` in the journal at `path`, in the order first decided.
pub fn unfinished(path: &Path, endpoint: &str) -> Result<Vec<Unfinished>, String> {
    Ok(fold_unfinished(read_entries(path)?, endpoint))
}

/// Fold journal entries into the decisions still open for `endpoint` (however it is written,
/// see [`same_endpoint`]), in the order first decided.
fn fold_unfinished(entries: Vec<Entry>, endpoint: &str) -> Vec<Unfinished> {
    let mut open: HashMap<String, (usize, Unfinished)> = HashMap::new();
    for (i, e) in entries.into_iter().enumerate() {
        if !same_endpoint(&e.endpoint, endpoint) {
            continue;
        }
        match e.event {
            Event::Queued { decision } => {
                open.insert(
                    e.request_id.clone(),
                    (
                        i,
                        Unfinished {
                            request_id: e.request_id,
                            worker_id: e.worker_id,
                            type_id: e.type_id,
                            decision: (&decision).into(),
                            was_sent: false,
                        },
                    ),
                );
            }
            Event::Sending { decision, .. } => {
                let entry = open.entry(e.request_id.clone()).or_insert_with(|| {
                    (
                        i,
                        Unfinished {
                            request_id: e.request_id.clone(),
                            worker_id: e.worker_id.clone(),
                            type_id: e.type_id.clone(),
                            decision: (&decision).into(),
                            was_sent: true,
                        },
                    )
                });
                entry.1.was_sent = true;
                entry.1.decision = (&decision).into();
            }
            Event::Outcome {
                outcome: Outcome::Unknown,
                ..
            } => {}
            // Not applied, and the user has not given up on it: still open (not sent).
            Event::Outcome {
                outcome: Outcome::Failed,
                ..
            } => {
                if let Some(entry) = open.get_mut(&e.request_id) {
                    entry.1.was_sent = false;
                }
            }
            Event::Outcome { .. } | Event::Undone | Event::Resolved { .. } => {
                open.remove(&e.request_id);
            }
        }
    }
    let mut v: Vec<(usize, Unfinished)> = open.into_values().collect();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(dir: &Path, endpoint: &str) -> Journal {
        Journal::open(dir, "SANDBOX", endpoint).unwrap()
    }

    /// Journal an accept of `id` (value 1), queued and never sent.
    fn queue_accept(j: &mut Journal, id: &str) {
        j.append(
            id,
            "AW1",
            "3T",
            Event::Queued {
                decision: DecisionRec::Accept { value: 1 },
            },
        )
        .unwrap();
    }

    #[test]
    fn open_decisions_are_those_without_a_final_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = j(dir.path(), "http://a");
        let acc = DecisionRec::Accept { value: 3 };
        let ev = |d: &DecisionRec| Event::Queued {
            decision: d.clone(),
        };
        // R1: sent and confirmed → finished.
        a.append("R1", "AW1", "3T", ev(&acc)).unwrap();
        a.append(
            "R1",
            "AW1",
            "3T",
            Event::Sending {
                decision: acc.clone(),
                attempt: 0,
            },
        )
        .unwrap();
        a.append(
            "R1",
            "AW1",
            "3T",
            Event::Outcome {
                outcome: Outcome::Ok,
                error: None,
            },
        )
        .unwrap();
        // R2: queued then undone → finished.
        a.append("R2", "AW2", "3T", ev(&acc)).unwrap();
        a.append("R2", "AW2", "3T", Event::Undone).unwrap();
        // R3: sent, no outcome (crash) → unfinished, was sent.
        a.append("R3", "AW3", "3T", ev(&acc)).unwrap();
        a.append(
            "R3",
            "AW3",
            "3T",
            Event::Sending {
                decision: acc.clone(),
                attempt: 0,
            },
        )
        .unwrap();
        // R6: sent, failed (not applied) → still open, not sent.
        a.append("R6", "AW6", "3T", ev(&acc)).unwrap();
        a.append(
            "R6",
            "AW6",
            "3T",
            Event::Sending {
                decision: acc.clone(),
                attempt: 0,
            },
        )
        .unwrap();
        a.append(
            "R6",
            "AW6",
            "3T",
            Event::Outcome {
                outcome: Outcome::Failed,
                error: Some("throttled".into()),
            },
        )
        .unwrap();
        // R4: queued only → unfinished, not sent.
        let rej = DecisionRec::Reject {
            reason: "no".into(),
        };
        a.append("R4", "AW4", "3T", ev(&rej)).unwrap();
        // R5: unknown outcome → unfinished.
        a.append("R5", "AW5", "3T", ev(&acc)).unwrap();
        a.append(
            "R5",
            "AW5",
            "3T",
            Event::Sending {
                decision: acc.clone(),
                attempt: 0,
            },
        )
        .unwrap();
        a.append(
            "R5",
            "AW5",
            "3T",
            Event::Outcome {
                outcome: Outcome::Unknown,
                error: Some("timeout".into()),
            },
        )
        .unwrap();
        // Another endpoint's open decision does not show here.
        let mut b = j(dir.path(), "http://b");
        b.append("R9", "AW9", "3T", ev(&acc)).unwrap();
        let (open, unreadable) = a.unfinished().unwrap();
        assert_eq!(unreadable, 0);
        let ids: Vec<_> = open
            .iter()
            .map(|u| (u.request_id.as_str(), u.was_sent))
            .collect();
        assert_eq!(
            ids,
            vec![("R3", true), ("R6", false), ("R4", false), ("R5", true)]
        );
        assert_eq!(
            open[2].decision,
            Decision::Reject {
                reason: "no".into()
            }
        );
        assert_eq!(b.unfinished().unwrap().0.len(), 1);
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = j(dir.path(), "http://a");
        queue_accept(&mut a, "R1");
        let mut f = OpenOptions::new().append(true).open(a.path()).unwrap();
        f.write_all(b"{\"at_ms\":1,\"env\":\"SAND").unwrap();
        let (open, unreadable) = a.unfinished().unwrap();
        assert_eq!((open.len(), unreadable), (1, 1));
        // Reopened after the crash: the next entry is readable; the torn line is counted.
        drop(a);
        let mut a = j(dir.path(), "http://a");
        a.append("R1", "AW1", "3T", Event::Undone).unwrap();
        assert_eq!(a.unfinished().unwrap().0.len(), 0);
        assert_eq!(a.unfinished().unwrap().1, 1);
    }

    #[test]
    fn one_dashboard_per_endpoint_and_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = j(dir.path(), "http://127.0.0.1:9");
        // The same endpoint, written another way: refused while the first runs.
        let e = Journal::open(dir.path(), "SANDBOX", "http://localhost:9/").unwrap_err();
        assert!(
            e.contains("another mturk-triage on http://localhost:9/ is already using")
                && e.contains("MTURK_TRIAGE_DATA"),
            "{e}"
        );
        // Another endpoint in the same folder is fine.
        let _other = j(
            dir.path(),
            "https://mturk-requester-sandbox.us-east-1.amazonaws.com",
        );
        drop(first);
        assert!(Journal::open(dir.path(), "SANDBOX", "http://127.0.0.1:9").is_ok());
    }

    #[test]
    fn endpoints_compare_however_written() {
        assert!(same_endpoint(
            "http://127.0.0.1:8443",
            "http://localhost:8443/"
        ));
        assert!(same_endpoint("http://[::1]:8443", "HTTP://127.0.0.1:8443"));
        assert!(same_endpoint(
            "http://[0:0:0:0:0:0:0:1]:8443",
            "http://localhost.:8443"
        ));
        assert!(same_endpoint(
            "http://[::ffff:127.0.0.1]:8443",
            "http://127.0.0.1:8443"
        ));
        assert!(same_endpoint(
            "https://mturk-requester.us-east-1.amazonaws.com:443",
            "https://MTURK-requester.us-east-1.amazonaws.com/"
        ));
        assert!(!same_endpoint(
            "http://127.0.0.1:8443",
            "http://127.0.0.1:8444"
        ));
        assert!(!same_endpoint(
            "https://mturk-requester.us-east-1.amazonaws.com",
            "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
        ));
        assert!(!same_endpoint(
            "http://127.0.0.1:80",
            "https://127.0.0.1:443"
        ));
    }

    #[test]
    fn an_earlier_run_on_localhost_is_recovered_on_127_0_0_1() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = j(dir.path(), "http://localhost:18446");
        queue_accept(&mut a, "R1");
        drop(a);
        let b = j(dir.path(), "http://127.0.0.1:18446");
        assert_eq!(b.unfinished().unwrap().0.len(), 1);
    }
}
