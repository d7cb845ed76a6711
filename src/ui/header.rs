//! The header: environment (always), type filter, counts, listing progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::{App, Listing};
use crate::mturk::fetcher::Stop;
use crate::qform::sanitize::{sanitize, truncate};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let env_style = if app.env.production {
        theme::production_banner()
    } else if app.env.label == "DEMO" {
        theme::demo_banner()
    } else {
        theme::env_banner()
    };
    let c = app.counts();
    let filter = match &app.type_filter {
        Some(t) => {
            let name = app
                .type_name(t)
                .map(|n| format!("{} ({})", sanitize(n), sanitize(t)))
                .unwrap_or_else(|| sanitize(t));
            format!("type {}", truncate(&name, 40))
        }
        None => "all types".into(),
    };
    let progress = match &app.listing {
        Listing::Idle => String::new(),
        Listing::Loading { pages, total, .. } => {
            format!(" │ loading… page {} · {total} rows", pages + 1)
        }
        Listing::Done {
            stop: Stop::Complete,
            ..
        }
        | Listing::Done {
            stop: Stop::Cancelled,
            ..
        } => String::new(),
        Listing::Done { .. } => " │ listing incomplete".into(),
        Listing::Failed { .. } => " │ listing failed".into(),
    };
    let mut counts = format!(
        " {} loaded · {} pending · {} decided · {} in flight",
        c.loaded, c.pending, c.decided, c.in_flight
    );
    if c.waiting > 0 {
        counts.push_str(&format!(" · {} waiting", c.waiting));
    }
    if c.failed > 0 {
        counts.push_str(&format!(" · {} failed", c.failed));
    }
    if c.unconfirmed > 0 {
        counts.push_str(&format!(" · {} unconfirmed", c.unconfirmed));
    }
    // Progress of the outbox while it works: "sent 12 of 20 · 2 retrying".
    if c.in_flight + c.waiting > 0 {
        let retrying = app
            .rows
            .iter()
            .filter(
                |r| matches!(r.state, crate::app::RowState::Queued { attempt, .. } if attempt > 0),
            )
            .count();
        counts.push_str(&format!(
            " │ sent {} of {}",
            c.decided,
            c.decided + c.in_flight + c.waiting + c.failed + c.unconfirmed
        ));
        if retrying > 0 {
            counts.push_str(&format!(" · {retrying} retrying"));
        }
    }
    let line = Line::from(vec![
        Span::styled(
            format!(" {} ", truncate(&sanitize(&app.env.label), 48)),
            env_style,
        ),
        Span::raw(" "),
        Span::styled(filter, theme::heading()),
        Span::raw(" │"),
        Span::raw(counts),
        Span::styled(progress, theme::dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
