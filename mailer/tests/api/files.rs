//! The file transport: a real RFC 5322 message a mail client opens, rendered safely for any customer name and
//! any cart; and an email whose sender died mid-send is found out (written or not) and never left
//! `uncertain`, nor written twice.

use platform::{contracts::orders::OrderCreated, events::Envelope};

use crate::helpers::{
    TestMailer, Via, leave_sending, order, order_for, parse_eml, spawn_mailer, test_config,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_file_transport_writes_an_eml_with_a_text_and_an_html_part_rendered_safely() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let name = "Zoë <b>Bold</b> & Søn 北京";
    let mut order = order_for(name, 60);
    order.lines[7].name = "Cable <script>alert(1)</script> & \"adapter\"".to_owned();
    let envelope = Envelope::new("checkout", order);
    mailer.publish(&envelope).await;
    mailer.wait_for_state("sent", 1).await;

    let files = mailer.eml_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let path = &files[0];
    assert!(
        path.to_string_lossy()
            .contains(envelope.data.number.as_str())
    );
    let eml = parse_eml(path);
    assert_eq!(eml["defects"], serde_json::json!([]), "{eml}");
    assert_eq!(eml["bare_lf"], 0, "CRLF line ends only");
    assert!(
        eml["max_line"].as_u64().unwrap() <= 78,
        "short lines: {}",
        eml["max_line"]
    );
    assert_eq!(
        eml["subject"],
        format!("Your order {} is confirmed", envelope.data.number)
    );
    assert_eq!(
        eml["to_name"], name,
        "the name survives the To header intact"
    );
    assert_eq!(eml["to_address"], "ana@example.com");
    assert_eq!(eml["from"], "Shop <orders@shop.example>");
    assert_eq!(eml["type"], "multipart/alternative");
    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!(
        eml["message_id"].as_str(),
        email.provider_message_id.as_deref(),
        "the log keeps the Message-ID"
    );

    let parts = eml["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        (parts[0]["type"].as_str(), parts[0]["charset"].as_str()),
        (Some("text/plain"), Some("utf-8"))
    );
    assert_eq!(
        (parts[1]["type"].as_str(), parts[1]["charset"].as_str()),
        (Some("text/html"), Some("utf-8"))
    );
    let text = parts[0]["content"].as_str().unwrap();
    let html = parts[1]["content"].as_str().unwrap();

    // HTML: escaped, never markup from the order.
    assert!(
        html.contains("Zoë &lt;b&gt;Bold&lt;&#x2F;b&gt; &amp; Søn 北京"),
        "{html}"
    );
    assert!(!html.contains("<b>Bold"));
    assert!(
        html.contains("Cable &lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; &quot;adapter&quot;")
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("style=\""), "inline CSS");
    assert!(
        !html.contains("<style"),
        "no style sheet: clients drop them"
    );
    // Text: as typed.
    assert!(
        text.contains(&format!("Thanks for your order, {name}!")),
        "{text}"
    );
    assert!(text.contains("Cable <script>alert(1)</script> & \"adapter\""));
    assert!(!text.contains("&lt;") && !text.contains("&amp;"));

    // All 60 lines, the totals and the link, in both parts.
    for part in [text, html] {
        for i in 1..=60 {
            assert!(
                part.contains(&format!("BB-{i:04}")),
                "line {i} is in the email"
            );
        }
        assert!(part.contains("$2,398.80"), "subtotal: 60 × 39.98");
        assert!(part.contains("$4.99"), "shipping");
        assert!(part.contains("$191.90"), "tax");
        assert!(part.contains("$2,595.69"), "total");
        assert!(part.contains("Standard shipping"));
        assert!(part.contains("Springfield, IL 62701"));
    }
    let token = envelope.data.lookup_token.as_deref().unwrap();
    let link = format!(
        "http://shop.test/orders/{}?token={token}",
        envelope.data.number
    );
    assert!(text.contains(&link), "{text}");
    assert!(
        html.contains(&format!("href=\"{}\"", link.replace('/', "&#x2F;"))),
        "the link, escaped as an attribute"
    );
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_left_sending_by_a_handler_that_died_before_writing_it_is_written_once_and_sent() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let envelope = Envelope::new("checkout", order());
    leave_sending(&mailer, &envelope).await;
    // What the handler was writing when it died.
    std::fs::create_dir_all(&mailer.mail_dir).unwrap();
    let partial = mailer
        .mail_dir
        .join(format!(".{}.partial", eml_name(&envelope)));
    std::fs::write(&partial, "From: Shop <orders@shop.example>\r\nTo: Ana").unwrap();

    mailer.publish(&envelope).await;
    mailer.wait_for_state("sent", 1).await;
    mailer.wait_until_settled().await;

    let files = mailer.eml_files();
    assert_eq!(files, [mailer.mail_dir.join(eml_name(&envelope))]);
    let eml = parse_eml(&files[0]);
    assert_eq!(
        eml["defects"],
        serde_json::json!([]),
        "a whole email: {eml}"
    );
    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!((email.state.as_str(), email.attempts), ("sent", 2));
    assert_eq!(
        email.provider_message_id.as_deref(),
        eml["message_id"].as_str()
    );
    assert!(!partial.exists(), "the partly written file is gone");
    assert!(
        all_files(&mailer)
            .iter()
            .all(|name| !name.ends_with(".partial"))
    );
    assert!(mailer.dead_letters().await.is_empty());

    // A later redelivery writes nothing more.
    mailer.publish(&envelope).await;
    mailer.wait_until_settled().await;
    assert_eq!(mailer.eml_files().len(), 1);
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_left_sending_by_a_handler_that_died_after_writing_it_is_recorded_sent_and_not_written_again()
 {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let envelope = Envelope::new("checkout", order());
    leave_sending(&mailer, &envelope).await;
    // The handler renamed the email into place, then died before recording it.
    std::fs::create_dir_all(&mailer.mail_dir).unwrap();
    let path = mailer.mail_dir.join(eml_name(&envelope));
    std::fs::write(&path, "written by the handler that died").unwrap();

    mailer.publish(&envelope).await;
    mailer.wait_for_state("sent", 1).await;
    mailer.wait_until_settled().await;

    assert_eq!(mailer.eml_files(), std::slice::from_ref(&path));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "written by the handler that died",
        "not written again"
    );
    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!(
        (email.state.as_str(), email.attempts),
        ("sent", 1),
        "no new attempt"
    );
    assert_eq!(
        email.provider_message_id,
        Some(format!("<{}@shop.example>", envelope.id)),
        "the Message-ID the transport gives every attempt of this event"
    );
    assert!(mailer.dead_letters().await.is_empty());
    mailer.stop().await;
}

/// The file of the email for `envelope`: found by its event id (and order number).
fn eml_name(envelope: &Envelope<OrderCreated>) -> String {
    format!("{}-{}.eml", envelope.data.number, envelope.id)
}

fn all_files(mailer: &TestMailer) -> Vec<String> {
    std::fs::read_dir(&mailer.mail_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
