//! Helpers shared by the end-to-end tests: a `sim` child process and the product in a
//! pseudo-terminal, read through a vt100 emulator. Everything talks to 127.0.0.1 only.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_mturk-triage");

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A `mturk-triage sim` process, killed on drop. Its stderr goes to a file (see `stop`).
pub struct SimProcess {
    pub child: Child,
    pub url: String,
    stderr: tempfile::NamedTempFile,
}

impl SimProcess {
    pub fn start(args: &[&str]) -> SimProcess {
        let stderr = tempfile::NamedTempFile::new().expect("temp file");
        let mut child = Command::new(BIN)
            .arg("sim")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr.reopen().expect("reopen")))
            .spawn()
            .expect("start sim");
        let stdout = child.stdout.take().expect("sim stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read sim url");
        let url = first.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "sim printed {url:?}");
        SimProcess { child, url, stderr }
    }

    /// Stop with SIGTERM and return what the sim wrote to stderr.
    pub fn stop(mut self) -> String {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }
}

/// The number before `what` in the dashboard's header line (`12 loaded · 3 pending …`).
pub fn header_count(screen: &str, what: &str) -> Option<usize> {
    let first = screen.lines().next()?;
    let idx = first.find(what)?;
    first[..idx].split_whitespace().last()?.parse().ok()
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The product running in a pseudo-terminal.
pub struct PtyApp {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, for checks on raw output.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl PtyApp {
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> PtyApp {
        PtyApp::spawn_program(BIN, args, env, cols, rows)
    }

    /// Any program in a pseudo-terminal (e.g. a shell for job-control tests).
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> PtyApp {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().expect("rows > 0"),
            cols.try_into().expect("cols > 0"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        p.lock().unwrap().process(&buf[..n]);
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        PtyApp {
            parser,
            raw,
            writer,
            child,
            _master: pair.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Wait until the screen satisfies `pred`; panics with the screen after `secs`.
    pub fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_text(&self, text: &str, secs: u64) -> String {
        self.wait_for(text, secs, |s| s.contains(text))
    }

    /// The terminal's local modes now (`c_lflag`, read through the master side): after the
    /// program exits, what it left the terminal in.
    pub fn local_modes(&self) -> libc::tcflag_t {
        let fd = self._master.as_raw_fd().expect("master fd");
        // SAFETY: tcgetattr fills a plain C struct from an open descriptor we own.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(fd, &mut t), 0, "tcgetattr");
            t.c_lflag
        }
    }

    /// SIGKILL, at once: no signal handler runs, nothing is cleaned up (portable-pty's own
    /// `kill` sends SIGHUP first, which the dashboard handles and exits cleanly on).
    pub fn kill_9(&mut self) {
        let pid = self.child.process_id().expect("child pid");
        // SAFETY: signalling our own child.
        let rc = unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        assert_eq!(rc, 0, "kill -9 {pid}");
        let status = self.child.wait().expect("wait after kill -9");
        assert!(!status.success(), "killed, not exited: {status:?}");
    }

    /// Wait for the process to exit; kills it after `secs`.
    pub fn wait_exit(&mut self, secs: u64) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("process did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// A temporary folder for config, data and record files.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}
