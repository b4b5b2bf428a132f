//! SendMessageBatch requests and their outcomes, without any I/O.
//!
//! Events are split into requests of at most [`MAX_ENTRIES`] entries and [`MAX_REQUEST_BYTES`] bytes. Entry
//! ids are the event's position in the forwarder's batch (`e0` to `e9`), so they are valid SQS ids, unique
//! in a request and the same on every retry. FIFO queues get MessageGroupId = order number (events of one
//! order stay in order) and MessageDeduplicationId = event id (SQS drops a re-send within 5 minutes); every
//! queue gets the attributes `event_id`, `event_type` and `order_number`, so consumers of a standard queue
//! (at-least-once anyway) can drop duplicates themselves.
//!
//! After a call, [`select`] sorts each entry into accepted, retried (SQS's fault, throttling, or no answer
//! for the entry) and rejected (the sender's fault: retrying the same entry cannot succeed).

use std::collections::HashMap;

use aws_sdk_sqs::{
    error::BuildError,
    types::{MessageAttributeValue, SendMessageBatchRequestEntry},
};

use crate::event::OutgoingEvent;

/// SQS takes at most 10 entries per SendMessageBatch.
pub const MAX_ENTRIES: usize = 10;
/// The classic SQS limit for a whole batch request (bodies and attributes); newer queues take more.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;
/// What the attributes of one entry add to its body, generously.
const ATTRIBUTES_BYTES: usize = 512;

/// The entry id of the event at `index` in the forwarder's batch.
pub fn entry_id(index: usize) -> String {
    format!("e{index}")
}

fn index_of(entry_id: &str) -> Option<usize> {
    entry_id.strip_prefix('e')?.parse().ok()
}

/// The SendMessageBatch entry for the event at `index`.
pub fn entry(
    index: usize,
    event: &OutgoingEvent,
    fifo: bool,
) -> Result<SendMessageBatchRequestEntry, BuildError> {
    let event_id = event.event_id.hyphenated().to_string();
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(entry_id(index))
        .message_body(&event.body)
        .message_attributes("event_id", string_attribute(&event_id)?)
        .message_attributes("event_type", string_attribute(&event.event_type)?)
        .message_attributes("order_number", string_attribute(&event.order_number)?);
    if fifo {
        entry = entry
            .message_group_id(&event.order_number)
            .message_deduplication_id(event_id);
    }
    entry.build()
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, BuildError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
}

/// Splits events of the given body sizes into requests: consecutive index lists of at most
/// [`MAX_ENTRIES`] entries and [`MAX_REQUEST_BYTES`] bytes (an event over the limit goes alone, for SQS to
/// judge).
pub fn requests(body_sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut requests: Vec<Vec<usize>> = Vec::new();
    let mut bytes = 0;
    for (index, size) in body_sizes.iter().enumerate() {
        let size = size + ATTRIBUTES_BYTES;
        match requests.last_mut() {
            Some(current) if current.len() < MAX_ENTRIES && bytes + size <= MAX_REQUEST_BYTES => {
                current.push(index);
                bytes += size;
            }
            _ => {
                requests.push(vec![index]);
                bytes = size;
            }
        }
    }
    requests
}

/// One failed entry of a SendMessageBatch response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedEntry {
    pub id: String,
    pub code: String,
    pub sender_fault: bool,
    pub message: Option<String>,
}

/// What SQS answered to one SendMessageBatch call: entry id and SQS message id of each accepted entry, and
/// the failed entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub successful: Vec<(String, String)>,
    pub failed: Vec<FailedEntry>,
}

/// Each sent entry, sorted by what to do next; indexes are the forwarder's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Index and SQS message id: record, then ack.
    pub accepted: Vec<(usize, String)>,
    /// Index and reason: send again after a backoff.
    pub retry: Vec<(usize, String)>,
    /// Index and reason: SQS will never take it; dead-letter.
    pub rejected: Vec<(usize, String)>,
}

/// Sorts the entries `sent` (indexes) by the `outcome` of their call. Only entries SQS explicitly accepted
/// count as forwarded; one the response does not mention is retried.
pub fn select(sent: &[usize], outcome: &BatchOutcome) -> Selection {
    let accepted: HashMap<usize, &str> = outcome
        .successful
        .iter()
        .filter_map(|(id, message_id)| Some((index_of(id)?, message_id.as_str())))
        .collect();
    let failed: HashMap<usize, &FailedEntry> = outcome
        .failed
        .iter()
        .filter_map(|entry| Some((index_of(&entry.id)?, entry)))
        .collect();
    let mut selection = Selection::default();
    for &index in sent {
        if let Some(failure) = failed.get(&index) {
            let reason = match &failure.message {
                Some(message) => format!("{}: {message}", failure.code),
                None => failure.code.clone(),
            };
            if failure.sender_fault && !is_throttling(&failure.code) {
                selection.rejected.push((index, reason));
            } else {
                selection.retry.push((index, reason));
            }
        } else if let Some(message_id) = accepted.get(&index) {
            selection.accepted.push((index, (*message_id).to_owned()));
        } else {
            selection
                .retry
                .push((index, "no result for this entry in the response".to_owned()));
        }
    }
    selection
}

/// Throttling is the sender's fault too, but it passes.
fn is_throttling(code: &str) -> bool {
    code.contains("Throttl")
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn event(number: &str) -> OutgoingEvent {
        OutgoingEvent {
            event_id: Uuid::now_v7(),
            event_type: "OrderCreated".to_owned(),
            order_number: number.to_owned(),
            body: format!(r#"{{"data":{{"number":"{number}"}}}}"#),
        }
    }

    fn attribute<'a>(entry: &'a SendMessageBatchRequestEntry, name: &str) -> Option<&'a str> {
        entry.message_attributes()?.get(name)?.string_value()
    }

    #[test]
    fn entry_ids_are_positions_and_valid_for_sqs() {
        let ids: Vec<String> = (0..MAX_ENTRIES).map(entry_id).collect();
        for (index, id) in ids.iter().enumerate() {
            assert!(id.len() <= 80 && id.chars().all(|c| c.is_ascii_alphanumeric()));
            assert_eq!(index_of(id), Some(index));
        }
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), MAX_ENTRIES);
        assert_eq!(index_of("nonsense"), None);
    }

    #[test]
    fn fifo_entries_are_grouped_by_order_and_deduplicated_by_event() {
        let event = event("SH-1");
        let entry = super::entry(3, &event, true).unwrap();
        assert_eq!(entry.id(), "e3");
        assert_eq!(entry.message_body(), event.body);
        assert_eq!(entry.message_group_id(), Some("SH-1"));
        let event_id = event.event_id.to_string();
        assert_eq!(entry.message_deduplication_id(), Some(event_id.as_str()));
        assert_eq!(attribute(&entry, "event_id"), Some(event_id.as_str()));
    }

    #[test]
    fn standard_entries_carry_the_event_id_as_an_attribute() {
        let event = event("SH-2");
        let entry = super::entry(0, &event, false).unwrap();
        assert_eq!(entry.message_group_id(), None);
        assert_eq!(entry.message_deduplication_id(), None);
        let event_id = event.event_id.to_string();
        assert_eq!(attribute(&entry, "event_id"), Some(event_id.as_str()));
        assert_eq!(attribute(&entry, "event_type"), Some("OrderCreated"));
        assert_eq!(attribute(&entry, "order_number"), Some("SH-2"));
    }

    #[test]
    fn requests_hold_at_most_ten_entries() {
        let requests = requests(&[100; 25]);
        let sizes: Vec<usize> = requests.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 5]);
        let flat: Vec<usize> = requests.into_iter().flatten().collect();
        assert_eq!(flat, (0..25).collect::<Vec<_>>());
    }

    #[test]
    fn requests_stay_under_the_size_limit() {
        let big = MAX_REQUEST_BYTES / 3;
        let requests = requests(&[big, big, big, 10, MAX_REQUEST_BYTES * 2, 10]);
        assert_eq!(requests, vec![vec![0, 1], vec![2, 3], vec![4], vec![5]]);
    }

    fn failed(id: &str, code: &str, sender_fault: bool) -> FailedEntry {
        FailedEntry {
            id: id.to_owned(),
            code: code.to_owned(),
            sender_fault,
            message: None,
        }
    }

    #[test]
    fn only_failed_entries_are_retried() {
        let outcome = BatchOutcome {
            successful: vec![
                ("e0".to_owned(), "m-0".to_owned()),
                ("e2".to_owned(), "m-2".to_owned()),
            ],
            failed: vec![
                failed("e1", "InternalError", false),
                failed("e3", "RequestThrottled", true),
                failed("e4", "InvalidMessageContents", true),
            ],
        };
        let selection = select(&[0, 1, 2, 3, 4, 5], &outcome);
        assert_eq!(
            selection.accepted,
            vec![(0, "m-0".to_owned()), (2, "m-2".to_owned())]
        );
        let retried: Vec<usize> = selection.retry.iter().map(|(index, _)| *index).collect();
        assert_eq!(
            retried,
            [1, 3, 5],
            "SQS's faults, throttling, and entries without an answer"
        );
        assert_eq!(selection.rejected.len(), 1);
        assert_eq!(selection.rejected[0].0, 4);
        assert!(selection.rejected[0].1.contains("InvalidMessageContents"));
    }

    #[test]
    fn a_retry_sends_the_failed_entries_under_their_first_ids() {
        let outcome = BatchOutcome {
            successful: vec![("e7".to_owned(), "m-7".to_owned())],
            failed: vec![failed("e9", "ServiceUnavailable", false)],
        };
        let selection = select(&[7, 9], &outcome);
        assert_eq!(selection.accepted, vec![(7, "m-7".to_owned())]);
        assert_eq!(selection.retry.len(), 1);
        assert_eq!(selection.retry[0].0, 9);
        let again = entry(9, &event("SH-9"), false).unwrap();
        assert_eq!(again.id(), "e9");
    }
}
