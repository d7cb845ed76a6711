//! The help screen, built from the same key table as the hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme;
use crate::app::keys::{Action, BINDINGS};

pub fn render(frame: &mut Frame, screen: Rect) {
    // `J/K` and `q` lines already name `K` and `Ctrl-c`.
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .filter(|b| !matches!(b.action, Action::ScrollUp | Action::ForceQuit))
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<8}", b.label), theme::key()),
                Span::raw(b.help),
            ])
        })
        .collect();
    // The notes only where the screen has room for them below the keys.
    if lines.len() + 5 <= usize::from(screen.height) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Decisions wait out the undo window (u), then are sent in the background.",
            theme::dim(),
        ));
        lines.push(Line::styled(
            "A reject's Reason is shown to the worker.",
            theme::dim(),
        ));
    }
    let h = (lines.len() as u16 + 2).min(screen.height);
    let w = 76.min(screen.width);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(" Keys — any key closes "),
        ),
        area,
    );
}
