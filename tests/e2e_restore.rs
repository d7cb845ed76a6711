//! The terminal is restored on every exit path: panic in render, panic in a background task,
//! an error returned from the run loop, SIGTERM, SIGHUP. The product runs in a pseudo-terminal
//! against an unreachable 127.0.0.1 endpoint (no server needed for these paths).

mod common;

use common::{PtyApp, temp_dir};

fn spawn(fault: Option<&str>, dir: &tempfile::TempDir) -> PtyApp {
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let data = dir.path().join("data");
    let mut env = vec![
        ("MTURK_TRIAGE_CONFIG", config.to_str().unwrap().to_owned()),
        ("MTURK_TRIAGE_DATA", data.to_str().unwrap().to_owned()),
        ("RUST_BACKTRACE", "0".to_owned()),
    ];
    if let Some(f) = fault {
        env.push(("MTURK_TRIAGE_TEST_FAULT", f.to_owned()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    PtyApp::spawn(&["--endpoint-url", "http://127.0.0.1:9"], &env, 80, 24)
}

/// After exit: left the alternate screen after entering it, cursor visible, raw mode off
/// (checked through what the program printed after restoring, which is readable text).
fn assert_restored(app: &PtyApp, message: &str) {
    let raw = app.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    let enter = text
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let leave = text
        .rfind("\x1b[?1049l")
        .expect("left the alternate screen");
    assert!(leave > enter, "left after entering");
    assert_eq!(
        text.matches("\x1b[?1049l").count(),
        1,
        "restored exactly once"
    );
    let after = &text[leave..];
    assert!(after.contains("\x1b[?25h"), "cursor shown");
    let parser = app.parser.lock().unwrap();
    let screen = parser.screen();
    assert!(!screen.alternate_screen(), "main screen");
    assert!(!screen.hide_cursor(), "cursor visible");
    let contents = screen.contents();
    assert!(
        contents.contains(message),
        "message readable on the main screen:\n{contents}"
    );
    // In cooked mode the line discipline turns \n into \r\n: the message lines start at column 0.
    for line in contents.lines().filter(|l| l.contains("mturk-triage")) {
        assert!(
            line.starts_with("mturk-triage") || line.starts_with("thread"),
            "staircase output: {line:?}"
        );
    }
    drop(parser);
    // And the terminal itself is back in cooked mode: line editing, echo, signals from keys.
    let lflag = app.local_modes();
    for (flag, name) in [
        (libc::ICANON, "ICANON"),
        (libc::ECHO, "ECHO"),
        (libc::ISIG, "ISIG"),
    ] {
        assert!(
            lflag & flag != 0,
            "{name} is off after exit: raw mode left behind"
        );
    }
}

#[test]
fn panic_in_render_restores_the_terminal() {
    let dir = temp_dir();
    let mut app = spawn(Some("render"), &dir);
    let status = app.wait_exit(20);
    assert!(!status.success());
    assert_restored(&app, "injected panic in render");
}

#[test]
fn panic_in_a_background_task_restores_the_terminal() {
    let dir = temp_dir();
    let mut app = spawn(Some("task"), &dir);
    let status = app.wait_exit(20);
    assert!(!status.success());
    assert_restored(&app, "injected panic in a background task");
}

#[test]
fn error_from_the_run_loop_restores_the_terminal() {
    let dir = temp_dir();
    let mut app = spawn(Some("error"), &dir);
    let status = app.wait_exit(20);
    assert!(!status.success());
    assert_restored(&app, "injected error from the run loop");
}

fn signal_test(sig: i32, name: &str) {
    let dir = temp_dir();
    let mut app = spawn(None, &dir);
    app.wait_text("pending", 20);
    let pid = app.child.process_id().expect("pid") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill {name}");
    let status = app.wait_exit(20);
    assert!(!status.success(), "{name} gives a non-zero exit");
    assert_restored(&app, "mturk-triage: ");
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_test(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_test(libc::SIGHUP, "SIGHUP");
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes() {
    let dir = temp_dir();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let sim = common::SimProcess::start(&["--requests", "2"]);
    // An interactive shell with job control, as a user has.
    let mut shell = PtyApp::spawn_program(
        "bash",
        &["--norc", "--noprofile", "-i"],
        &[("PS1", "$ ")],
        100,
        25,
    );
    shell.wait_text("$", 10);
    let cmd = format!(
        "MTURK_TRIAGE_CONFIG={} MTURK_TRIAGE_DATA={} {} --endpoint-url {}\r",
        config.display(),
        dir.path().join("data").display(),
        common::BIN,
        sim.url
    );
    shell.send(cmd.as_bytes());
    shell.wait_for("the dashboard", 30, |s| {
        common::header_count(s, "loaded") == Some(2)
    });
    shell.send(b"\x1a");
    shell.wait_text("Stopped", 10);
    {
        let p = shell.parser.lock().unwrap();
        assert!(
            !p.screen().alternate_screen(),
            "the shell has the main screen"
        );
    }
    shell.send(b"fg\r");
    shell.wait_for("the dashboard again", 10, |s| {
        common::header_count(s, "loaded") == Some(2)
    });
    assert!(shell.parser.lock().unwrap().screen().alternate_screen());
    shell.send(b"q");
    shell.wait_text("still pending", 10);
    shell.send(b"exit\r");
    shell.wait_exit(10);
}

/// Run the dashboard with no terminal on stdout (so it must stop before drawing): its exit code,
/// standard error and standard output.
fn run_headless(data: &std::path::Path, args: &[&str]) -> (Option<i32>, String, Vec<u8>) {
    let out = std::process::Command::new(common::BIN)
        .args(args)
        .env("MTURK_TRIAGE_DATA", data)
        .env("MTURK_TRIAGE_CONFIG", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.stdout,
    )
}

#[test]
fn an_unwritable_data_directory_stops_before_the_dashboard_opens() {
    let (code, err, stdout) = run_headless(
        std::path::Path::new("/proc/no-such-dir/x"),
        &["--endpoint-url", "http://127.0.0.1:9"],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot create the data directory") && err.contains("MTURK_TRIAGE_DATA"),
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&stdout).contains("\u{1b}[?1049h"),
        "the terminal was never touched"
    );
}

#[test]
fn the_cooked_mode_check_sees_raw_mode_left_behind() {
    // The check above can fail: a program that leaves raw mode on is caught.
    let mut app = PtyApp::spawn_program("sh", &["-c", "stty raw -echo"], &[], 80, 24);
    app.wait_exit(10);
    let lflag = app.local_modes();
    assert_eq!(lflag & libc::ICANON, 0, "stty raw turned ICANON off");
    assert_eq!(lflag & libc::ECHO, 0, "stty -echo turned ECHO off");
}

#[test]
fn an_unwritable_log_file_is_a_clear_message_not_a_panic() {
    let dir = temp_dir();
    // A folder where the log file should be: it cannot be opened for writing (even by root).
    std::fs::create_dir_all(dir.path().join("mturk-triage.log")).unwrap();
    for args in [&["--endpoint-url", "http://127.0.0.1:9"][..], &["demo"][..]] {
        let (code, err, _) = run_headless(dir.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cannot write the log file")
                && err.contains("mturk-triage.log")
                && err.contains("MTURK_TRIAGE_DATA"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn the_dashboard_refuses_to_draw_into_a_pipe() {
    let dir = temp_dir();
    let (code, err, stdout) = run_headless(dir.path(), &["--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("standard output is not one") && err.contains("mturk-triage list"),
        "{err}"
    );
    assert!(stdout.is_empty(), "nothing drawn into the pipe");
}

#[test]
fn a_data_directory_that_is_a_file_is_named_so() {
    let dir = temp_dir();
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let (code, err, _) = run_headless(&file, &["--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is a file, not a folder"), "{err}");
}
