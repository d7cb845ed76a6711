//! The detail pane: the selected request's facts, its decision state, and the review of the
//! worker's Answer against the Test (from the `qform` layout), scrolling on its own.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use crate::app::{App, Decision, Focus, Row, RowState};
use crate::mturk::fetcher::format_time;
use crate::qform::layout::{SegStyle, layout};
use crate::qform::sanitize::{sanitize, truncate};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let border = if app.focus == Focus::Detail {
        theme::focused_border()
    } else {
        Style::new()
    };
    let title = if app.show_raw {
        " Raw XML "
    } else {
        " Review "
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title);
    let inner = block.inner(area);
    if inner.width == 0 || inner.height == 0 {
        frame.render_widget(block, area);
        return;
    }
    let width = usize::from(inner.width);
    let Some(row) = app.selected_row() else {
        let mut lines = vec![Line::styled("no request selected", theme::dim())];
        if let crate::app::Listing::Failed { error, .. } = &app.listing {
            lines = vec![Line::styled("The listing failed:", theme::error())];
            for l in crate::qform::sanitize::wrap(&sanitize(&error.to_string()), width) {
                lines.push(Line::raw(l));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("R tries again · q quits", theme::dim()));
        }
        frame.render_widget(block, area);
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let mut lines = facts(app, row, width);
    lines.push(Line::raw(""));
    // A decision recovered from an earlier run, before the listing has brought its request.
    let stub =
        row.req.submit_time.is_none() && row.req.test.is_empty() && row.req.answer.is_empty();
    if stub {
        lines.push(Line::styled(
            truncate(
                "A decision from an earlier run: this request's Test and Answer come with the listing.",
                width,
            ),
            theme::dim(),
        ));
    } else if app.show_raw {
        lines.extend(raw_lines(row, width));
    } else {
        lines.extend(review_lines(app, inner.width));
    }
    let max_scroll = lines.len().saturating_sub(usize::from(inner.height));
    let scroll = usize::from(app.detail_scroll).min(max_scroll);
    // Where the view is, when there is more than fits (J/K scroll).
    let block = if max_scroll > 0 {
        let below = max_scroll - scroll;
        let pos = match (scroll, below) {
            (0, _) => format!(" {below} more lines ↓ "),
            (_, 0) => " end ".to_owned(),
            _ => format!(" ↑ {scroll} · {below} more ↓ "),
        };
        block.title_bottom(Line::from(pos).right_aligned())
    } else {
        block
    };
    frame.render_widget(block, area);
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(usize::from(inner.height))
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

fn kv(label: &str, value: String, width: usize) -> Line<'static> {
    let label_w = label.chars().count() + 2;
    Line::from(vec![
        Span::styled(format!("{label}: "), theme::dim()),
        Span::raw(truncate(&value, width.saturating_sub(label_w))),
    ])
}

fn facts(app: &App, row: &Row, width: usize) -> Vec<Line<'static>> {
    let r = &row.req;
    let type_name = match app.type_name(&r.type_id) {
        Some(n) => format!("{} ({})", sanitize(n), sanitize(&r.type_id)),
        None => sanitize(&r.type_id),
    };
    let mut out = vec![
        kv(
            "Worker",
            format!(
                "{} · submitted {}",
                sanitize(&r.worker_id),
                format_time(r.submit_time)
            ),
            width,
        ),
        kv("Type", type_name, width),
    ];
    // The decision, wrapped (an error or a Reason must be readable), at most a few lines.
    const DECISION_LINES: usize = 6;
    let (text, style) = state_text(&row.state, app.now_ms);
    let w = width.saturating_sub(10).max(1);
    let mut wrapped = crate::qform::sanitize::wrap(&text, w);
    if wrapped.len() > DECISION_LINES {
        wrapped.truncate(DECISION_LINES);
        if let Some(last) = wrapped.last_mut() {
            *last = truncate(&format!("{last} …"), w);
        }
    }
    for (i, l) in wrapped.into_iter().enumerate() {
        let label = if i == 0 { "Decision: " } else { "          " };
        out.push(Line::from(vec![
            Span::styled(label, theme::dim()),
            Span::styled(l, style),
        ]));
    }
    out
}

fn describe(d: &Decision) -> String {
    match d {
        Decision::Accept { value } => format!("accept with value {value}"),
        Decision::Reject { reason } => format!("reject — “{}”", sanitize(reason)),
    }
}

fn state_text(state: &RowState, now_ms: u64) -> (String, Style) {
    match state {
        RowState::Pending => ("undecided".into(), theme::dim()),
        RowState::Queued {
            decision,
            due_ms,
            attempt: 0,
        } => (
            format!(
                "{} — sent in {}s (u undoes)",
                describe(decision),
                due_ms.saturating_sub(now_ms).div_ceil(1000)
            ),
            theme::warn(),
        ),
        RowState::Queued {
            decision,
            due_ms,
            attempt,
        } => (
            format!(
                "{} — retry {} in {}s",
                describe(decision),
                attempt,
                due_ms.saturating_sub(now_ms).div_ceil(1000)
            ),
            theme::warn(),
        ),
        RowState::Sending { decision, .. } => {
            (format!("{} — sending…", describe(decision)), theme::warn())
        }
        RowState::Done { decision } => {
            let style = match decision {
                Decision::Accept { .. } => theme::accepted(),
                Decision::Reject { .. } => theme::rejected(),
            };
            (format!("{} — done", describe(decision)), style)
        }
        RowState::AlreadyProcessed { message, .. } => (
            format!("already processed ({})", sanitize(message)),
            theme::dim(),
        ),
        RowState::Failed { decision, error } => (
            format!(
                "{} — FAILED: {} (t retries)",
                describe(decision),
                sanitize(&error.to_string())
            ),
            theme::error(),
        ),
        RowState::Unknown {
            decision, error, ..
        } => (
            format!(
                "{} — outcome unknown ({}); re-listing settles it",
                describe(decision),
                sanitize(&error.to_string())
            ),
            theme::warn(),
        ),
    }
}

const RAW_MAX_LINES: usize = 5000;
const RAW_MAX_LINE_CHARS: usize = 65_536;

/// The raw documents, made inert, one source line per screen line (cut at the pane's width).
fn raw_lines(row: &Row, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (label, xml) in [
        ("Test (raw XML)", &*row.req.test),
        ("Answer (raw XML)", row.req.answer.as_str()),
    ] {
        out.push(Line::styled(label.to_string(), theme::heading()));
        if xml.is_empty() {
            out.push(Line::styled("(empty)", theme::dim()));
        }
        // Only what can be shown is cleaned: a few screens' worth of each line, and a bounded
        // number of lines.
        // One-line documents (the 2017 API sends answers that way) are wrapped, so every
        // character can be read.
        let mut shown = 0usize;
        'doc: for l in xml.lines() {
            let head: String = l.chars().take(RAW_MAX_LINE_CHARS).collect();
            let clean = sanitize(&head);
            // A wrapped line continues under its own indentation (plus two), so the XML's
            // nesting stays readable.
            let indent = clean.len() - clean.trim_start_matches(' ').len();
            let cont = if indent + 2 < width / 2 {
                indent + 2
            } else {
                0
            };
            let pieces = crate::qform::sanitize::wrap(&clean, width.saturating_sub(cont).max(1));
            for (k, piece) in pieces.into_iter().enumerate() {
                let piece = if k == 0 {
                    piece
                } else {
                    format!("{}{piece}", " ".repeat(cont))
                };
                if shown == RAW_MAX_LINES {
                    out.push(Line::styled(
                        format!("… cut after {RAW_MAX_LINES} lines"),
                        theme::dim(),
                    ));
                    break 'doc;
                }
                out.push(Line::raw(piece));
                shown += 1;
            }
            if l.chars().count() > RAW_MAX_LINE_CHARS {
                out.push(Line::styled(
                    format!("… line cut after {RAW_MAX_LINE_CHARS} characters"),
                    theme::dim(),
                ));
            }
        }
        out.push(Line::raw(""));
    }
    out
}

fn review_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let Some(review) = app.review() else {
        return vec![Line::styled("preparing the review…", theme::dim())];
    };
    // Laid out by the reducer for the current size; computed here only when they differ.
    let owned;
    let lines = match app.detail_layout(width) {
        Some(l) => l,
        None => {
            owned = layout(review, width);
            &owned
        }
    };
    lines
        .iter()
        .cloned()
        .map(|l| {
            Line::from(
                l.segs
                    .into_iter()
                    .map(|s| Span::styled(s.text, seg_style(s.style)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

fn seg_style(s: SegStyle) -> Style {
    use ratatui::style::{Color, Modifier};
    match s {
        SegStyle::Heading => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        SegStyle::Title => Style::new().add_modifier(Modifier::BOLD),
        SegStyle::Prompt | SegStyle::Normal => Style::new(),
        SegStyle::Choice => Style::new(),
        SegStyle::ChosenChoice => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        SegStyle::Answer => Style::new().fg(Color::Yellow),
        SegStyle::Missing => Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC),
        SegStyle::Required => Style::new().fg(Color::Magenta),
        SegStyle::Flag => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        SegStyle::Note => Style::new().fg(Color::Blue),
        SegStyle::Problem => Style::new().fg(Color::Red),
        SegStyle::Right => Style::new().fg(Color::Green),
        SegStyle::Wrong => Style::new().fg(Color::Red),
        SegStyle::Partial => Style::new().fg(Color::Yellow),
        SegStyle::Dim => theme::dim(),
    }
}
