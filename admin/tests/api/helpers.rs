//! `spawn_app()` and a `Browser`: a cookie-keeping HTTP client that does not follow redirects, so each test
//! sees the answers as they are.

use std::{sync::Arc, time::Duration};

use admin::{
    audit::Entry,
    config::{Config, SessionTimeouts},
    domain::{Email, Role},
};
use platform::testing::{NatsServer, TestService, spawn_service_with};
use reqwest::{StatusCode, cookie::Jar, header};
use secrecy::SecretString;
use sqlx::MySqlPool;

/// The origin the admin believes it is served at, and that the browser says it comes from.
pub(crate) const ORIGIN: &str = "http://admin.shop.test";
/// A password that passes the rules.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) pool: MySqlPool,
    /// The key the admin seals TOTP secrets with.
    pub(crate) totp_key: admin::totp::TotpKey,
    service: TestService,
    _nats: NatsServer,
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(SessionTimeouts::default()).await
}

/// The admin with these session timeouts. It believes `X-Forwarded-For` from 127.0.0.1 (as from the proxy),
/// so a test can be several clients.
pub(crate) async fn spawn_app_with(sessions: SessionTimeouts) -> TestApp {
    let nats = NatsServer::start();
    let mut config = Config::for_tests(ORIGIN);
    config.sessions = sessions;
    let totp_key = config.totp_key.clone();
    let service = spawn_service_with(
        admin::SERVICE,
        &admin::MIGRATOR,
        &nats,
        |common| common.trusted_proxies = "127.0.0.1".parse().expect("a proxy address"),
        async move |runtime| {
            admin::start(runtime, config)
                .await
                .expect("the admin starts")
        },
    )
    .await;
    TestApp {
        address: service.address.clone(),
        pool: service.pool.clone(),
        totp_key,
        service,
        _nats: nats,
    }
}

/// The admin on `nats`, where the test started the services it talks to (the catalog), with `config`, and the
/// body limit `./dev up` gives it (12 MiB, for photo uploads).
pub(crate) async fn spawn_app_on(nats: NatsServer, config: Config) -> TestApp {
    let totp_key = config.totp_key.clone();
    let service = spawn_service_with(
        admin::SERVICE,
        &admin::MIGRATOR,
        &nats,
        |common| {
            common.trusted_proxies = "127.0.0.1".parse().expect("a proxy address");
            common.http_limits.max_body_bytes = 12 * 1024 * 1024;
        },
        async move |runtime| {
            admin::start(runtime, config)
                .await
                .expect("the admin starts")
        },
    )
    .await;
    TestApp {
        address: service.address.clone(),
        pool: service.pool.clone(),
        totp_key,
        service,
        _nats: nats,
    }
}

impl TestApp {
    /// The URL of the admin's test database, for the `admin` command line.
    pub(crate) fn database_url(&self) -> String {
        self.service.database.url()
    }

    /// A client of the test's nats-server as `ops`, to put on it what a test needs (dead letters, say).
    pub(crate) async fn ops(&self) -> async_nats::Client {
        self._nats.ops().await
    }

    /// A staff member with [`PASSWORD`], as `admin create-user` makes one.
    pub(crate) async fn staff_member(&self, email: &str, role: Role) -> u64 {
        admin::staff::create(
            &self.pool,
            &Email::parse(email).expect("an email"),
            role,
            SecretString::from(PASSWORD),
            Entry::command_line("staff.create"),
        )
        .await
        .expect("staff member created")
        .id
    }

    /// A browser on its own address.
    pub(crate) fn browser(&self, ip: &str) -> Browser {
        let jar = Arc::new(Jar::default());
        Browser {
            client: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            jar,
            address: self.address.clone(),
            ip: ip.to_owned(),
        }
    }

    /// A browser signed in as `email` (with [`PASSWORD`]).
    pub(crate) async fn signed_in(&self, email: &str, ip: &str) -> Browser {
        let browser = self.browser(ip);
        let response = browser.sign_in(email, PASSWORD, "").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "signing in as {email}"
        );
        browser
    }

    /// Audit entries, newest first: (action, staff_email, outcome, target_type, target_id, detail).
    pub(crate) async fn audit(&self) -> Vec<(String, String, String, String, String, String)> {
        sqlx::query_as(
            "SELECT action, staff_email, CAST(outcome AS CHAR), target_type, target_id, detail \
             FROM audit_log ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .expect("audit log")
    }

    /// The newest audit entry with `action`.
    pub(crate) async fn last_audit(
        &self,
        action: &str,
    ) -> Option<(String, String, String, String, String, String)> {
        self.audit()
            .await
            .into_iter()
            .find(|entry| entry.0 == action)
    }

    pub(crate) async fn sessions_of(&self, staff_id: u64) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE staff_id = ?")
            .bind(staff_id)
            .fetch_one(&self.pool)
            .await
            .expect("sessions")
    }

    pub(crate) async fn stop(self) {
        self.service.stop().await;
    }
}

pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    jar: Arc<Jar>,
    address: String,
    ip: String,
}

/// `html` with tera's escapes of `/` and `&` undone.
pub(crate) fn unescape(html: &str) -> String {
    html.replace("&#x2F;", "/").replace("&amp;", "&")
}

/// The body of a page the test did not fetch with [`Browser::page`] (a refusal, an error), unescaped the same way.
pub(crate) async fn body(response: reqwest::Response) -> String {
    unescape(&response.text().await.expect("body"))
}

/// The value of the first hidden `name` input in `html`.
pub(crate) fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The session cookie's value in a response, if it sets one.
pub(crate) fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("__Host-admin_session="))
        .map(str::to_owned)
}

impl Browser {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("x-forwarded-for", &self.ip)
            .send()
            .await
            .expect("GET")
    }

    /// The page at `path` (which must answer 200), with the escapes tera puts in attribute values undone
    /// (`&#x2F;` and `&amp;`), so that a test can look for the URLs a browser would follow.
    pub(crate) async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        body(response).await
    }

    /// Puts a cookie in this browser's jar, as a page of another site (or an attacker) might.
    pub(crate) fn plant_cookie(&self, cookie: &str) {
        let url = self.address.parse().expect("the app's URL");
        self.jar.add_cookie_str(cookie, &url);
    }

    /// The CSRF token of the page at `path` (every signed-in page has it).
    pub(crate) async fn csrf_token(&self, path: &str) -> String {
        hidden_value(&self.page(path).await, "csrf_token").expect("a csrf_token on the page")
    }

    /// A form POST as the browser sends it: from the admin's own origin, with `fields` as given.
    pub(crate) async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("x-forwarded-for", &self.ip)
            .form(fields);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.send().await.expect("POST")
    }

    /// A form POST with this session's CSRF token (read from the dashboard) and our origin.
    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token("/admin").await;
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post_raw(path, &fields, Some(ORIGIN)).await
    }

    /// A multipart form POST (a file upload, `file` = (field, file name, bytes)) with this session's CSRF
    /// token in the form and our origin, as a browser sends it.
    pub(crate) async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> reqwest::Response {
        const BOUNDARY: &str = "----admin-test-boundary-7MA4YWxkTrZu0gW";
        let token = self.csrf_token("/admin").await;
        let mut body = Vec::new();
        for (name, value) in fields.iter().chain([("csrf_token", token.as_str())].iter()) {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.client
            .post(self.url(path))
            .header("x-forwarded-for", &self.ip)
            .header(header::ORIGIN, ORIGIN)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST multipart")
    }

    /// Fills in and sends the login form.
    pub(crate) async fn sign_in(
        &self,
        email: &str,
        password: &str,
        code: &str,
    ) -> reqwest::Response {
        let form = self.page("/admin/login").await;
        let token = hidden_value(&form, "csrf_token").expect("the login form's token");
        self.post_raw(
            "/admin/login",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
                ("code", code),
            ],
            Some(ORIGIN),
        )
        .await
    }
}

/// Where a redirect points.
pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A short pause, for timing tests.
pub(crate) async fn pause(duration: Duration) {
    tokio::time::sleep(duration).await;
}
