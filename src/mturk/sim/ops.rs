//! The operations: input validation (the SDK validates nothing client-side) and semantics.

use serde_json::{Map, Value};

use super::error::{
    ApiError, TURK_OUT_OF_RANGE, TURK_QUALIFICATION_DOES_NOT_EXIST, TURK_REQUEST_DOES_NOT_EXIST,
};
use super::json::{Out, TimeStyle, epoch_seconds};
use super::record::Recorder;
use super::state::{Cursor, Decision, QualRequest, QualType, State};

pub const TARGET_PREFIX: &str = "MTurkRequesterServiceV20170117.";

/// `MaxResults` when the caller sends none (the model does not say; 10 like other AWS lists).
pub const DEFAULT_MAX_RESULTS: usize = 10;

/// The operations the sim answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    ListQualificationRequests,
    AcceptQualificationRequest,
    RejectQualificationRequest,
    ListQualificationTypes,
    GetQualificationType,
    GetQualificationScore,
    CreateWorkerBlock,
    NotifyWorkers,
    GetAccountBalance,
}

impl Op {
    pub const ALL: [Op; 9] = [
        Op::ListQualificationRequests,
        Op::AcceptQualificationRequest,
        Op::RejectQualificationRequest,
        Op::ListQualificationTypes,
        Op::GetQualificationType,
        Op::GetQualificationScore,
        Op::CreateWorkerBlock,
        Op::NotifyWorkers,
        Op::GetAccountBalance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::ListQualificationRequests => "ListQualificationRequests",
            Op::AcceptQualificationRequest => "AcceptQualificationRequest",
            Op::RejectQualificationRequest => "RejectQualificationRequest",
            Op::ListQualificationTypes => "ListQualificationTypes",
            Op::GetQualificationType => "GetQualificationType",
            Op::GetQualificationScore => "GetQualificationScore",
            Op::CreateWorkerBlock => "CreateWorkerBlock",
            Op::NotifyWorkers => "NotifyWorkers",
            Op::GetAccountBalance => "GetAccountBalance",
        }
    }

    /// From an `X-Amz-Target` value (`MTurkRequesterServiceV20170117.<Op>`; exact case, as AWS).
    pub fn from_target(target: &str) -> Option<Op> {
        let name = target.trim().strip_prefix(TARGET_PREFIX)?;
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// Typed access to the members of a request body, with AWS-style validation messages.
struct Input<'a> {
    obj: &'a Map<String, Value>,
}

/// AWS JSON member names in messages are lower camel case (`qualificationRequestId`).
fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn show_value(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(80).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn not_null(name: &str) -> ApiError {
    ApiError::invalid(format!(
        "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
        camel(name)
    ))
}

fn wrong_type(name: &str, v: &Value, what: &str) -> ApiError {
    ApiError::invalid(format!(
        "1 validation error detected: Value {} at '{}' failed to satisfy constraint: Member must be {what}",
        show_value(v),
        camel(name)
    ))
}

impl<'a> Input<'a> {
    /// A member; JSON `null` counts as absent.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    fn opt_str(&self, name: &str) -> Result<Option<&'a str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(wrong_type(name, v, "a string")),
        }
    }

    fn req_str(&self, name: &str) -> Result<&'a str, ApiError> {
        self.opt_str(name)?.ok_or_else(|| not_null(name))
    }

    fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong_type(name, v, "a boolean")),
        }
    }

    fn req_bool(&self, name: &str) -> Result<bool, ApiError> {
        self.opt_bool(name)?.ok_or_else(|| not_null(name))
    }

    /// An integer member within `lo..=hi` (out of range → `AWS.ParameterOutOfRange`).
    fn opt_int(&self, name: &str, lo: i64, hi: i64) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let n = v
            .as_i64()
            .ok_or_else(|| wrong_type(name, v, "an integer"))?;
        if n < lo {
            return Err(ApiError::request(
                TURK_OUT_OF_RANGE,
                format!(
                    "1 validation error detected: Value '{n}' at '{}' failed to satisfy constraint: Member must have value greater than or equal to {lo}",
                    camel(name)
                ),
            ));
        }
        if n > hi {
            return Err(ApiError::request(
                TURK_OUT_OF_RANGE,
                format!(
                    "1 validation error detected: Value '{n}' at '{}' failed to satisfy constraint: Member must have value less than or equal to {hi}",
                    camel(name)
                ),
            ));
        }
        Ok(Some(n))
    }

    fn max_results(&self) -> Result<usize, ApiError> {
        Ok(self
            .opt_int("MaxResults", 1, 100)?
            .map_or(DEFAULT_MAX_RESULTS, |n| n as usize))
    }

    fn opt_token(&self) -> Result<Option<&'a str>, ApiError> {
        let t = self.opt_str("NextToken")?;
        if let Some(t) = t
            && (t.is_empty() || t.chars().count() > 255)
        {
            return Err(ApiError::invalid(
                "1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must have length between 1 and 255",
            ));
        }
        Ok(t)
    }
}

fn check_pattern(name: &str, v: &str, worker: bool) -> Result<(), ApiError> {
    let len_ok = (1..=64).contains(&v.chars().count());
    let chars_ok = v
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let prefix_ok = !worker || (v.starts_with('A') && v.len() >= 2);
    if len_ok && chars_ok && prefix_ok {
        return Ok(());
    }
    let pattern = if worker {
        "^A[A-Z0-9]+$"
    } else {
        "^[A-Z0-9]+$"
    };
    let shown: String = v.chars().take(80).collect();
    Err(ApiError::invalid(format!(
        "1 validation error detected: Value '{shown}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern} and have length between 1 and 64",
        camel(name)
    )))
}

/// `EntityId`: 1–64 of `[A-Z0-9]`.
pub fn is_entity_id(v: &str) -> bool {
    check_pattern("x", v, false).is_ok()
}

/// `CustomerId` (worker ids): `A` then `[A-Z0-9]`, 1–64 in all.
pub fn is_customer_id(v: &str) -> bool {
    check_pattern("x", v, true).is_ok()
}

fn no_such_type() -> ApiError {
    ApiError::request(
        TURK_QUALIFICATION_DOES_NOT_EXIST,
        "You requested a Qualification that does not exist.",
    )
}

fn no_such_request(id: &str) -> ApiError {
    let shown: String = id.chars().take(80).collect();
    ApiError::request(
        TURK_REQUEST_DOES_NOT_EXIST,
        format!(
            "QualificationRequest {shown} does not exist or is no longer pending (already granted or rejected)."
        ),
    )
}

fn bad_token() -> ApiError {
    ApiError::invalid(
        "The NextToken is not valid for this request. Start the listing again without it.",
    )
}

fn request_json(r: &QualRequest) -> Out {
    let mut o = Out::obj()
        .with("QualificationRequestId", Out::str(&r.id))
        .with("QualificationTypeId", Out::str(&r.type_id))
        .with("WorkerId", Out::str(&r.worker_id));
    if let Some(t) = &r.test {
        o = o.with("Test", Out::str(&**t));
    }
    if let Some(a) = &r.answer {
        o = o.with("Answer", Out::str(a));
    }
    o.with(
        "SubmitTime",
        Out::Num(match &r.submit_text {
            Some(t) => t.to_string(),
            None => epoch_seconds(r.submit_ms, r.submit_style),
        }),
    )
}

fn type_json(t: &QualType, expose_answer_keys: bool) -> Out {
    let mut o = Out::obj()
        .with("QualificationTypeId", Out::str(&t.id))
        .with(
            "CreationTime",
            Out::Num(epoch_seconds(t.creation_ms, t.time_style)),
        )
        .with("Name", Out::str(&t.name))
        .with("Description", Out::str(&t.description));
    if let Some(k) = &t.keywords {
        o = o.with("Keywords", Out::str(k));
    }
    o = o.with(
        "QualificationTypeStatus",
        Out::str(if t.active { "Active" } else { "Inactive" }),
    );
    if let Some(test) = &t.test {
        o = o.with("Test", Out::str(test));
    }
    if let Some(d) = t.test_duration_secs {
        o = o.with("TestDurationInSeconds", Out::int(d));
    }
    if expose_answer_keys && let Some(k) = &t.answer_key {
        o = o.with("AnswerKey", Out::str(k));
    }
    if let Some(r) = t.retry_delay_secs {
        o = o.with("RetryDelayInSeconds", Out::int(r));
    }
    o.with("IsRequestable", Out::Bool(t.requestable))
        .with("AutoGranted", Out::Bool(false))
}

fn record_time(now_ms: i64) -> Out {
    Out::Num(epoch_seconds(now_ms, TimeStyle::Decimal))
}

/// Run one operation on the state. `body` is the parsed JSON object.
pub fn dispatch(
    op: Op,
    body: &Map<String, Value>,
    state: &mut State,
    rec: &mut Recorder,
    now_ms: i64,
) -> Result<Out, ApiError> {
    let input = Input { obj: body };
    match op {
        Op::ListQualificationRequests => {
            let type_id = input.opt_str("QualificationTypeId")?;
            if let Some(t) = type_id {
                check_pattern("QualificationTypeId", t, false)?;
                if state.qual_type(t).is_none() {
                    return Err(no_such_type());
                }
            }
            let max = input.max_results()?;
            let filter = type_id.unwrap_or("");
            let cursor = match input.opt_token()? {
                None => Cursor { after: None },
                Some(tok) => state.decode_token(tok, 'R', filter).ok_or_else(bad_token)?,
            };
            let (page, next) = state.page_requests(type_id, cursor, max);
            let mut o = Out::obj().with("NumResults", Out::int(page.len() as i64));
            if let Some(tok) = next.and_then(|c| state.encode_token('R', filter, c)) {
                o = o.with("NextToken", Out::str(tok));
            }
            Ok(o.with(
                "QualificationRequests",
                Out::Arr(page.into_iter().map(request_json).collect()),
            ))
        }
        Op::AcceptQualificationRequest => {
            let id = input.req_str("QualificationRequestId")?;
            let value = input
                .opt_int("IntegerValue", i64::from(i32::MIN), i64::from(i32::MAX))?
                .unwrap_or(1);
            let r = state
                .decide(id, Decision::Granted(value), now_ms)
                .ok_or_else(|| no_such_request(id))?;
            rec.write(
                &Out::obj()
                    .with("op", Out::str(op.name()))
                    .with("QualificationRequestId", Out::str(&r.id))
                    .with("WorkerId", Out::str(&r.worker_id))
                    .with("QualificationTypeId", Out::str(&r.type_id))
                    .with("IntegerValue", Out::int(value))
                    .with("time", record_time(now_ms)),
            );
            Ok(Out::obj())
        }
        Op::RejectQualificationRequest => {
            let id = input.req_str("QualificationRequestId")?;
            let reason = input.opt_str("Reason")?;
            let r = state
                .decide(id, Decision::Rejected(reason.map(str::to_owned)), now_ms)
                .ok_or_else(|| no_such_request(id))?;
            let mut line = Out::obj()
                .with("op", Out::str(op.name()))
                .with("QualificationRequestId", Out::str(&r.id))
                .with("WorkerId", Out::str(&r.worker_id))
                .with("QualificationTypeId", Out::str(&r.type_id));
            line = line.with("Reason", reason.map_or(Out::Null, Out::str));
            rec.write(&line.with("time", record_time(now_ms)));
            Ok(Out::obj())
        }
        Op::ListQualificationTypes => {
            let requestable = input.req_bool("MustBeRequestable")?;
            let owned = input.opt_bool("MustBeOwnedByCaller")?.unwrap_or(false);
            let query = input.opt_str("Query")?;
            let max = input.max_results()?;
            let filter = format!("{requestable}|{owned}|{}", query.unwrap_or(""));
            let cursor = match input.opt_token()? {
                None => Cursor { after: None },
                Some(tok) => state
                    .decode_token(tok, 'T', &filter)
                    .ok_or_else(bad_token)?,
            };
            let q = query.map(str::to_lowercase);
            let keep = |t: &QualType| {
                (!requestable || t.requestable)
                    && (!owned || t.owned)
                    && q.as_deref().is_none_or(|q| {
                        t.name.to_lowercase().contains(q)
                            || t.description.to_lowercase().contains(q)
                            || t.keywords
                                .as_deref()
                                .is_some_and(|k| k.to_lowercase().contains(q))
                    })
            };
            let (page, next) = state.page_types(keep, cursor, max);
            let expose = state.expose_answer_keys;
            let mut o = Out::obj().with("NumResults", Out::int(page.len() as i64));
            if let Some(tok) = next.and_then(|c| state.encode_token('T', &filter, c)) {
                o = o.with("NextToken", Out::str(tok));
            }
            Ok(o.with(
                "QualificationTypes",
                Out::Arr(page.into_iter().map(|t| type_json(t, expose)).collect()),
            ))
        }
        Op::GetQualificationType => {
            let id = input.req_str("QualificationTypeId")?;
            check_pattern("QualificationTypeId", id, false)?;
            let t = state.qual_type(id).ok_or_else(no_such_type)?;
            Ok(Out::obj().with("QualificationType", type_json(t, state.expose_answer_keys)))
        }
        Op::GetQualificationScore => {
            let type_id = input.req_str("QualificationTypeId")?;
            check_pattern("QualificationTypeId", type_id, false)?;
            let worker = input.req_str("WorkerId")?;
            check_pattern("WorkerId", worker, true)?;
            if state.qual_type(type_id).is_none() {
                return Err(no_such_type());
            }
            let g = state.grant(type_id, worker).ok_or_else(no_such_type)?;
            Ok(Out::obj().with(
                "Qualification",
                Out::obj()
                    .with("QualificationTypeId", Out::str(type_id))
                    .with("WorkerId", Out::str(worker))
                    .with(
                        "GrantTime",
                        Out::Num(epoch_seconds(g.time_ms, TimeStyle::Exponent)),
                    )
                    .with("IntegerValue", Out::int(g.value))
                    .with("Status", Out::str("Granted")),
            ))
        }
        Op::CreateWorkerBlock => {
            let worker = input.req_str("WorkerId")?;
            check_pattern("WorkerId", worker, true)?;
            let reason = input.req_str("Reason")?;
            if reason.trim().is_empty() {
                return Err(ApiError::invalid(
                    "1 validation error detected: Value at 'reason' failed to satisfy constraint: Member must not be empty",
                ));
            }
            state.block(worker, reason);
            rec.write(
                &Out::obj()
                    .with("op", Out::str(op.name()))
                    .with("WorkerId", Out::str(worker))
                    .with("Reason", Out::str(reason))
                    .with("time", record_time(now_ms)),
            );
            Ok(Out::obj())
        }
        Op::NotifyWorkers => {
            let subject = input.req_str("Subject")?;
            let text = input.req_str("MessageText")?;
            let ids = match input.get("WorkerIds") {
                None => return Err(not_null("WorkerIds")),
                Some(Value::Array(items)) => items,
                Some(v) => return Err(wrong_type("WorkerIds", v, "a list of worker ids")),
            };
            if subject.chars().count() > 200 {
                return Err(ApiError::invalid("Subject is longer than 200 characters."));
            }
            if text.chars().count() > 4096 {
                return Err(ApiError::invalid(
                    "MessageText is longer than 4096 characters.",
                ));
            }
            if ids.is_empty() || ids.len() > 100 {
                return Err(ApiError::invalid(
                    "WorkerIds must hold 1 to 100 worker ids.",
                ));
            }
            let mut workers = Vec::with_capacity(ids.len());
            for v in ids {
                let w = v
                    .as_str()
                    .ok_or_else(|| wrong_type("WorkerIds", v, "a list of strings"))?;
                check_pattern("WorkerIds", w, true)?;
                workers.push(w);
            }
            let mut failures = Vec::new();
            for w in &workers {
                if !state.worker_was_decided(w) {
                    failures.push(
                        Out::obj()
                            .with("NotifyWorkersFailureCode", Out::str("HardFailure"))
                            .with(
                                "NotifyWorkersFailureMessage",
                                Out::str(format!(
                                    "Cannot send a message to {w} because you have not approved or rejected work or a Qualification request from this worker."
                                )),
                            )
                            .with("WorkerId", Out::str(*w)),
                    );
                }
            }
            rec.write(
                &Out::obj()
                    .with("op", Out::str(op.name()))
                    .with("Subject", Out::str(subject))
                    .with("MessageText", Out::str(text))
                    .with(
                        "WorkerIds",
                        Out::Arr(workers.iter().map(|w| Out::str(*w)).collect()),
                    )
                    .with("Failures", Out::int(failures.len() as i64))
                    .with("time", record_time(now_ms)),
            );
            Ok(Out::obj().with("NotifyWorkersFailureStatuses", Out::Arr(failures)))
        }
        Op::GetAccountBalance => Ok(Out::obj()
            .with("AvailableBalance", Out::str("10000.00"))
            .with("OnHoldBalance", Out::str("0.00"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Op::from_target("MTurkRequesterServiceV20170117.GetAccountBalance"),
            Some(Op::GetAccountBalance)
        );
        assert_eq!(Op::from_target("MTurkRequesterServiceV20170117.Nope"), None);
        assert_eq!(Op::from_target("Other.GetAccountBalance"), None);
    }

    #[test]
    fn patterns() {
        assert!(is_entity_id("3ABC123"));
        assert!(!is_entity_id("3abc"));
        assert!(!is_entity_id(""));
        assert!(!is_entity_id(&"A".repeat(65)));
        assert!(is_customer_id("A1B2C3"));
        assert!(!is_customer_id("A"));
        assert!(!is_customer_id("B123"));
    }
}
