//! The sim's data: qualification types, qualification requests, decisions, granted
//! qualifications and blocks, plus the pagination cursors.
//!
//! ## Pagination
//! Requests never appear at run time (the data set is fixed at start), so all requests, pending or
//! decided, get a fixed rank `seq` in the global order (SubmitTime, then id). A `NextToken` names
//! the rank of the last item on the page (plus the listing's filter and this server instance) and
//! the next page continues with the first *still pending* matching request after that rank. A
//! request decided between two pages therefore simply no longer shows up, and no other request
//! moves: nothing is skipped and nothing is returned twice. Types work the same way with their
//! fixed creation order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::json::TimeStyle;
use super::rng::fnv1a;

#[derive(Debug, Clone, PartialEq)]
pub struct QualType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub keywords: Option<String>,
    pub active: bool,
    /// The QuestionForm (absent for a type without a test).
    pub test: Option<String>,
    pub test_duration_secs: Option<i64>,
    /// Served as `AnswerKey` only when the sim exposes answer keys.
    pub answer_key: Option<String>,
    pub retry_delay_secs: Option<i64>,
    pub requestable: bool,
    /// Owned by the caller (every type except the built-in system ones).
    pub owned: bool,
    pub creation_ms: i64,
    pub time_style: TimeStyle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QualRequest {
    pub id: String,
    pub type_id: String,
    pub worker_id: String,
    /// Shared with the type and the other requests of the same form (no copy per request).
    pub test: Option<Arc<str>>,
    pub answer: Option<String>,
    pub submit_ms: i64,
    pub submit_style: TimeStyle,
    /// The SubmitTime exactly as a requests file spelled it (served verbatim), if it came from one.
    pub submit_text: Option<Arc<str>>,
}

/// Everything the sim serves, built at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub types: Vec<QualType>,
    pub requests: Vec<QualRequest>,
    /// Worth telling whoever started the sim (`sim` prints them to stderr), e.g. a form in
    /// `--forms` that does not read cleanly. Not served.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Granted(i64),
    Rejected(Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub value: i64,
    pub time_ms: i64,
}

#[derive(Debug)]
pub struct State {
    types: Vec<QualType>,
    type_index: HashMap<String, usize>,
    /// Sorted by (submit_ms, id); the index is the request's rank.
    requests: Vec<QualRequest>,
    request_index: HashMap<String, usize>,
    decisions: Vec<Option<Decision>>,
    grants: HashMap<(String, String), Grant>,
    blocked: HashMap<String, String>,
    /// Workers with at least one decided request (NotifyWorkers reaches only them).
    decided_workers: HashSet<String>,
    /// Salt that ties tokens to this server instance.
    instance: u64,
    pub expose_answer_keys: bool,
    /// Accept/Reject calls that named a request already decided (refused with RequestError):
    /// a client that never decides twice leaves this at 0.
    pub repeat_decisions: u64,
}

/// Where a listing continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub after: Option<usize>,
}

impl State {
    pub fn new(mut data: Dataset, instance: u64, expose_answer_keys: bool) -> Self {
        data.requests
            .sort_by(|a, b| (a.submit_ms, &a.id).cmp(&(b.submit_ms, &b.id)));
        let type_index = data
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let request_index = data
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let n = data.requests.len();
        State {
            types: data.types,
            type_index,
            requests: data.requests,
            request_index,
            decisions: vec![None; n],
            grants: HashMap::new(),
            blocked: HashMap::new(),
            decided_workers: HashSet::new(),
            repeat_decisions: 0,
            instance,
            expose_answer_keys,
        }
    }

    pub fn qual_type(&self, id: &str) -> Option<&QualType> {
        self.type_index.get(id).and_then(|&i| self.types.get(i))
    }

    pub fn types(&self) -> &[QualType] {
        &self.types
    }

    pub fn request(&self, id: &str) -> Option<(&QualRequest, Option<&Decision>)> {
        let &i = self.request_index.get(id)?;
        let r = self.requests.get(i)?;
        Some((r, self.decisions.get(i).and_then(Option::as_ref)))
    }

    /// All pending requests in listing order (for tests and the demo).
    pub fn pending(&self) -> impl Iterator<Item = &QualRequest> {
        self.requests
            .iter()
            .zip(&self.decisions)
            .filter(|(_, d)| d.is_none())
            .map(|(r, _)| r)
    }

    /// One page of pending requests: those of `type_id` (or of every owned type) after `cursor`.
    /// Returns the page and the cursor for the next page when more matching requests exist.
    pub fn page_requests(
        &self,
        type_id: Option<&str>,
        cursor: Cursor,
        max: usize,
    ) -> (Vec<&QualRequest>, Option<Cursor>) {
        let start = cursor.after.map_or(0, |a| a.saturating_add(1));
        let mut page = Vec::new();
        let mut last = None;
        for i in start..self.requests.len() {
            let r = &self.requests[i];
            if self.decisions[i].is_some() {
                continue;
            }
            let matches = match type_id {
                Some(t) => r.type_id == t,
                None => self.qual_type(&r.type_id).is_none_or(|t| t.owned),
            };
            if !matches {
                continue;
            }
            if page.len() == max {
                return (page, last.map(|a| Cursor { after: Some(a) }));
            }
            page.push(r);
            last = Some(i);
        }
        (page, None)
    }

    /// One page of types matching `keep`, after `cursor`.
    pub fn page_types(
        &self,
        keep: impl Fn(&QualType) -> bool,
        cursor: Cursor,
        max: usize,
    ) -> (Vec<&QualType>, Option<Cursor>) {
        let start = cursor.after.map_or(0, |a| a.saturating_add(1));
        let mut page = Vec::new();
        let mut last = None;
        for i in start..self.types.len() {
            let t = &self.types[i];
            if !keep(t) {
                continue;
            }
            if page.len() == max {
                return (page, last.map(|a| Cursor { after: Some(a) }));
            }
            page.push(t);
            last = Some(i);
        }
        (page, None)
    }

    /// Decide a pending request. `None` when it does not exist or is not pending.
    pub fn decide(&mut self, id: &str, decision: Decision, now_ms: i64) -> Option<QualRequest> {
        let &i = self.request_index.get(id)?;
        match self.decisions.get(i) {
            None => return None,
            Some(Some(_)) => {
                self.repeat_decisions += 1;
                return None;
            }
            Some(None) => {}
        }
        let r = self.requests[i].clone();
        if let Decision::Granted(value) = decision {
            self.grants.insert(
                (r.type_id.clone(), r.worker_id.clone()),
                Grant {
                    value,
                    time_ms: now_ms,
                },
            );
        }
        self.decided_workers.insert(r.worker_id.clone());
        self.decisions[i] = Some(decision);
        Some(r)
    }

    pub fn grant(&self, type_id: &str, worker_id: &str) -> Option<&Grant> {
        self.grants.get(&(type_id.to_owned(), worker_id.to_owned()))
    }

    pub fn block(&mut self, worker_id: &str, reason: &str) {
        self.blocked.insert(worker_id.to_owned(), reason.to_owned());
    }

    pub fn is_blocked(&self, worker_id: &str) -> bool {
        self.blocked.contains_key(worker_id)
    }

    pub fn worker_was_decided(&self, worker_id: &str) -> bool {
        self.decided_workers.contains(worker_id)
    }

    /// An opaque token for continuing a listing: `kind` names the listing, `filter` its
    /// parameters; the token is only valid for the same listing, filter and server instance.
    pub fn encode_token(&self, kind: char, filter: &str, cursor: Cursor) -> Option<String> {
        let after = cursor.after?;
        let plain = format!(
            "v1.{:016x}.{kind}.{:016x}.{after}",
            self.instance,
            fnv1a(filter.as_bytes())
        );
        Some(base64url_encode(plain.as_bytes()))
    }

    /// The cursor a token stands for, if it is one of ours for this listing and filter.
    pub fn decode_token(&self, token: &str, kind: char, filter: &str) -> Option<Cursor> {
        let bytes = base64url_decode(token)?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split('.');
        let (v, inst, k, f, after) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if parts.next().is_some()
            || v != "v1"
            || u64::from_str_radix(inst, 16).ok()? != self.instance
            || k != kind.to_string()
            || u64::from_str_radix(f, 16).ok()? != fnv1a(filter.as_bytes())
        {
            return None;
        }
        Some(Cursor {
            after: Some(after.parse().ok()?),
        })
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for k in 0..chars {
            let idx = (n >> (18 - 6 * k)) & 63;
            out.push(char::from(B64[idx as usize]));
        }
    }
    out
}

pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let vals: Vec<u32> = s
        .bytes()
        .map(|c| B64.iter().position(|&b| b == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    if vals.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(vals.len() * 3 / 4);
    for chunk in vals.chunks(4) {
        let mut n = 0u32;
        for (k, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * k);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "abcd", "v1.0000.R.ffff.12345"] {
            let e = base64url_encode(s.as_bytes());
            assert_eq!(base64url_decode(&e).unwrap(), s.as_bytes(), "{s} -> {e}");
        }
        assert_eq!(base64url_encode(b"abc"), "YWJj");
        assert!(base64url_decode("a").is_none());
        assert!(base64url_decode("a b").is_none());
    }

    fn req(id: &str, t: &str, ms: i64) -> QualRequest {
        QualRequest {
            id: id.into(),
            type_id: t.into(),
            worker_id: format!("A{id}"),
            test: None,
            answer: None,
            submit_ms: ms,
            submit_style: TimeStyle::Integer,
            submit_text: None,
        }
    }

    #[test]
    fn paging_survives_decisions_between_pages() {
        let data = Dataset {
            types: vec![],
            requests: (0..10)
                .map(|i| req(&format!("R{i}"), "T", 1000 - i))
                .collect(),
            warnings: vec![],
        };
        let mut s = State::new(data, 5, false);
        let (p1, c1) = s.page_requests(None, Cursor { after: None }, 4);
        let ids: Vec<_> = p1.iter().map(|r| r.id.clone()).collect();
        assert_eq!(ids, ["R9", "R8", "R7", "R6"]);
        let c1 = c1.unwrap();
        // Someone decides one on page 1 and one on page 2 meanwhile.
        s.decide("R8", Decision::Granted(1), 0).unwrap();
        s.decide("R4", Decision::Rejected(None), 0).unwrap();
        let tok = s.encode_token('R', "", c1).unwrap();
        let c1b = s.decode_token(&tok, 'R', "").unwrap();
        assert_eq!(c1b, c1);
        assert!(s.decode_token(&tok, 'R', "other").is_none());
        assert!(s.decode_token(&tok, 'T', "").is_none());
        let (p2, c2) = s.page_requests(None, c1b, 4);
        let ids: Vec<_> = p2.iter().map(|r| r.id.clone()).collect();
        assert_eq!(ids, ["R5", "R3", "R2", "R1"]);
        let (p3, c3) = s.page_requests(None, c2.unwrap(), 4);
        assert_eq!(p3.len(), 1);
        assert_eq!(p3[0].id, "R0");
        assert!(c3.is_none());
        assert!(s.decide("R8", Decision::Granted(1), 0).is_none());
        // A forged token pointing past the end gives an empty page, no overflow.
        let (p, c) = s.page_requests(
            None,
            Cursor {
                after: Some(usize::MAX),
            },
            4,
        );
        assert!(p.is_empty() && c.is_none());
        assert!(s.decide("nope", Decision::Granted(1), 0).is_none());
    }
}
