//! The list pane: one line per request; only the visible rows are laid out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use crate::app::{App, Decision, Focus, Row, RowState};
use crate::mturk::fetcher::format_time;
use crate::qform::sanitize::{display_width, pad, sanitize, truncate};

/// Room for `… acc 60s`, `↻ rej 12s` and `✓ acc 100`.
const STATE_W: usize = 10;
const WORKER_W: usize = 15;
const TIME_W: usize = 12;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let border = if app.focus == Focus::List {
        theme::focused_border()
    } else {
        Style::new()
    };
    let title = format!(
        " Requests {}/{} ",
        (app.selected + 1).min(app.rows.len()),
        app.rows.len()
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let type_w = width.saturating_sub(STATE_W + WORKER_W + TIME_W + 3).max(4);
    let mut lines = Vec::with_capacity(usize::from(inner.height));
    lines.push(Line::styled(
        fit(
            &format!(
                "{:<sw$} {:<ww$} {:<tw$} {}",
                "STATE",
                "WORKER",
                "QUALIFICATION TYPE",
                "SUBMITTED",
                sw = STATE_W,
                ww = WORKER_W,
                tw = type_w
            ),
            width,
        ),
        theme::dim(),
    ));
    if app.rows.is_empty() {
        let msg = match &app.listing {
            crate::app::Listing::Loading { .. } | crate::app::Listing::Idle => {
                "loading pending requests…"
            }
            crate::app::Listing::Failed { .. } => "no requests: the listing failed (R tries again)",
            crate::app::Listing::Done { .. } => "nothing pending — all caught up (R lists again)",
        };
        lines.push(Line::styled(fit(msg, width), theme::dim()));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let visible = usize::from(inner.height).saturating_sub(1);
    let end = (app.list_offset + visible).min(app.rows.len());
    for (i, row) in app.rows.iter().enumerate().take(end).skip(app.list_offset) {
        let (state_text, state_style) = state_cell(row, app.now_ms);
        let type_label = app
            .type_name(&row.req.type_id)
            .map(sanitize)
            .unwrap_or_else(|| sanitize(&row.req.type_id));
        let time = short_time(row.req.submit_time);
        let mut spans = vec![
            Span::styled(cell(&state_text, STATE_W), state_style),
            Span::raw(" "),
            Span::raw(cell(&sanitize(&row.req.worker_id), WORKER_W)),
            Span::raw(" "),
            Span::raw(cell(&type_label, type_w)),
            Span::raw(" "),
            Span::styled(cell(&time, TIME_W), theme::dim()),
        ];
        let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
        if used < width {
            spans.push(Span::raw(" ".repeat(width - used)));
        }
        let mut line = Line::from(spans);
        if i == app.selected {
            line = line.style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `12-03 18:56Z`: month-day hour:minute, UTC.
fn short_time(t: Option<f64>) -> String {
    let full = format_time(t); // 2026-12-03 18:56:07Z
    match (full.get(5..16), full.len()) {
        (Some(s), 20) => format!("{s}Z"),
        _ => full,
    }
}

fn verb3(d: &Decision) -> &'static str {
    match d {
        Decision::Accept { .. } => "acc",
        Decision::Reject { .. } => "rej",
    }
}

/// The decision-state glyph and word for a row.
pub fn state_cell(row: &Row, now_ms: u64) -> (String, Style) {
    match &row.state {
        RowState::Pending => ("·".into(), theme::dim()),
        RowState::Queued {
            decision,
            due_ms,
            attempt,
        } => {
            let secs = due_ms.saturating_sub(now_ms).div_ceil(1000);
            let text = if *attempt > 0 {
                format!("↻ {} {secs}s", verb3(decision))
            } else {
                format!("… {} {secs}s", verb3(decision))
            };
            (text, theme::warn())
        }
        RowState::Sending { decision, .. } => (format!("↑ {}", verb3(decision)), theme::warn()),
        RowState::Done {
            decision: d @ Decision::Accept { value },
        } => (format!("✓ {} {value}", verb3(d)), theme::accepted()),
        RowState::Done {
            decision: d @ Decision::Reject { .. },
        } => (format!("✗ {}", verb3(d)), theme::rejected()),
        RowState::AlreadyProcessed { .. } => ("= taken".into(), theme::dim()),
        RowState::Failed { decision, .. } => (format!("! {}", verb3(decision)), theme::error()),
        RowState::Unknown { decision, .. } => (format!("? {}", verb3(decision)), theme::warn()),
    }
}

/// Exactly `w` columns: cut with `…` or padded.
fn cell(s: &str, w: usize) -> String {
    pad(&truncate(s, w), w)
}

fn fit(s: &str, w: usize) -> String {
    truncate(s, w)
}
