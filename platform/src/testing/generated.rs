//! Checked-in copies of what the code generates (the OpenAPI documents the storefront's types come from).

use std::path::Path;

/// Fails unless the file at `path` holds `document` (the pretty JSON of an OpenAPI document a service
/// generates) and a newline: the checked-in copy the storefront's API types are generated from must not drift
/// from the code. With `UPDATE_OPENAPI=1` the file is rewritten instead.
pub fn assert_checked_in_openapi(document: &str, path: impl AsRef<Path>) {
    let path = path.as_ref();
    let generated = format!("{document}\n");
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|value| value == "1") {
        std::fs::write(path, &generated)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is not the document the code generates: run `UPDATE_OPENAPI=1 cargo test --lib openapi` \
         and then `npm run gen:api` in frontend/, and commit the results",
        path.display()
    );
}
