//! The page fetcher: lists every pending Qualification request, page by page.
//!
//! Always `MaxResults=100`; follows `NextToken` until it is absent; stops on an empty page or a
//! token seen before; deduplicates by `QualificationRequestId`; reports each page as it arrives;
//! can be cancelled between pages. `NumResults` counts one page only, so totals come from rows.

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use aws_sdk_mturk::Client;
use tokio_util::sync::CancellationToken;

use super::client::{self, Target};
use super::error::{ApiError, classify};
use crate::cli::{ListArgs, ListFormat};

pub const PAGE_SIZE: i32 = 100;

/// One pending request as listed. `test` is shared between requests carrying the same form.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    pub id: String,
    pub type_id: String,
    pub worker_id: String,
    /// The QuestionForm XML ("" when the type has no test).
    pub test: Arc<str>,
    /// The QuestionFormAnswers XML ("" when the worker gave no answers).
    pub answer: String,
    /// Epoch seconds.
    pub submit_time: Option<f64>,
}

/// Stores each distinct string once (MTurk repeats the whole form in every request).
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<Arc<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(existing) = self.set.get(s) {
            return existing.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.set.insert(a.clone());
        a
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// Why the listing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// No NextToken: everything was listed.
    Complete,
    /// A page came back empty with a NextToken, after a short page: the listing may be
    /// incomplete. (An empty page without a token, or after a full page, is the end: `Complete`.)
    EmptyPage,
    /// The server handed back a token it had given before.
    RepeatedToken,
    Cancelled,
}

/// One page's worth of new rows.
#[derive(Debug, Clone)]
pub struct Page {
    /// 1-based page number.
    pub number: usize,
    /// Requests not seen on an earlier page of this listing.
    pub requests: Vec<PendingRequest>,
    /// Rows listed so far (after deduplication).
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub total: usize,
    pub duplicates: usize,
    pub stop: Stop,
}

/// A failure, with how far the listing got.
#[derive(Debug, Clone)]
pub struct Failed {
    pub error: ApiError,
    pub pages: usize,
    pub total: usize,
}

/// List all pending requests (of one type, or of all owned types), calling `on_page` per page.
pub async fn fetch_all(
    client: &Client,
    type_id: Option<&str>,
    cancel: &CancellationToken,
    mut on_page: impl FnMut(Page),
) -> Result<Summary, Failed> {
    let mut interner = Interner::default();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_tokens: HashSet<String> = HashSet::new();
    let mut token: Option<String> = None;
    let mut pages = 0usize;
    let mut duplicates = 0usize;
    // Rows on the page before (a full page may be followed by an empty last one).
    let mut previous_rows: Option<usize> = None;
    loop {
        if cancel.is_cancelled() {
            return Ok(summary(pages, &seen_ids, duplicates, Stop::Cancelled));
        }
        let call = client
            .list_qualification_requests()
            .set_qualification_type_id(type_id.map(str::to_owned))
            .set_next_token(token.clone())
            .max_results(PAGE_SIZE)
            .send();
        let out = tokio::select! {
            _ = cancel.cancelled() => return Ok(summary(pages, &seen_ids, duplicates, Stop::Cancelled)),
            r = call => r
        };
        let out = out.map_err(|e| Failed {
            error: classify(e),
            pages,
            total: seen_ids.len(),
        })?;
        pages += 1;
        let listed = out.qualification_requests.unwrap_or_default();
        let empty = listed.is_empty();
        let rows_on_page = listed.len();
        let mut fresh = Vec::with_capacity(listed.len());
        for r in listed {
            let id = r.qualification_request_id.unwrap_or_default();
            if !seen_ids.insert(id.clone()) {
                duplicates += 1;
                continue;
            }
            fresh.push(PendingRequest {
                id,
                type_id: r.qualification_type_id.unwrap_or_default(),
                worker_id: r.worker_id.unwrap_or_default(),
                test: interner.intern(r.test.as_deref().unwrap_or("")),
                answer: r.answer.unwrap_or_default(),
                submit_time: r.submit_time.map(|t| t.as_secs_f64()),
            });
        }
        on_page(Page {
            number: pages,
            requests: fresh,
            total: seen_ids.len(),
        });
        let next_token = out.next_token.filter(|t| !t.is_empty());
        if empty {
            // The end, unless a token came after a short page (then something is off).
            let expected_end =
                next_token.is_none() || previous_rows.is_none_or(|n| n >= PAGE_SIZE as usize);
            let stop = if expected_end {
                Stop::Complete
            } else {
                Stop::EmptyPage
            };
            return Ok(summary(pages, &seen_ids, duplicates, stop));
        }
        previous_rows = Some(rows_on_page);
        match next_token {
            None => return Ok(summary(pages, &seen_ids, duplicates, Stop::Complete)),
            Some(t) => {
                if !seen_tokens.insert(t.clone()) {
                    return Ok(summary(pages, &seen_ids, duplicates, Stop::RepeatedToken));
                }
                token = Some(t);
            }
        }
    }
}

fn summary(pages: usize, seen: &HashSet<String>, duplicates: usize, stop: Stop) -> Summary {
    Summary {
        pages,
        total: seen.len(),
        duplicates,
        stop,
    }
}

/// `2017-01-23 13:49:33Z` (UTC, second precision); `-` when unknown.
pub fn format_time(epoch_secs: Option<f64>) -> String {
    use aws_smithy_types::DateTime;
    use aws_smithy_types::date_time::Format;
    let Some(s) = epoch_secs.filter(|s| s.is_finite()) else {
        return "-".into();
    };
    let dt = DateTime::from_secs(s.floor() as i64);
    match dt.fmt(Format::DateTime) {
        Ok(t) => t.replacen('T', " ", 1),
        Err(_) => "-".into(),
    }
}

/// `mturk-triage list`.
pub async fn run_list_cli(args: ListArgs) -> Result<ExitCode, String> {
    let target = Target::from_flags(args.env.production, args.env.endpoint_url.as_deref())?;
    let built = client::build(target, args.env.profile.as_deref()).await;
    let credentials = client::check_credentials(&built).await?;
    let cancel = CancellationToken::new();
    let mut rows: Vec<PendingRequest> = Vec::new();
    let endpoint = built.target.endpoint().to_owned();
    let result = fetch_all(
        &built.client,
        args.qualification_type_id.as_deref(),
        &cancel,
        |page| {
            eprintln!(
                "page {}: {} new, {} in all",
                page.number,
                page.requests.len(),
                page.total
            );
            rows.extend(page.requests);
        },
    )
    .await;
    let summary = result.map_err(|f| {
        format!(
            "listing failed after {} page(s): {}",
            f.pages,
            f.error
                .with_endpoint(&endpoint)
                .with_credentials(credentials.as_deref())
        )
    })?;
    match summary.stop {
        Stop::RepeatedToken => {
            eprintln!("warning: the server repeated a NextToken; listing stopped")
        }
        Stop::EmptyPage if summary.pages > 1 => {
            eprintln!("warning: an empty page before the end; listing stopped")
        }
        _ => {}
    }
    let stdout = std::io::stdout();
    // Worker text must never reach a terminal raw. Piped output stays exact (JSON escapes C0
    // controls anyway); on a terminal, JSON also escapes C1, bidi and invisible characters, and
    // CSV shows them as visible markers like the table does.
    let to_terminal = std::io::IsTerminal::is_terminal(&stdout);
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        ListFormat::Table => write_table(&mut out, &rows, args.full),
        ListFormat::Json => write_json(&mut out, &rows, args.full, to_terminal),
        ListFormat::Csv => write_csv(&mut out, &rows, args.full, to_terminal),
    };
    written
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(out: &mut impl Write, rows: &[PendingRequest], full: bool) -> std::io::Result<()> {
    use crate::qform::sanitize::{display_width, sanitize, truncate};
    let headers = [
        "REQUEST ID",
        "QUALIFICATION TYPE",
        "WORKER",
        "SUBMITTED (UTC)",
    ];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                truncate(&sanitize(&r.id), 64),
                truncate(&sanitize(&r.type_id), 64),
                truncate(&sanitize(&r.worker_id), 64),
                format_time(r.submit_time),
            ]
        })
        .collect();
    let mut widths = headers.map(display_width);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |out: &mut dyn Write, row: [&str; 4]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            s.push_str(c);
            if i + 1 < row.len() {
                s.push_str(&" ".repeat(w.saturating_sub(display_width(c)) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, headers)?;
    for (r, row) in rows.iter().zip(&cells) {
        line(out, [&row[0], &row[1], &row[2], &row[3]])?;
        if full {
            for (label, xml) in [("Test", &*r.test), ("Answer", r.answer.as_str())] {
                writeln!(out, "  {label}:")?;
                for l in xml.lines() {
                    writeln!(out, "    {}", sanitize(l))?;
                }
            }
        }
    }
    writeln!(out, "{} pending request(s)", rows.len())
}

fn row_json(r: &PendingRequest, full: bool) -> serde_json::Value {
    let mut v = serde_json::json!({
        "QualificationRequestId": r.id,
        "QualificationTypeId": r.type_id,
        "WorkerId": r.worker_id,
        "SubmitTime": format_time(r.submit_time).replacen(' ', "T", 1),
        "SubmitTimeEpoch": r.submit_time
    });
    if full && let Some(m) = v.as_object_mut() {
        m.insert("Test".into(), serde_json::Value::from(&*r.test));
        m.insert("Answer".into(), serde_json::Value::from(r.answer.as_str()));
    }
    v
}

fn write_json(
    out: &mut impl Write,
    rows: &[PendingRequest],
    full: bool,
    inert: bool,
) -> std::io::Result<()> {
    let all: Vec<serde_json::Value> = rows.iter().map(|r| row_json(r, full)).collect();
    let mut text = serde_json::to_string_pretty(&all).map_err(std::io::Error::other)?;
    if inert {
        text = escape_json_invisibles(&text);
    }
    writeln!(out, "{text}")
}

/// Escape, as `\uXXXX`, every character a terminal could act on or hide that serde_json leaves
/// as is (C1 controls, DEL, bidi and zero-width characters). They occur only inside strings,
/// so the JSON stays valid and means the same.
pub fn escape_json_invisibles(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let cp = c as u32;
        let risky = cp == 0x7f
            || (0x80..=0x9f).contains(&cp)
            || matches!(cp, 0x061c | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2069 | 0xfeff);
        if risky {
            out.push_str(&format!("\\u{cp:04x}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn write_csv(
    out: &mut impl Write,
    rows: &[PendingRequest],
    full: bool,
    inert: bool,
) -> std::io::Result<()> {
    use crate::qform::sanitize::sanitize;
    // On a terminal every field is made inert (one line per field; newlines show as ␊).
    let field = |s: &str| {
        if inert {
            csv_field(&sanitize(s))
        } else {
            csv_field(s)
        }
    };
    let mut header = vec![
        "QualificationRequestId",
        "QualificationTypeId",
        "WorkerId",
        "SubmitTime",
    ];
    if full {
        header.extend(["Test", "Answer"]);
    }
    writeln!(out, "{}", header.join(","))?;
    for r in rows {
        let mut f = vec![
            field(&r.id),
            field(&r.type_id),
            field(&r.worker_id),
            format_time(r.submit_time).replacen(' ', "T", 1),
        ];
        if full {
            f.push(field(&r.test));
            f.push(field(&r.answer));
        }
        writeln!(out, "{}", f.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_form_time_formats_in_utc() {
        assert_eq!(format_time(Some(1.485179373361E9)), "2017-01-23 13:49:33Z");
        assert_eq!(format_time(None), "-");
        assert_eq!(format_time(Some(f64::NAN)), "-");
    }

    #[test]
    fn interner_stores_once() {
        let mut i = Interner::default();
        let a = i.intern("<QuestionForm/>");
        let b = i.intern(&String::from("<QuestionForm/>"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(i.len(), 1);
    }

    #[test]
    fn json_for_a_terminal_escapes_what_serde_leaves_raw() {
        let j =
            serde_json::to_string(&serde_json::json!({"a": "x\u{9b}2J\u{202e}y\u{1b}"})).unwrap();
        let e = escape_json_invisibles(&j);
        assert_eq!(e, r#"{"a":"x\u009b2J\u202ey\u001b"}"#);
        let back: serde_json::Value = serde_json::from_str(&e).unwrap();
        assert_eq!(back["a"], "x\u{9b}2J\u{202e}y\u{1b}");
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
