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
        Listing::Idle => None,
        Listing::Loading { pages, total, .. } => {
            Some(format!("loading… page {} · {total} rows", pages + 1))
        }
        Listing::Done {
            stop: Stop::Complete | Stop::Cancelled,
            ..
        } => None,
        Listing::Done { .. } => Some("listing incomplete".into()),
        Listing::Failed { .. } => Some("listing failed".into()),
    };
    let retrying = app
        .rows
        .iter()
        .filter(|r| matches!(r.state, crate::app::RowState::Queued { attempt, .. } if attempt > 0))
        .count();
    let (heading, dim, plain) = (theme::heading(), theme::dim(), ratatui::style::Style::new());
    // (group, priority: lower stays longer, text, style), in display order.
    let mut pieces: Vec<(u8, u8, String, ratatui::style::Style)> = vec![
        (
            0,
            0,
            format!(" {} ", truncate(&sanitize(&app.env.label), 48)),
            env_style,
        ),
        (1, 9, filter, heading),
        (2, 4, format!("{} loaded", c.loaded), plain),
        (2, 2, format!("{} pending", c.pending), plain),
        (2, 3, format!("{} decided", c.decided), plain),
        (2, 6, format!("{} in flight", c.in_flight), plain),
    ];
    if c.waiting > 0 {
        pieces.push((2, 5, format!("{} waiting", c.waiting), plain));
    }
    if c.failed > 0 {
        pieces.push((2, 4, format!("{} failed", c.failed), theme::error()));
    }
    if c.unconfirmed > 0 {
        pieces.push((
            2,
            4,
            format!("{} unconfirmed", c.unconfirmed),
            theme::warn(),
        ));
    }
    // Progress of the outbox while it works: "sent 12 of 20 · 2 retrying".
    if c.in_flight + c.waiting > 0 {
        let all = c.decided + c.in_flight + c.waiting + c.failed + c.unconfirmed;
        pieces.push((3, 7, format!("sent {} of {all}", c.decided), plain));
        if retrying > 0 {
            pieces.push((3, 7, format!("{retrying} retrying"), theme::warn()));
        }
    }
    if let Some(p) = progress {
        pieces.push((4, 1, p, dim));
    }
    let line = Line::from(fit_pieces(&pieces, usize::from(area.width)));
    frame.render_widget(Paragraph::new(line), area);
}

/// The pieces that fit in `width` columns, whole (never cut mid-word), in display order: the
/// environment always (cut if it must be), then by priority while there is room. Pieces of one group are joined
/// by ` · `, groups by ` │ `.
fn fit_pieces(
    pieces: &[(u8, u8, String, ratatui::style::Style)],
    width: usize,
) -> Vec<Span<'static>> {
    use crate::qform::sanitize::display_width;
    const SEP: usize = 3;
    // The environment always shows, cut if it must be; the rest by priority in what is left.
    let env = pieces
        .first()
        .map(|p| truncate(&p.2, width))
        .unwrap_or_default();
    let rest = pieces.get(1..).unwrap_or_default();
    let widths: Vec<usize> = rest.iter().map(|p| display_width(&p.2)).collect();
    let priority: Vec<u8> = rest.iter().map(|p| p.1).collect();
    let budget = width.saturating_sub(display_width(&env));
    let keep: Vec<bool> = std::iter::once(!pieces.is_empty())
        .chain(super::keep_by_priority(&widths, &priority, budget, SEP))
        .collect();
    let mut spans = Vec::new();
    let mut last_group: Option<u8> = None;
    for (i, (group, _, text, style)) in pieces.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        match last_group {
            None => {}
            Some(0) => spans.push(Span::raw(" ")),
            Some(g) if g == *group => spans.push(Span::raw(" · ")),
            Some(_) => spans.push(Span::raw(" │ ")),
        }
        let text = if i == 0 { env.clone() } else { text.clone() };
        spans.push(Span::styled(text, *style));
        last_group = Some(*group);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::fit_pieces;
    use ratatui::style::Style;

    fn text(width: usize) -> String {
        let p = |g, pr, t: &str| (g, pr, t.to_owned(), Style::new());
        let pieces = vec![
            p(0, 0, " http://127.0.0.1:43121 "),
            p(1, 9, "all types"),
            p(2, 8, "2000 loaded"),
            p(2, 2, "1300 pending"),
            p(2, 3, "700 decided"),
            p(2, 6, "4 in flight"),
            p(2, 5, "4 waiting"),
            p(2, 4, "1 failed"),
            p(3, 7, "sent 700 of 709"),
            p(4, 1, "listing failed"),
        ];
        fit_pieces(&pieces, width)
            .iter()
            .map(|s| s.content.to_string())
            .collect()
    }

    #[test]
    fn the_header_drops_whole_pieces_and_keeps_the_important_ones() {
        assert_eq!(
            text(200),
            " http://127.0.0.1:43121  all types │ 2000 loaded · 1300 pending · 700 decided · \
             4 in flight · 4 waiting · 1 failed │ sent 700 of 709 │ listing failed"
        );
        let narrow = text(80);
        assert!(narrow.chars().count() <= 80, "{narrow}");
        assert_eq!(
            narrow,
            " http://127.0.0.1:43121  1300 pending · 700 decided │ listing failed"
        );
        assert_eq!(
            text(100),
            " http://127.0.0.1:43121  1300 pending · 700 decided · 4 waiting · 1 failed │ listing failed"
        );
        // The environment is never dropped.
        assert_eq!(text(10), " http://1…");
    }
}
