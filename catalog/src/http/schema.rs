//! The problem responses the catalog API's handlers cite in their `#[utoipa::path]` attributes (the document
//! itself is built in `openapi`).

platform::problem_response!(
    pub(super) InvalidRequest,
    "A query parameter is invalid: a problem document (RFC 9457) naming it in `errors[].field`"
);
platform::problem_response!(pub(super) NotFound, "No such product: a problem document (RFC 9457)");
platform::problem_response!(
    pub(super) Unavailable,
    "The database is unreachable or every connection is busy; retry after the Retry-After header",
    retry_after
);
