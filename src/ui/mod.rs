//! Pure render functions of the [`App`] state, one module per screen region. Rendering never
//! does I/O and never blocks; every string from a worker or a form goes through
//! `qform::sanitize` before it becomes a span.

pub mod detail;
pub mod dialogs;
pub mod header;
pub mod help;
pub mod list;
pub mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Mode};

/// From this width on, list and detail stand side by side.
pub const WIDE: u16 = 120;
/// Width of the list pane in the wide layout.
pub const LIST_WIDTH_WIDE: u16 = 58;

/// The list pane's width in the wide layout: 58 columns, more on very wide screens (the detail
/// keeps at least 110, enough for Test and Answer side by side).
fn list_width(width: u16) -> u16 {
    if width >= 180 {
        (width - 110).clamp(LIST_WIDTH_WIDE, 90)
    } else {
        LIST_WIDTH_WIDE
    }
}

/// The screen regions for a terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub message: Rect,
    pub hints: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [header, body, message, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (list, detail) = if area.width >= WIDE {
        let [l, d] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([
                Constraint::Length(list_width(area.width)),
                Constraint::Min(0),
            ])
            .areas(body);
        (l, d)
    } else {
        let list_h = (body.height * 2 / 5).max(5).min(body.height);
        let [l, d] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(body);
        (l, d)
    };
    Areas {
        header,
        list,
        detail,
        message,
        hints,
    }
}

/// Which pieces of a one-line bar to keep in `budget` columns: by `priority` (lower first, then
/// in order), each costing its width plus `sep`, while they fit. Shared by the header and the
/// key hints, so that a narrow screen drops whole, less important pieces, never cuts one.
pub fn keep_by_priority(widths: &[usize], priority: &[u8], budget: usize, sep: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..widths.len()).collect();
    order.sort_by_key(|&i| (priority.get(i).copied().unwrap_or(u8::MAX), i));
    let mut keep = vec![false; widths.len()];
    let mut used = 0usize;
    for i in order {
        let cost = widths[i] + sep;
        if used + cost <= budget {
            keep[i] = true;
            used += cost;
        }
    }
    keep
}

/// Columns of text in the detail pane for a terminal size (inside its borders).
pub fn detail_text_width(width: u16, height: u16) -> u16 {
    areas(Rect::new(0, 0, width, height))
        .detail
        .width
        .saturating_sub(2)
}

/// Visible rows of the list for a terminal size (the block's borders and column header removed).
pub fn list_rows(width: u16, height: u16) -> usize {
    let a = areas(Rect::new(0, 0, width, height));
    usize::from(a.list.height.saturating_sub(3))
}

use crate::app::{MIN_HEIGHT, MIN_WIDTH};

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let full = frame.area();
    if full.width < MIN_WIDTH || full.height < MIN_HEIGHT {
        let keys = if matches!(app.mode, Mode::ConfirmQuit) {
            "decisions wait: y quits without sending them, Esc stays"
        } else {
            "q quits"
        };
        let text = format!(
            "window too small: {}x{} (needs {MIN_WIDTH}x{MIN_HEIGHT}); {keys}",
            full.width, full.height
        );
        let lines: Vec<ratatui::text::Line> =
            crate::qform::sanitize::wrap(&text, usize::from(full.width))
                .into_iter()
                .map(ratatui::text::Line::raw)
                .collect();
        frame.render_widget(ratatui::widgets::Paragraph::new(lines), full);
        return;
    }
    let a = areas(full);
    header::render(frame, a.header, app);
    list::render(frame, a.list, app);
    detail::render(frame, a.detail, app);
    status::render_message(frame, a.message, app);
    status::render_hints(frame, a.hints, app);
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => help::render(frame, frame.area()),
        Mode::ValuePrompt { .. }
        | Mode::ReasonPrompt { .. }
        | Mode::ConfirmQuit
        | Mode::Recover => dialogs::render(frame, frame.area(), app),
    }
}
