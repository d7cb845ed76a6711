//! The bottom lines: transient messages, and the key hints of the current mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::keys::BINDINGS;
use crate::app::{App, Level, Listing, Mode};
use crate::qform::sanitize::{sanitize, truncate};

pub fn render_message(frame: &mut Frame, area: Rect, app: &App) {
    let w = usize::from(area.width);
    let line = if let Some(f) = &app.flash {
        let style = match f.level {
            Level::Info => theme::info(),
            Level::Warn => theme::warn(),
            Level::Error => theme::error(),
        };
        Line::styled(truncate(&sanitize(&f.text), w), style)
    } else if let Listing::Failed { error, .. } = &app.listing {
        Line::styled(
            truncate(
                &sanitize(&format!("listing failed: {error} — R tries again")),
                w,
            ),
            theme::error(),
        )
    } else {
        Line::raw("")
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The hints for the current mode, as (key, word) pairs.
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    match &app.mode {
        Mode::Normal => BINDINGS
            .iter()
            .filter(|b| b.in_bar)
            .map(|b| (b.label, b.hint))
            .collect(),
        Mode::Help => vec![("any key", "close help")],
        Mode::ValuePrompt { .. } => vec![("Enter", "accept"), ("Esc", "cancel")],
        Mode::ReasonPrompt { .. } => {
            vec![("Enter", "reject"), ("Tab", "template"), ("Esc", "cancel")]
        }
        Mode::ConfirmQuit => vec![("y", "quit now"), ("s", "send, then quit"), ("Esc", "stay")],
        Mode::Recover => vec![("r", "resume (checked first)"), ("d", "drop")],
    }
}

pub fn render_hints(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let w = usize::from(area.width);
    for (key, word) in hints(app) {
        let piece = key.chars().count() + word.chars().count() + 2;
        if used + piece > w {
            break;
        }
        spans.push(Span::styled(key, theme::key()));
        spans.push(Span::raw(format!(" {word} ")));
        used += piece;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
