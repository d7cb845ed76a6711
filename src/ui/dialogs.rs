//! Dialogs: the IntegerValue prompt, the Reason prompt, the quit confirmation.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme;
use crate::app::{App, Mode, plural};
use crate::qform::sanitize::{display_width, sanitize, truncate};

fn centered(screen: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(screen.width);
    let h = h.min(screen.height);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

pub fn render(frame: &mut Frame, screen: Rect, app: &App) {
    match &app.mode {
        Mode::ValuePrompt {
            request_id,
            input,
            error,
        } => {
            let worker = worker_of(app, request_id);
            let area = centered(screen, 60, 7);
            let inner_w = usize::from(area.width.saturating_sub(2));
            let mut lines = vec![
                Line::raw(truncate(
                    &format!("Accept {worker}: Qualification value to grant"),
                    inner_w,
                )),
                Line::styled(
                    truncate(
                        &format!(
                            "Enter alone grants {}; replaces any score the worker holds",
                            app.config.default_value
                        ),
                        inner_w,
                    ),
                    theme::dim(),
                ),
            ];
            let cursor_col = push_input(&mut lines, input, error.as_deref(), inner_w);
            lines.push(Line::styled("Enter accepts · Esc cancels", theme::dim()));
            draw_box(frame, area, " Accept with value ", lines);
            frame.set_cursor_position(Position::new(area.x + 3 + cursor_col as u16, area.y + 3));
        }
        Mode::ReasonPrompt {
            request_id,
            input,
            template,
            error,
        } => {
            let worker = worker_of(app, request_id);
            let area = centered(screen, 76, 9 + (REASON_LINES as u16 - 1));
            let inner_w = usize::from(area.width.saturating_sub(2));
            let n_templates = app.config.reason_templates.len();
            let tmpl = match template {
                Some(t) => format!("template {}/{n_templates}", t + 1),
                None if n_templates == 0 => "no templates configured".into(),
                None if n_templates == 1 => "Tab: 1 template".into(),
                None => format!("Tab: {n_templates} templates"),
            };
            let tmpl = format!(
                "{tmpl} · {}/{} characters",
                input.value().chars().count(),
                crate::app::MAX_REASON_CHARS
            );
            let mut lines = vec![
                Line::raw(truncate(&format!("Reject {worker}"), inner_w)),
                Line::styled(
                    truncate(
                        "The worker will read this Reason. Keep it polite and specific.",
                        inner_w,
                    ),
                    theme::warn(),
                ),
            ];
            // The whole Reason is visible (wrapped), as the worker will read it.
            let (block, (crow, ccol)) = input_block(
                input.value(),
                input.visual_cursor(),
                inner_w.saturating_sub(2),
                REASON_LINES,
            );
            let shown = block.len();
            for (i, l) in block.into_iter().enumerate() {
                let prefix = if i == 0 { "> " } else { "  " };
                lines.push(Line::from(vec![
                    Span::styled(prefix, theme::key()),
                    Span::raw(l),
                ]));
            }
            // A steady box: the input area always has its full height.
            for _ in shown..REASON_LINES {
                lines.push(Line::raw(""));
            }
            lines.push(error_line(error.as_deref(), inner_w));
            lines.push(Line::styled(truncate(&tmpl, inner_w), theme::dim()));
            let permanence = app
                .row(request_id)
                .and_then(|r| app.types.get(&r.req.type_id))
                .map(|t| match t.retry_delay_secs {
                    None => (
                        "This type has no retry delay: the worker can NEVER request it again."
                            .to_string(),
                        theme::error(),
                    ),
                    Some(s) => (
                        format!("The worker may request again after {}.", human_secs(s)),
                        theme::dim(),
                    ),
                })
                .unwrap_or_else(|| {
                    (
                        "If the type has no retry delay, the worker can never request it again."
                            .to_string(),
                        theme::dim(),
                    )
                });
            lines.push(Line::styled(truncate(&permanence.0, inner_w), permanence.1));
            lines.push(Line::styled(
                "Enter rejects · Tab template · Esc cancels",
                theme::dim(),
            ));
            draw_box(frame, area, " Reject ", lines);
            frame.set_cursor_position(Position::new(
                area.x + 3 + ccol as u16,
                area.y + 3 + crow as u16,
            ));
        }
        Mode::ConfirmQuit => {
            let n = app.active_count();
            let area = centered(screen, 60, 6);
            let lines = vec![
                Line::raw(format!("{} waiting or being sent.", plural(n, "decision"))),
                Line::from(vec![
                    Span::styled("s", theme::key()),
                    Span::raw(" send them now, then quit"),
                ]),
                Line::from(vec![
                    Span::styled("y", theme::key()),
                    Span::raw(" or "),
                    Span::styled("Ctrl-c", theme::key()),
                    Span::raw(" quit now (waiting ones are NOT sent)"),
                ]),
                Line::from(vec![Span::styled("Esc", theme::key()), Span::raw(" stay")]),
            ];
            draw_box(frame, area, " Quit? ", lines);
        }
        Mode::Recover => {
            let n = app.recovered.len();
            let sent = app.recovered.iter().filter(|u| u.was_sent).count();
            let area = centered(screen, 78, (n.min(8) as u16) + 9);
            let inner_w = usize::from(area.width.saturating_sub(2));
            let mut lines = vec![
                Line::raw(truncate(
                    &format!(
                        "{} from an earlier run never confirmed ({sent} may have been applied).",
                        plural(n, "decision")
                    ),
                    inner_w,
                )),
                Line::raw(""),
            ];
            for u in app.recovered.iter().take(8) {
                let what = match &u.decision {
                    crate::app::Decision::Accept { value } => format!("accept {value}"),
                    crate::app::Decision::Reject { reason } => {
                        format!("reject “{}”", sanitize(reason))
                    }
                };
                let text = format!(
                    "{} {} · {}",
                    if u.was_sent { "↑" } else { "…" },
                    sanitize(&u.worker_id),
                    what
                );
                lines.push(Line::raw(truncate(&text, inner_w)));
            }
            if n > 8 {
                lines.push(Line::styled(format!("… and {} more", n - 8), theme::dim()));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled("r", theme::key()),
                Span::raw(" resume: each is checked against the pending list; only still-pending ones are sent")
            ]));
            lines.push(Line::from(vec![
                Span::styled("d", theme::key()),
                Span::raw(" drop them: nothing is sent"),
            ]));
            lines.push(Line::from(vec![
                Span::styled("q", theme::key()),
                Span::raw(" quit: they stay in the journal and are offered again next time"),
            ]));
            draw_box(frame, area, " Unfinished decisions ", lines);
        }
        Mode::Normal | Mode::Help => {}
    }
}

fn worker_of(app: &App, request_id: &str) -> String {
    app.row(request_id)
        .map(|r| sanitize(&r.req.worker_id))
        .unwrap_or_else(|| "?".into())
}

/// Lines of the Reason box.
const REASON_LINES: usize = 4;

/// A multi-line input: the text broken into lines of at most `w` columns, at the last space
/// when a word would overflow (a word longer than the line is broken where it must), showing at
/// most `max_lines` lines around the cursor. Returns the lines and the cursor's (line, column)
/// among them. Linear in the input's length.
fn input_block(
    value: &str,
    cursor_chars: usize,
    w: usize,
    max_lines: usize,
) -> (Vec<String>, (usize, usize)) {
    let w = w.max(1);
    let cells: Vec<(String, usize, bool)> = value
        .chars()
        .map(|c| {
            let cell = sanitize(c.encode_utf8(&mut [0u8; 4]));
            let cw = display_width(&cell);
            (cell, cw, c == ' ')
        })
        .collect();
    // Where each line starts (index into `cells`).
    let mut starts = vec![0usize];
    let mut used = 0usize;
    let mut last_space: Option<usize> = None;
    for (i, (_, cw, is_space)) in cells.iter().enumerate() {
        let line_start = *starts.last().unwrap_or(&0);
        if used + cw > w && i > line_start {
            // Break after the last space of this line if the word from there still fits on
            // the next line with this character, else here (a space that does not fit starts
            // the next line).
            let tail = |sp: usize| cells[sp + 1..i].iter().map(|c| c.1).sum::<usize>();
            let next = match last_space {
                Some(sp) if !is_space && sp >= line_start && tail(sp) + cw <= w => sp + 1,
                _ => i,
            };
            starts.push(next);
            used = cells[next..i].iter().map(|c| c.1).sum();
            last_space = None;
        }
        used += cw;
        if *is_space {
            last_space = Some(i);
        }
    }
    let n = cells.len();
    let cursor_at = cursor_chars.min(n);
    let mut line = starts
        .partition_point(|&s| s <= cursor_at)
        .saturating_sub(1);
    let mut col: usize = cells[starts[line]..cursor_at].iter().map(|c| c.1).sum();
    let mut lines: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = starts.get(k + 1).copied().unwrap_or(n);
            cells[s..e].iter().map(|c| c.0.as_str()).collect()
        })
        .collect();
    if cursor_at == n && col >= w {
        // The cursor after a full last line goes to a fresh one.
        lines.push(String::new());
        line = lines.len() - 1;
        col = 0;
    }
    // Keep the cursor's line in view.
    let first = (line + 1).saturating_sub(max_lines.max(1));
    let shown: Vec<String> = lines
        .into_iter()
        .skip(first)
        .take(max_lines.max(1))
        .collect();
    (shown, (line - first, col))
}

/// The input line (`> text`) and its error line; returns the cursor column within the text.
fn push_input(
    lines: &mut Vec<Line<'static>>,
    input: &tui_input::Input,
    error: Option<&str>,
    inner_w: usize,
) -> usize {
    let (shown, col) = input_line(
        input.value(),
        input.visual_cursor(),
        inner_w.saturating_sub(2),
    );
    lines.push(Line::from(vec![
        Span::styled("> ", theme::key()),
        Span::raw(shown),
    ]));
    lines.push(error_line(error, inner_w));
    col
}

fn error_line(error: Option<&str>, w: usize) -> Line<'static> {
    match error {
        Some(e) => Line::styled(truncate(e, w), theme::error()),
        None => Line::raw(""),
    }
}

/// The visible part of an input and the cursor column in it: scrolls horizontally so the
/// cursor stays in view. Linear in the input's length (inputs can be long pastes).
fn input_line(value: &str, cursor_chars: usize, w: usize) -> (String, usize) {
    let cells: Vec<String> = value
        .chars()
        .map(|c| sanitize(c.encode_utf8(&mut [0u8; 4])))
        .collect();
    let widths: Vec<usize> = cells.iter().map(|c| display_width(c)).collect();
    let cursor = cursor_chars.min(cells.len());
    // Walk left from the cursor while the text before it still fits.
    let mut start = cursor;
    let mut col = 0usize;
    while start > 0 && col + widths[start - 1] < w {
        start -= 1;
        col += widths[start];
    }
    if col + 1 >= w {
        // Keep one column for the cursor itself.
        while start < cursor && col + 1 > w.saturating_sub(1) {
            col -= widths[start];
            start += 1;
        }
    }
    let mut out = String::new();
    let mut used = 0usize;
    for (c, cw) in cells[start..].iter().zip(&widths[start..]) {
        if used + cw > w {
            break;
        }
        out.push_str(c);
        used += cw;
    }
    (out, col)
}

fn draw_box(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::new().borders(Borders::ALL).title(title.to_string())),
        area,
    );
}

fn human_secs(s: i64) -> String {
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => plural((s / 86_400) as usize, "day"),
        s if s >= 3_600 && s % 3_600 == 0 => plural((s / 3_600) as usize, "hour"),
        s if s >= 60 && s % 60 == 0 => plural((s / 60) as usize, "minute"),
        1 => "1 second".into(),
        s => format!("{s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::input_line;

    #[test]
    fn short_input_is_shown_whole_with_the_cursor_after_it() {
        assert_eq!(input_line("abc", 3, 10), ("abc".to_string(), 3));
        assert_eq!(input_line("abc", 1, 10), ("abc".to_string(), 1));
    }

    #[test]
    fn long_input_scrolls_to_keep_the_cursor_visible() {
        let v = "x".repeat(5000);
        let (shown, col) = input_line(&v, 5000, 20);
        assert!(col < 20, "cursor column {col} inside the field");
        assert!(shown.chars().count() <= 20);
        let (shown, col) = input_line("測試測試測試", 6, 7);
        assert!(
            col < 7 && crate::qform::sanitize::display_width(&shown) <= 7,
            "{shown} {col}"
        );
    }

    #[test]
    fn the_reason_box_wraps_and_follows_the_cursor() {
        use super::input_block;
        let (lines, cur) = input_block("abcdefghij", 10, 4, 4);
        assert_eq!(lines, vec!["abcd", "efgh", "ij"]);
        assert_eq!(cur, (2, 2));
        let (lines, cur) = input_block("abcd", 4, 4, 4);
        assert_eq!(lines, vec!["abcd", ""]);
        assert_eq!(cur, (1, 0));
        let (lines, cur) = input_block(&"x".repeat(100), 0, 10, 3);
        assert_eq!(lines.len(), 3);
        assert_eq!(cur, (0, 0));
        let (lines, cur) = input_block(&"x".repeat(100), 100, 10, 3);
        assert_eq!(lines.last().map(String::as_str), Some(""));
        assert_eq!(cur, (2, 0));
    }

    #[test]
    fn the_reason_box_breaks_between_words() {
        use super::input_block;
        let (lines, cur) = input_block("Your answers to Q2 were blank", 29, 10, 4);
        assert_eq!(lines, vec!["Your ", "answers to", " Q2 were ", "blank"]);
        assert_eq!(cur, (3, 5));
        // The cursor inside a word that moved to the next line follows it.
        let (_, cur) = input_block("Your answers to Q2 were blank", 7, 10, 4);
        assert_eq!(cur, (1, 2));
        // A word longer than the line is broken where it must be.
        let (lines, _) = input_block("ab cdefghijklmn", 0, 5, 5);
        assert_eq!(lines, vec!["ab ", "cdefg", "hijkl", "mn"]);
        // Wide characters never overflow, also after a line that starts with a space.
        for text in ["測試 測試測試", "abcde wxyz測", "a 測測測 b"] {
            let (lines, _) = input_block(text, 0, 5, 9);
            assert!(
                lines
                    .iter()
                    .all(|l| crate::qform::sanitize::display_width(l) <= 5),
                "{text:?} → {lines:?}"
            );
            assert_eq!(lines.concat(), text, "no character lost or added");
        }
        let (lines, _) = input_block("abcde wxyz測", 0, 5, 9);
        assert_eq!(lines, vec!["abcde", " wxyz", "測"]);
    }

    #[test]
    fn control_characters_in_input_are_visible_markers() {
        let (shown, _) = input_line("a\u{1b}b", 3, 10);
        assert_eq!(shown, "a␛b");
    }
}
