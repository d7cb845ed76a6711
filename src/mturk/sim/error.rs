//! Error answers, shaped like the real service's (spec §4).

use super::json::Out;

pub const TURK_REQUEST_DOES_NOT_EXIST: &str = "AWS.MechanicalTurk.QualificationRequestDoesNotExist";
/// What real MTurk answers for a type or qualification that does not exist (a real 2021 body:
/// "You requested a Qualification that does not exist.").
pub const TURK_QUALIFICATION_DOES_NOT_EXIST: &str = "AWS.MechanicalTurk.QualificationDoesNotExist";
pub const TURK_INVALID_PARAMETER: &str = "AWS.MechanicalTurk.InvalidParameterValue";
pub const TURK_OUT_OF_RANGE: &str = "AWS.ParameterOutOfRange";
pub const TURK_SERVICE_UNAVAILABLE: &str = "AWS.ServiceUnavailable";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// `__type`
    pub kind: &'static str,
    pub message: String,
    pub turk_code: Option<&'static str>,
    /// Real MTurk ends RequestError/ServiceFault messages with ` (<epoch ms>)`.
    pub stamp: bool,
}

impl ApiError {
    pub fn request(turk_code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            kind: "RequestError",
            message: message.into(),
            turk_code: Some(turk_code),
            stamp: true,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::request(TURK_INVALID_PARAMETER, message)
    }

    pub fn service_fault() -> Self {
        ApiError {
            status: 500,
            kind: "ServiceFault",
            message: "The service is unable to process your request. Please try again later."
                .into(),
            turk_code: Some(TURK_SERVICE_UNAVAILABLE),
            stamp: true,
        }
    }

    pub fn throttling() -> Self {
        ApiError {
            status: 400,
            kind: "ThrottlingException",
            message: "Rate exceeded".into(),
            turk_code: None,
            stamp: false,
        }
    }

    /// The credentials or the signature were not accepted (`kind` as AWS names it).
    pub fn auth(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            kind,
            message: message.into(),
            turk_code: None,
            stamp: false,
        }
    }

    pub fn unknown_operation(message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            kind: "UnknownOperationException",
            message: message.into(),
            turk_code: None,
            stamp: false,
        }
    }

    pub fn body(&self, now_ms: i64) -> Out {
        let message = if self.stamp {
            format!("{} ({now_ms})", self.message)
        } else {
            self.message.clone()
        };
        let mut o = Out::obj()
            .with("__type", Out::str(self.kind))
            .with("Message", Out::str(message));
        if let Some(code) = self.turk_code {
            o = o.with("TurkErrorCode", Out::str(code));
        }
        o
    }
}
