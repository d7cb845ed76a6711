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
        Mode::Normal if app.quit_when_idle => vec![
            ("", "sending what waits, then quitting…"),
            ("Ctrl-c Ctrl-c", "quit now"),
        ],
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
        Mode::Recover => vec![
            ("r", "resume (checked first)"),
            ("d", "drop"),
            ("q", "quit"),
        ],
    }
}

/// The hints that fit in `w` columns, in table order; `? help` and `q quit` are kept first
/// (others are left out from the end when the line is too narrow).
pub fn fitting_hints(
    hints: &[(&'static str, &'static str)],
    w: usize,
) -> Vec<(&'static str, &'static str)> {
    let widths: Vec<usize> = hints
        .iter()
        .map(|(key, word)| key.chars().count() + word.chars().count() + 2)
        .collect();
    let priority: Vec<u8> = hints
        .iter()
        .map(|h| if matches!(h.1, "help" | "quit") { 0 } else { 1 })
        .collect();
    let keep = super::keep_by_priority(&widths, &priority, w, 0);
    hints
        .iter()
        .zip(keep)
        .filter_map(|(h, k)| k.then_some(*h))
        .collect()
}

pub fn render_hints(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    for (key, word) in fitting_hints(&hints(app), usize::from(area.width)) {
        spans.push(Span::styled(key, theme::key()));
        spans.push(Span::raw(format!(" {word} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::fitting_hints;

    #[test]
    fn help_and_quit_are_always_in_the_bar() {
        let hints = [
            ("Tab", "focus"),
            ("J/K", "scroll"),
            ("a", "accept"),
            ("r", "reject"),
            ("?", "help"),
            ("q", "quit"),
        ];
        let all = fitting_hints(&hints, 200);
        assert_eq!(all, hints.to_vec());
        // 10 + 11 + 9 + 7 + 7 = 44: "r reject" no longer fits beside help and quit.
        assert_eq!(
            fitting_hints(&hints, 44),
            vec![
                ("Tab", "focus"),
                ("J/K", "scroll"),
                ("a", "accept"),
                ("?", "help"),
                ("q", "quit")
            ]
        );
        assert_eq!(
            fitting_hints(&hints, 14),
            vec![("?", "help"), ("q", "quit")]
        );
        assert_eq!(fitting_hints(&hints, 7), vec![("?", "help")]);
        assert!(fitting_hints(&hints, 3).is_empty());
    }
}
