//! What the sim checks of a request's SigV4 signature: the credential scope (region `us-east-1`,
//! service `mturk-requester`) and the signing time (within 15 minutes of the server's clock),
//! answered as AWS answers them. The signature itself is not verified (the sim takes any key),
//! and an unsigned request is served (so curl and hand-written tests can talk to it).

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

use super::error::ApiError;

/// The region and service a request for MTurk must be signed for.
pub const REGION: &str = "us-east-1";
pub const SERVICE: &str = "mturk-requester";
/// How far the signing time may be from the server's clock.
const MAX_SKEW_MS: i64 = 15 * 60 * 1000;

/// Check the `Authorization` and `X-Amz-Date` headers of a request at `now_ms`.
pub fn check(
    authorization: Option<&str>,
    amz_date: Option<&str>,
    now_ms: i64,
) -> Result<(), ApiError> {
    let Some(auth) = authorization else {
        return Ok(());
    };
    let Some(scope) = credential_scope(auth) else {
        return Err(ApiError::auth(
            "IncompleteSignatureException",
            format!(
                "Authorization header requires 'Credential' parameter. Authorization header requires \
                 the AWS4-HMAC-SHA256 scheme. Authorization={}",
                auth.chars().take(60).collect::<String>()
            ),
        ));
    };
    if scope.region != REGION {
        return Err(ApiError::auth(
            "InvalidSignatureException",
            "Credential should be scoped to a valid region. ",
        ));
    }
    if scope.service != SERVICE {
        return Err(ApiError::auth(
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: '{SERVICE}'. "),
        ));
    }
    let Some(signed_ms) = amz_date.and_then(parse_amz_date) else {
        return Err(ApiError::auth(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ));
    };
    let stamp = |ms: i64| amz_date_string(ms);
    if signed_ms < now_ms - MAX_SKEW_MS {
        return Err(ApiError::auth(
            "InvalidSignatureException",
            format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                stamp(signed_ms),
                stamp(now_ms - MAX_SKEW_MS),
                stamp(now_ms)
            ),
        ));
    }
    if signed_ms > now_ms + MAX_SKEW_MS {
        return Err(ApiError::auth(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                stamp(signed_ms),
                stamp(now_ms + MAX_SKEW_MS),
                stamp(now_ms)
            ),
        ));
    }
    Ok(())
}

struct Scope<'a> {
    region: &'a str,
    service: &'a str,
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/mturk-requester/aws4_request, …`
fn credential_scope(auth: &str) -> Option<Scope<'_>> {
    let rest = auth.trim().strip_prefix("AWS4-HMAC-SHA256")?;
    let cred = rest
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("Credential="))?;
    let parts: Vec<&str> = cred.split('/').collect();
    match parts.as_slice() {
        [key, _date, region, service, "aws4_request"] if !key.is_empty() => {
            Some(Scope { region, service })
        }
        _ => None,
    }
}

/// `20260101T000000Z` → epoch milliseconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let d = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).ok();
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        d(0..4)?,
        d(4..6)?,
        d(6..8)?,
        d(9..11)?,
        d(11..13)?,
        d(13..15)?
    );
    let t = DateTime::from_str(&rfc, Format::DateTime).ok()?;
    t.to_millis().ok()
}

/// Epoch milliseconds → `20260101T000000Z`.
fn amz_date_string(ms: i64) -> String {
    DateTime::from_millis(ms.div_euclid(1000) * 1000)
        .fmt(Format::DateTime)
        .map(|s| s.replace(['-', ':'], ""))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/mturk-requester/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn scope_and_time() {
        assert_eq!(parse_amz_date("20260101T000000Z"), Some(T0));
        assert_eq!(amz_date_string(T0 + 999), "20260101T000000Z");
        assert!(
            check(None, None, T0).is_ok(),
            "unsigned requests are served"
        );
        assert!(check(Some(AUTH), Some("20260101T001000Z"), T0).is_ok());
        let region = AUTH.replace("us-east-1", "eu-west-1");
        let e = check(Some(&region), Some("20260101T000000Z"), T0).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                "InvalidSignatureException",
                "Credential should be scoped to a valid region. "
            )
        );
        let service = AUTH.replace("mturk-requester", "mturk");
        let e = check(Some(&service), Some("20260101T000000Z"), T0).unwrap_err();
        assert!(e.message.contains("correct service: 'mturk-requester'"));
        let e = check(Some(AUTH), Some("20251231T234400Z"), T0).unwrap_err();
        assert_eq!(
            e.message,
            "Signature expired: 20251231T234400Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)"
        );
        let e = check(Some(AUTH), Some("20260101T001600Z"), T0).unwrap_err();
        assert!(
            e.message.starts_with("Signature not yet current"),
            "{}",
            e.message
        );
        let e = check(Some("Bearer x"), Some("20260101T000000Z"), T0).unwrap_err();
        assert_eq!(e.kind, "IncompleteSignatureException");
        let e = check(Some(AUTH), None, T0).unwrap_err();
        assert_eq!(e.kind, "IncompleteSignatureException");
    }
}
