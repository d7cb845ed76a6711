//! One error type for every MTurk call, classified for decisions (retry or not) and for display.
//!
//! The UI shows `kind`, `TurkErrorCode` and `Message`; never the raw response body.

use std::fmt;

use aws_sdk_mturk::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `RequestError`: the service refused the request (never retried).
    Request,
    /// `ServiceFault`: the service failed (retryable).
    ServiceFault,
    /// `ThrottlingException` and friends (retryable, slower).
    Throttling,
    /// No usable credentials.
    Credentials,
    /// The service refused the credentials or the signature (unknown key, wrong secret,
    /// expired session, clock skew). Never retried.
    Auth,
    /// Connection refused, DNS, TLS … (retryable).
    Transport,
    /// Timed out; the call may or may not have reached the service.
    Timeout,
    /// A response that could not be understood.
    Response,
    /// Anything else.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// The error code (`RequestError`, `ServiceFault`, `ThrottlingException`, …).
    pub code: Option<String>,
    /// `TurkErrorCode`, e.g. `AWS.MechanicalTurk.QualificationRequestDoesNotExist`.
    pub turk_code: Option<String>,
    pub message: String,
    /// The endpoint, for "cannot reach" messages.
    pub endpoint: Option<String>,
    /// Where the credentials came from, for "credentials refused" messages.
    pub credentials: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            code: None,
            turk_code: None,
            message: message.into(),
            endpoint: None,
            credentials: None,
        }
    }

    pub fn with_endpoint(mut self, endpoint: &str) -> Self {
        self.endpoint = Some(endpoint.to_owned());
        self
    }

    /// Name where the credentials came from (shown when they were refused).
    pub fn with_credentials(mut self, source: Option<&str>) -> Self {
        self.credentials = source.map(str::to_owned);
        self
    }

    /// Worth another try later (the SDK already retried these a few times).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::ServiceFault | ErrorKind::Throttling | ErrorKind::Transport
        )
    }

    /// The call may have reached the service and been applied (timeouts, connections that broke
    /// after sending, unreadable responses).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout | ErrorKind::Response)
    }

    /// A hint for the user, when there is a useful one.
    pub fn hint(&self) -> Option<&'static str> {
        let msg = self.message.to_ascii_lowercase();
        let turk = self.turk_code.as_deref().unwrap_or("");
        if turk.ends_with("QualificationTypeDoesNotExist")
            || turk.ends_with("QualificationDoesNotExist")
        {
            return Some("qualification type ids differ between sandbox and production");
        }
        // "Signature expired: 20130524T000000Z is now earlier than …", "Signature not yet
        // current", "… request time and the current time is too large".
        if msg.contains("signature expired")
            || msg.contains("not yet current")
            || (msg.contains("time") && msg.contains("too large"))
            || msg.contains("clock")
        {
            return Some("check the system clock");
        }
        match self.kind {
            ErrorKind::Transport | ErrorKind::Timeout => {
                Some("no MTurk needed to try the tool: run `mturk-triage demo`")
            }
            ErrorKind::Credentials => Some("set AWS credentials or pass --profile NAME"),
            ErrorKind::Auth if msg.contains("signature") && msg.contains("match") => Some(
                "the secret access key does not belong to this access key id: check it, or pass --profile NAME",
            ),
            ErrorKind::Auth if msg.contains("expired") || msg.contains("token") => Some(
                "the key or session is unknown or expired: renew it (aws sso login) or pass --profile NAME",
            ),
            ErrorKind::Auth => Some("check the access key, or pass --profile NAME"),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Request => "request refused",
            ErrorKind::ServiceFault => "service fault",
            ErrorKind::Throttling => "throttled",
            ErrorKind::Credentials => "no credentials",
            ErrorKind::Auth => "credentials refused",
            ErrorKind::Transport => "cannot reach",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Response => "bad response",
            ErrorKind::Other => "error",
        };
        write!(f, "{what}")?;
        if matches!(self.kind, ErrorKind::Transport | ErrorKind::Timeout)
            && let Some(e) = &self.endpoint
        {
            write!(f, " {e}")?;
        }
        if let Some(t) = &self.turk_code {
            write!(f, " [{t}]")?;
        } else if let Some(c) = &self.code
            && !matches!(c.as_str(), "RequestError" | "ServiceFault")
        {
            write!(f, " [{c}]")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(h) = self.hint() {
            write!(f, " ({h})")?;
        }
        if matches!(self.kind, ErrorKind::Auth | ErrorKind::Credentials)
            && let Some(c) = &self.credentials
        {
            write!(f, " — credentials: {c}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Error codes AWS answers when it does not accept the credentials or the signature.
const AUTH_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "ExpiredToken",
    "ExpiredTokenException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidAccessKeyId",
    "AccessDeniedException",
    "AccessDenied",
    "AuthFailure",
];

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];

/// Classify any MTurk operation's `SdkError`.
pub fn classify<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    SdkError<E, R>: std::error::Error + 'static,
    R: fmt::Debug + Send + Sync + 'static,
    aws_sdk_mturk::Error: From<SdkError<E, R>>,
{
    match &err {
        SdkError::ServiceError(_) => {}
        SdkError::TimeoutError(_) => {
            return ApiError::new(ErrorKind::Timeout, "no answer in time");
        }
        SdkError::DispatchFailure(d) => {
            let text = innermost(&err);
            let chain = full_chain(&err).to_ascii_lowercase();
            let kind = if text.contains("credential") || text.contains("Credentials") {
                ErrorKind::Credentials
            } else if d.is_timeout() {
                ErrorKind::Timeout
            } else if never_sent(&chain) {
                ErrorKind::Transport
            } else if d.is_user() {
                ErrorKind::Other
            } else {
                // The connection broke after the request may have gone out ("connection closed
                // before message completed", a reset): the call may have been applied.
                ErrorKind::Response
            };
            return ApiError::new(kind, short_context(&text));
        }
        SdkError::ResponseError(_) => {
            return ApiError::new(
                ErrorKind::Response,
                "the connection ended or the response was unreadable",
            );
        }
        SdkError::ConstructionFailure(_) => {
            let text = innermost(&err);
            let kind = if text.contains("credential") || text.contains("Credentials") {
                ErrorKind::Credentials
            } else {
                ErrorKind::Other
            };
            return ApiError::new(kind, short_context(&text));
        }
        _ => {}
    }
    let code = err.code().map(str::to_owned);
    let message = err.message().unwrap_or_default().to_owned();
    let top: aws_sdk_mturk::Error = err.into();
    let (kind, turk_code) = match &top {
        aws_sdk_mturk::Error::RequestError(e) => {
            (ErrorKind::Request, e.turk_error_code().map(str::to_owned))
        }
        aws_sdk_mturk::Error::ServiceFault(e) => (
            ErrorKind::ServiceFault,
            e.turk_error_code().map(str::to_owned),
        ),
        _ => {
            let kind = match code.as_deref() {
                Some(c) if THROTTLING_CODES.contains(&c) => ErrorKind::Throttling,
                Some(c) if AUTH_CODES.contains(&c) => ErrorKind::Auth,
                _ => ErrorKind::Other,
            };
            (kind, None)
        }
    };
    ApiError {
        kind,
        code,
        turk_code,
        message,
        endpoint: None,
        credentials: None,
    }
}

/// The innermost error of a chain that reads as a sentence (e.g. "Connection refused (os error
/// 111)"); never a raw response body (those only occur in service errors, handled elsewhere).
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut best = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let t = e.to_string();
        if !t.is_empty() && !t.contains(['{', '}']) {
            best = t;
        }
        cur = e.source();
    }
    best
}

/// Every message of an error chain, joined.
fn full_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// The failure happened while connecting, so the request cannot have reached the service.
fn never_sent(chain_lower: &str) -> bool {
    [
        "connection refused",
        "connect error",
        "tcp connect",
        "dns error",
        "failed to lookup",
        "name or service not known",
        "no route to host",
        "network is unreachable",
        "certificate",
        "tls handshake",
        "no http client",
    ]
    .iter()
    .any(|p| chain_lower.contains(p))
}

/// One line, at most 200 characters, no control characters.
fn short_context(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    let mut s: String = trimmed.chars().take(200).collect();
    if trimmed.chars().count() > 200 {
        s.push('…');
    }
    s
}
