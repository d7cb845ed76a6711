//! The terminal guard: raw mode + alternate screen on enter; restored exactly once on every exit
//! path (normal return, error, panic anywhere, signals), and around Ctrl-Z suspension.

use std::cell::Cell;
use std::io::{Stdout, Write, stdout};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// True while the terminal is in raw mode / the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Held while a frame is written, and by a panicking thread from restoring to exiting, so that a
/// panic in a background task cannot interleave with (or be followed by) a frame.
static DRAW_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    /// This thread is inside `Guard::draw` (a panic in render must not wait for its own lock).
    static IN_DRAW: Cell<bool> = const { Cell::new(false) };
}

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Put the terminal back: cooked mode, main screen, visible cursor. Does nothing when already
/// restored, so every exit path may call it.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = stdout();
        let _ = queue!(out, DisableBracketedPaste, LeaveAlternateScreen, Show);
        let _ = out.flush();
        let _ = disable_raw_mode();
    }
}

fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // Bracketed paste: a paste arrives as one text, never as keystrokes (a pasted `a` must not
    // accept a request, a pasted newline must not send a reason).
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    Ok(())
}

/// Restores the terminal when dropped.
pub struct Guard {
    pub terminal: Tui,
}

impl Guard {
    /// Enter raw mode and the alternate screen, and make sure a panic anywhere (render, a
    /// background task) restores the terminal before its message is printed, then exits.
    pub fn new() -> std::io::Result<Guard> {
        install_panic_hook();
        enter()?;
        let terminal = match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Guard { terminal })
    }

    /// Draw one frame (under the draw lock).
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> std::io::Result<()> {
        let _lock = DRAW_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        IN_DRAW.with(|f| f.set(true));
        let r = self.terminal.draw(render).map(|_| ());
        IN_DRAW.with(|f| f.set(false));
        r
    }

    /// Ctrl-Z: give the terminal back to the shell, stop, and take it again on `fg`.
    pub fn suspend(&mut self) -> std::io::Result<()> {
        restore();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        enter()?;
        // A fresh terminal and a cleared screen redraw everything on the next frame (without
        // asking the terminal for its cursor position, which not every terminal answers).
        execute!(stdout(), Clear(ClearType::All))?;
        self.terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
        Ok(())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

static HOOK_SET: AtomicBool = AtomicBool::new(false);

fn install_panic_hook() {
    if HOOK_SET.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::qform::formatted::panic_is_caught_here() {
            // Caught and handled where it happened (HTML falls back to plain text).
            tracing::warn!("html rendering panicked and was caught: {info}");
            return;
        }
        // Another thread may be drawing: wait for its frame, then keep the lock until exit.
        let _lock = if IN_DRAW.with(Cell::get) {
            None
        } else {
            Some(DRAW_LOCK.lock().unwrap_or_else(|e| e.into_inner()))
        };
        restore();
        previous(info);
        eprintln!(
            "mturk-triage: internal error; the terminal was restored. Log: see --help for the data directory."
        );
        // A panic in a background task must not leave the UI drawing on a restored terminal.
        std::process::exit(101);
    }));
}
