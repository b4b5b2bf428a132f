//! Where rendered emails go: `.eml` files on disk (the local default) or AWS SES v2, and how a failed send is
//! classified, which decides between retrying, giving up, and not touching it again.
//!
//! | outcome | when | what the worker does |
//! |---|---|---|
//! | [`SendError::Retry`] | SES throttled us (`TooManyRequestsException`, `LimitExceededException`, ...), answered with an error that may pass (5xx, unknown codes), or could not be reached at all (connection refused, connect timeout, DNS) | `retrying`, nak with backoff (on the last delivery: held and retried in process) |
//! | [`SendError::Reject`] | SES refused the message for good (`MessageRejected`, `MailFromDomainNotVerifiedException`, `AccountSuspendedException`, `BadRequestException`, `NotFoundException`) | `failed`, dead letter |
//! | [`SendError::Uncertain`] | the request may have reached SES but no answer came back (read or attempt timeout, connection lost mid-request, unreadable answer) | `uncertain`, ack: never sent twice |
//!
//! The SDK's own retries are off: a retry inside the SDK after a lost answer could send a second email
//! without the email log knowing. Retries go through JetStream redelivery, each one recorded.
//!
//! When a handler stopped in the middle of a send, [`Transport::recover`] says what became of it, if the
//! transport can know: the file transport can (a file is either in place or not), SES cannot.
//!
//! Over the usual length only because its unit tests sit beside the classification they check.

use std::{error::Error as StdError, path::PathBuf, time::Duration};

use aws_sdk_sesv2::{
    Client,
    config::{retry::RetryConfig, timeout::TimeoutConfig},
    error::{ProvideErrorMetadata as _, SdkError},
    operation::send_email::SendEmailError,
    types::{Body, Content, Destination, EmailContent, Message},
};

use crate::mime::OutgoingEmail;

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Not sent; worth trying again later.
    #[error("{0}")]
    Retry(String),
    /// Not sent, and never will be.
    #[error("{0}")]
    Reject(String),
    /// May have been sent.
    #[error("{0}")]
    Uncertain(String),
}

/// Sends emails; cheap to clone.
#[derive(Debug, Clone)]
pub enum Transport {
    File(FileTransport),
    Ses(SesTransport),
}

impl Transport {
    pub fn file(dir: impl Into<PathBuf>) -> Self {
        Self::File(FileTransport { dir: dir.into() })
    }

    pub fn ses(client: Client) -> Self {
        Self::Ses(SesTransport { client })
    }

    /// `file` or `ses`, as in the email log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::File(_) => "file",
            Self::Ses(_) => "ses",
        }
    }

    /// Sends `email`; returns the provider's message id.
    pub async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        match self {
            Self::File(file) => file.send(email).await,
            Self::Ses(ses) => ses.send(email).await,
        }
    }

    /// What became of `email` after a handler stopped while sending it (its row was left `sending`). An error
    /// means the question could not be answered now; ask again later.
    pub async fn recover(&self, email: &OutgoingEmail) -> std::io::Result<Recovery> {
        match self {
            Self::File(file) => file.recover(email).await,
            // SES cannot be asked for a message by the mailer's own key: whether it took it is unknowable.
            Self::Ses(_) => Ok(Recovery::Unknown),
        }
    }
}

/// What a transport knows about an email whose sender stopped mid-send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// It was delivered; this is the provider message id [`Transport::send`] returned for it.
    Delivered(String),
    /// Nothing was delivered: sending it now sends it once.
    NotDelivered,
    /// It may or may not have been delivered.
    Unknown,
}

/// Writes each email as an RFC 5322 `.eml` file that any mail client opens.
///
/// The file of an email is `<order number>-<event id>.eml`: the same for every attempt, so that a later
/// delivery of the event can find it. It is written to `.<name>.partial`, flushed to disk, and renamed into
/// place; the rename is the delivery. So at any time the email either is delivered, whole, or is not, and
/// [`Transport::recover`] can tell which.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// The delivered file of `email` and the name it is written under first.
    fn paths(&self, email: &OutgoingEmail) -> (PathBuf, PathBuf) {
        // Both parts are safe in a file name: the order number is letters, digits and `-` (checked when the
        // event is read), the event id a UUID.
        let name = format!("{}-{}.eml", email.order_number, email.event_id);
        let partial = self.dir.join(format!(".{name}.partial"));
        (self.dir.join(name), partial)
    }

    fn provider_id(email: &OutgoingEmail) -> String {
        format!("<{}>", email.message_id)
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        let (path, partial) = self.paths(email);
        let dir = self.dir.clone();
        let message = email.to_rfc5322();
        let written = {
            let (path, partial) = (path.clone(), partial.clone());
            tokio::task::spawn_blocking(move || write_into_place(&dir, &partial, &path, &message))
                .await
                .unwrap_or_else(|err| Err(std::io::Error::other(err)))
        };
        // Nothing is delivered until the rename, so a failed write is safe to retry.
        written.map_err(|err| SendError::Retry(format!("writing {}: {err}", path.display())))?;
        let path = std::path::absolute(&path).unwrap_or(path);
        tracing::info!(path = %path.display(), order = %email.order_number, "email written");
        Ok(Self::provider_id(email))
    }

    async fn recover(&self, email: &OutgoingEmail) -> std::io::Result<Recovery> {
        let (path, partial) = self.paths(email);
        let delivered = tokio::fs::try_exists(&path).await?;
        // What a handler that died while writing left behind; a new attempt writes it afresh.
        match tokio::fs::remove_file(&partial).await {
            Ok(()) => {
                tracing::info!(path = %partial.display(), "removed a partly written email");
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        Ok(if delivered {
            Recovery::Delivered(Self::provider_id(email))
        } else {
            Recovery::NotDelivered
        })
    }
}

/// Writes `message` to `partial`, flushes it to disk and renames it to `path`. On failure before the rename,
/// `partial` is removed. The rename is made durable too, when the file system allows.
fn write_into_place(
    dir: &std::path::Path,
    partial: &std::path::Path,
    path: &std::path::Path,
    message: &str,
) -> std::io::Result<()> {
    use std::io::Write as _;

    std::fs::create_dir_all(dir)?;
    let written = std::fs::File::create(partial).and_then(|mut file| {
        file.write_all(message.as_bytes())?;
        // Flushed before the rename: a file in place after a crash is always whole.
        file.sync_all()
    });
    if let Err(err) = written.and_then(|()| std::fs::rename(partial, path)) {
        let _ = std::fs::remove_file(partial);
        return Err(err);
    }
    // The email is delivered; a directory that cannot be synced only weakens that against a power cut.
    if let Err(err) = std::fs::File::open(dir).and_then(|dir| dir.sync_all()) {
        tracing::debug!(error = %err, dir = %dir.display(), "cannot sync the mail directory");
    }
    Ok(())
}

/// Sends through SES v2 `SendEmail` with simple (text + HTML) content; SES builds the MIME message.
#[derive(Debug, Clone)]
pub struct SesTransport {
    client: Client,
}

/// An SES client from a loaded AWS configuration (region, endpoint and credentials from the standard AWS
/// environment), with the SDK's retries off and every call bounded by `send_timeout`.
pub fn ses_client(sdk_config: &aws_config::SdkConfig, send_timeout: Duration) -> Client {
    // Connecting gets a shorter bound than the whole call, so that an unreachable SES shows as a connect
    // failure (safe to retry) rather than as an attempt timeout (which might have sent).
    let connect_timeout = (send_timeout / 2).min(Duration::from_secs(3));
    let config = aws_sdk_sesv2::config::Builder::from(sdk_config)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(connect_timeout)
                .operation_attempt_timeout(send_timeout)
                .operation_timeout(send_timeout)
                .build(),
        )
        .build();
    Client::from_conf(config)
}

impl SesTransport {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|err| SendError::Reject(format!("building the request: {err}")))
        };
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(
                Body::builder()
                    .text(content(&email.text)?)
                    .html(content(&email.html)?)
                    .build(),
            )
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(email.from.to_header())
            .destination(
                Destination::builder()
                    .to_addresses(email.to.to_header())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|err| classify(&err))?;
        Ok(output.message_id().unwrap_or_default().to_owned())
    }
}

/// How an SES error code is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Slow down and try again.
    Throttled,
    /// Will never succeed: do not retry.
    Permanent,
    /// Anything else SES answered with an error: not sent, may pass.
    Transient,
}

/// Classifies an SES error by its code (the SDK's error metadata `code()`).
pub fn classify_code(code: Option<&str>) -> ErrorClass {
    match code {
        Some(
            "TooManyRequestsException"
            | "LimitExceededException"
            | "Throttling"
            | "ThrottlingException"
            | "SendingPausedException",
        ) => ErrorClass::Throttled,
        Some(
            "MessageRejected"
            | "MailFromDomainNotVerifiedException"
            | "AccountSuspendedException"
            | "BadRequestException"
            | "NotFoundException",
        ) => ErrorClass::Permanent,
        // Unknown codes, 5xx and credential problems are retried: bounded by MAIL_MAX_DELIVER, after which the
        // event is dead-lettered anyway, and an operator may fix the cause in the meantime.
        _ => ErrorClass::Transient,
    }
}

/// Classifies a failed `SendEmail` call.
pub fn classify(err: &SdkError<SendEmailError>) -> SendError {
    let detail = crate::error_chain(err);
    match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code();
            let detail = match (code, service.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                _ => detail,
            };
            match classify_code(code) {
                ErrorClass::Permanent => SendError::Reject(detail),
                ErrorClass::Throttled | ErrorClass::Transient => SendError::Retry(detail),
            }
        }
        // The request was never built or never left: nothing was sent.
        SdkError::ConstructionFailure(_) => SendError::Retry(detail),
        SdkError::DispatchFailure(failure) => {
            let connector = failure.as_connector_error();
            if failure.is_user() || connector.is_some_and(|c| never_reached_the_provider(c)) {
                SendError::Retry(detail)
            } else {
                SendError::Uncertain(detail)
            }
        }
        // An attempt timeout or an unreadable answer: the request may have been accepted.
        _ => SendError::Uncertain(detail),
    }
}

/// Whether a dispatch error happened before a byte of the request reached the provider: the connection was
/// refused, the host could not be resolved or reached, or connecting timed out. hyper-util reports connect
/// failures as `client error (Connect)` and the SDK's connect timeout as `HTTP connect timeout occurred
/// after ...`; both are in the error's chain. (A unit test pins the first against a real refused connection.)
fn never_reached_the_provider(err: &(dyn StdError + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
            )
        {
            return true;
        }
        let text = err.to_string();
        if text.starts_with("client error (Connect)") || text.contains("connect timeout") {
            return true;
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use aws_sdk_sesv2::{
        config::{BehaviorVersion, Credentials, Region},
        error::ConnectorError,
    };

    use super::*;

    #[test]
    fn ses_error_codes_are_classified() {
        for code in [
            "TooManyRequestsException",
            "LimitExceededException",
            "ThrottlingException",
        ] {
            assert_eq!(classify_code(Some(code)), ErrorClass::Throttled, "{code}");
        }
        for code in [
            "MessageRejected",
            "MailFromDomainNotVerifiedException",
            "AccountSuspendedException",
            "BadRequestException",
        ] {
            assert_eq!(classify_code(Some(code)), ErrorClass::Permanent, "{code}");
        }
        for code in [
            None,
            Some("InternalFailure"),
            Some("ServiceUnavailable"),
            Some("UnrecognizedClientException"),
        ] {
            assert_eq!(classify_code(code), ErrorClass::Transient, "{code:?}");
        }
    }

    #[test]
    fn a_refused_connection_is_retried_and_a_lost_one_is_uncertain() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err: SdkError<SendEmailError> =
            SdkError::dispatch_failure(ConnectorError::io(refused.into()));
        assert!(matches!(classify(&err), SendError::Retry(_)));

        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let err: SdkError<SendEmailError> =
            SdkError::dispatch_failure(ConnectorError::io(reset.into()));
        assert!(matches!(classify(&err), SendError::Uncertain(_)));

        let err: SdkError<SendEmailError> = SdkError::timeout_error("attempt timeout");
        assert!(matches!(classify(&err), SendError::Uncertain(_)));

        let err: SdkError<SendEmailError> = SdkError::construction_failure("no region");
        assert!(matches!(classify(&err), SendError::Retry(_)));
    }

    fn client(endpoint: &str, send_timeout: Duration) -> Client {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_sesv2::config::SharedCredentialsProvider::new(
                Credentials::new("test", "test", None, None, "test"),
            ))
            .build();
        ses_client(&sdk, send_timeout)
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            from: crate::mime::Mailbox::parse("Shop <orders@shop.example>").unwrap(),
            to: crate::mime::Mailbox::new("Ana", "ana@example.com").unwrap(),
            subject: "Your order SH-1 is confirmed".to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
            message_id: "x@shop.example".to_owned(),
            date: chrono::Utc::now(),
            order_number: platform::contracts::OrderNumber::parse("SH-1").unwrap(),
            event_id: uuid::Uuid::now_v7(),
            kind: crate::mail::Kind::OrderConfirmation,
        }
    }

    #[tokio::test]
    async fn the_file_transport_knows_whether_an_email_was_written() {
        let dir = std::env::temp_dir().join(format!("shop-mail-unit-{}", uuid::Uuid::new_v4()));
        let transport = Transport::file(&dir);
        let email = email();
        assert_eq!(
            transport.recover(&email).await.unwrap(),
            Recovery::NotDelivered
        );
        let provider_id = transport.send(&email).await.unwrap();
        assert_eq!(
            transport.recover(&email).await.unwrap(),
            Recovery::Delivered(provider_id)
        );
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("SH-1-{}.eml", email.event_id)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn ses_behind_a_closed_port_is_retried() {
        // Bound, then closed: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let transport = Transport::ses(client(
            &format!("http://127.0.0.1:{port}"),
            Duration::from_secs(5),
        ));
        let outcome = transport.send(&email()).await;
        assert!(matches!(outcome, Err(SendError::Retry(_))), "{outcome:?}");
    }

    #[tokio::test]
    async fn ses_that_takes_the_request_and_never_answers_is_uncertain() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let transport = Transport::ses(client(&endpoint, Duration::from_millis(800)));
        let outcome = transport.send(&email()).await;
        assert!(
            matches!(outcome, Err(SendError::Uncertain(_))),
            "{outcome:?}"
        );
        silent.abort();
    }
}
