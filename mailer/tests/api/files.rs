//! The file transport: a real RFC 5322 message a mail client opens, rendered safely for any customer name and
//! any cart; and an email whose sender died mid-send is never sent again.

use platform::events::Envelope;

use crate::helpers::{Via, order, order_for, parse_eml, spawn_mailer, test_config};

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
    assert!(path.to_string_lossy().contains(&envelope.data.number));
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
async fn an_email_left_sending_by_a_handler_that_died_is_marked_uncertain_and_not_sent_again() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let envelope = Envelope::new("checkout", order());
    // What a mailer that died after the provider accepted, before recording it, leaves behind.
    sqlx::query(
        "INSERT INTO email_log (event_id, kind, order_number, recipient, subject, transport, state, attempts,
                                last_attempt_at)
         VALUES (?, 'order_confirmation', ?, 'ana@example.com', 's', 'file', 'sending', 1,
                 NOW(6) - INTERVAL 1 HOUR)",
    )
    .bind(envelope.id.to_string())
    .bind(&envelope.data.number)
    .execute(&mailer.service.pool)
    .await
    .unwrap();

    mailer.publish(&envelope).await;
    mailer.wait_for_state("uncertain", 1).await;
    mailer.wait_until_settled().await;

    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!(email.attempts, 1, "no new attempt");
    assert!(email.last_error.unwrap().contains("may have been sent"));
    assert!(mailer.eml_files().is_empty(), "nothing was sent again");
    assert!(mailer.dead_letters().await.is_empty());

    // A later redelivery leaves it alone too.
    mailer.publish(&envelope).await;
    mailer.wait_until_settled().await;
    assert_eq!(
        mailer.email(&envelope.data.number).await.unwrap().state,
        "uncertain"
    );
    assert!(mailer.eml_files().is_empty());
    mailer.stop().await;
}
