//! Every `tonic::Status` the service returns is made here, so codes and
//! messages stay consistent across RPCs.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// `INVALID_ARGUMENT` with a `google.rpc.BadRequest` field violation.
pub fn invalid_argument(field: &str, description: impl Into<String>) -> Status {
    let description = description.into();
    Status::with_error_details(
        Code::InvalidArgument,
        format!("invalid `{field}`: {description}"),
        ErrorDetails::with_bad_request_violation(field, description),
    )
}

/// The text is larger than the configured limit.
pub fn text_too_large(field: &str, len: usize, limit: usize) -> Status {
    invalid_argument(
        field,
        format!(
            "text is {len} bytes, over the limit of {limit} bytes (ZHTEXT_MAX_TEXT_BYTES); split it and send the parts"
        ),
    )
}

/// The service is still loading its dictionaries and models.
pub fn loading() -> Status {
    Status::unavailable("zhtext is loading its dictionaries; retry shortly (health turns SERVING when ready)")
}

/// A blocking task panicked or was cancelled: a bug, not the caller's fault.
pub fn internal(what: &str) -> Status {
    Status::internal(format!("internal error while {what}"))
}
