//! CSV exports of a filtered list, streamed: one page of the owning service's list is fetched, written and
//! sent before the next is asked for, so memory stays that of one page however many rows match. The first
//! page is fetched before answering, so a service that does not answer is a "try again" page rather than a
//! broken download; one that stops answering later ends the file with a line saying so.

use std::future::Future;

use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::error::AdminError;

/// A page of a list, as CSV rows.
pub(crate) trait CsvPage: Send + 'static {
    /// The header line.
    const HEADER: &'static [&'static str];
    /// The page's rows, one record each, in the header's order.
    fn records(&self) -> Vec<Vec<String>>;
    /// The cursor of the page after it.
    fn next(&self) -> Option<String>;
}

/// A text cell a spreadsheet would run as a formula is written as text.
pub(crate) fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// `page` as CSV lines (with the header line first when `header`).
fn lines<P: CsvPage>(page: &P, header: bool) -> Bytes {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<(), csv::Error> {
        if header {
            writer.write_record(P::HEADER)?;
        }
        for record in page.records() {
            writer.write_record(record)?;
        }
        Ok(())
    };
    if let Err(err) = write() {
        tracing::error!(error = %err, "writing CSV to memory");
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

/// The download `filename`: `first`, then the page at each `next` cursor fetched by `fetch`.
pub(crate) fn stream<P, F, Fut>(
    filename: &str,
    service: &'static str,
    first: P,
    fetch: F,
) -> Response
where
    P: CsvPage,
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P, AdminError>> + Send,
{
    let stream = futures::stream::unfold(
        (Some(first), fetch, service, true),
        async |(current, fetch, service, header)| {
            let current = current?;
            let chunk = lines(&current, header);
            let next = match current.next() {
                Some(cursor) => match fetch(cursor).await {
                    Ok(page) => Some(page),
                    Err(err) => {
                        // The download ends short; the file's last line tells the reader.
                        tracing::warn!(error = %err, "CSV export stopped early");
                        let mut chunk = chunk.to_vec();
                        chunk.extend_from_slice(
                            format!("# the export stopped early: the {service} did not answer\n")
                                .as_bytes(),
                        );
                        return Some((
                            Ok::<_, std::io::Error>(Bytes::from(chunk)),
                            (None, fetch, service, false),
                        ));
                    }
                },
                None => None,
            };
            Some((Ok(chunk), (next, fetch, service, false)))
        },
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The download `filename` of a report that is one page (it has no next page).
pub(crate) fn single<P: CsvPage>(filename: &str, page: P) -> Response {
    stream(filename, "service", page, |_cursor| async {
        Err::<P, _>(AdminError::NotFound)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_evaluate_is_written_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Trail shoe"), "Trail shoe");
    }
}
