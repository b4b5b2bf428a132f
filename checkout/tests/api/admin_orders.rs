//! The web admin's order endpoints, called as the admin's NATS user: the list, an order with its timeline,
//! actions through the state machine with their events, refunds that never exceed what was paid, idempotent
//! commands and stale versions.

use std::time::Duration;

use platform::{
    contracts::{
        admin::{Actor, AdminReply, Command},
        orders::OrderStatus,
        orders_admin::{
            Action, ActionKind, AddNote, Direction, GetOrder, ListOrders, ORDERS_ACTION,
            ORDERS_GET, ORDERS_LIST, ORDERS_NOTE, OrderAction, OrderDetail, OrderPage, OrderSort,
            PaymentStatus, RefundLine, RefundOf, TimelineEvent, Who,
        },
    },
    testing::{TestProduct, eventually},
};
use rust_decimal::Decimal;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{Shop, order_body, spawn_shop};

const TIMEOUT: Duration = Duration::from_secs(20);
const STAFF: &str = "ann@shop.test";

pub(crate) async fn call<Req: Serialize, Resp: DeserializeOwned>(
    admin: &async_nats::Client,
    subject: &str,
    request: &Req,
) -> Resp {
    platform::rpc::call(admin, subject, request, TIMEOUT)
        .await
        .unwrap_or_else(|err| panic!("{subject}: {err}"))
}

pub(crate) fn command<T>(body: T) -> Command<T> {
    Command {
        idempotency_key: Uuid::new_v4(),
        actor: Actor {
            staff_id: 7,
            email: STAFF.to_owned(),
        },
        body,
    }
}

/// Places and pays an order of `lines` (SKU, units) for `email` and `name`; its number.
pub(crate) async fn place(shop: &Shop, lines: &[(&str, i64)], email: &str, name: &str) -> String {
    let cart = shop.new_cart().await;
    for (sku, quantity) in lines {
        let added = shop.add(&cart, sku, *quantity).await;
        assert!(matches!(added.status, 200 | 201), "{}", added.body);
    }
    let mut body = order_body(&cart, "tok_visa");
    body["email"] = Value::from(email);
    body["customer_name"] = Value::from(name);
    let reply = shop.place(&Uuid::new_v4().to_string(), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["number"].as_str().unwrap().to_owned()
}

pub(crate) async fn get(admin: &async_nats::Client, number: &str) -> OrderDetail {
    match call(
        admin,
        ORDERS_GET,
        &GetOrder {
            number: number.to_owned(),
        },
    )
    .await
    {
        AdminReply::Ok(detail) => detail,
        other => panic!("get {number}: {other:?}"),
    }
}

pub(crate) async fn act(
    admin: &async_nats::Client,
    number: &str,
    version: u64,
    action: Action,
) -> AdminReply<OrderDetail> {
    let body = OrderAction {
        number: number.to_owned(),
        expected_version: version,
        action,
    };
    call(admin, ORDERS_ACTION, &command(body)).await
}

pub(crate) fn ok(reply: AdminReply<OrderDetail>) -> OrderDetail {
    match reply {
        AdminReply::Ok(detail) => detail,
        other => panic!("refused: {other:?}"),
    }
}

async fn list(admin: &async_nats::Client, request: &ListOrders) -> OrderPage {
    match call(admin, ORDERS_LIST, request).await {
        AdminReply::Ok(page) => page,
        other => panic!("list {request:?}: {other:?}"),
    }
}

/// The types of the order's events in the outbox, in the order they were written.
async fn events(shop: &Shop, number: &str) -> Vec<Value> {
    let payloads: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE subject LIKE ? ORDER BY id")
            .bind(format!("orders.{number}.%"))
            .fetch_all(&shop.checkout.pool)
            .await
            .unwrap();
    payloads
        .iter()
        .map(|payload| serde_json::from_slice(payload).unwrap())
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect()
}

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_searches_filters_sorts_and_pages_without_repeating_a_row() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("A-1", "10.00", 100),
        TestProduct::new("B-1", "25.00", 100),
    ])
    .await;
    let admin = shop.nats.connect_as("admin").await;
    let mut numbers = Vec::new();
    for (i, (units, email, name)) in [
        (1, "ana@example.com", "Ana Núñez"),
        (2, "bo@example.com", "Bo Berg"),
        (3, "cy@example.com", "Cy Chan"),
        (4, "ana@example.com", "Ana Núñez"),
        (5, "dee@example.org", "Dee Dow"),
    ]
    .into_iter()
    .enumerate()
    {
        let sku = if i % 2 == 0 { "A-1" } else { "B-1" };
        numbers.push(place(&shop, &[(sku, units)], email, name).await);
    }

    let newest = list(&admin, &ListOrders::default()).await;
    let listed: Vec<&str> = newest.rows.iter().map(|row| row.number.as_str()).collect();
    let mut expected: Vec<&str> = numbers.iter().map(String::as_str).collect();
    expected.reverse();
    assert_eq!(listed, expected, "newest first");
    assert_eq!(newest.next, None);
    assert!(
        newest
            .rows
            .iter()
            .all(|row| row.payment == PaymentStatus::Paid && row.state == OrderStatus::Paid)
    );

    // Pages of two, by total ascending, cover every order once and in order.
    let mut request = ListOrders {
        sort: OrderSort::Total,
        direction: Direction::Asc,
        limit: Some(2),
        ..ListOrders::default()
    };
    let mut totals = Vec::new();
    loop {
        let page = list(&admin, &request).await;
        totals.extend(page.rows.iter().map(|row| row.total));
        match page.next {
            Some(next) => request.cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(totals.len(), 5);
    assert!(
        totals.windows(2).all(|pair| pair[0] <= pair[1]),
        "{totals:?}"
    );

    let found = |q: &str| {
        let admin = admin.clone();
        let q = q.to_owned();
        async move {
            list(
                &admin,
                &ListOrders {
                    q: Some(q),
                    ..ListOrders::default()
                },
            )
            .await
            .rows
            .into_iter()
            .map(|row| row.number)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found(&numbers[2]).await,
        [numbers[2].clone()],
        "exact number"
    );
    assert!(
        found(&numbers[2][..6].to_lowercase())
            .await
            .contains(&numbers[2]),
        "number prefix"
    );
    assert_eq!(
        found("ana@example.com").await,
        [numbers[3].clone(), numbers[0].clone()],
        "email"
    );
    assert_eq!(found("dee@").await, [numbers[4].clone()], "email prefix");
    assert_eq!(found("Bo B").await, [numbers[1].clone()], "name prefix");
    assert_eq!(found("Zed").await, Vec::<String>::new());

    // Totals (8% tax, 4.99 shipping): 15.79, 58.99, 37.39, 112.99, 58.99; equal totals newest first.
    let range = list(
        &admin,
        &ListOrders {
            total_min: Some(money("30")),
            total_max: Some(money("60")),
            sort: OrderSort::Total,
            direction: Direction::Desc,
            ..ListOrders::default()
        },
    )
    .await;
    assert_eq!(
        range
            .rows
            .iter()
            .map(|row| row.number.clone())
            .collect::<Vec<_>>(),
        [numbers[4].clone(), numbers[1].clone(), numbers[2].clone()]
    );

    let first = get(&admin, &numbers[0]).await;
    ok(act(&admin, &numbers[0], first.version, Action::MarkProcessing).await);
    let processing = list(
        &admin,
        &ListOrders {
            state: Some(OrderStatus::Processing),
            ..ListOrders::default()
        },
    )
    .await;
    assert_eq!(processing.rows.len(), 1);
    assert_eq!(processing.rows[0].number, numbers[0]);
    let future = list(
        &admin,
        &ListOrders {
            created_from: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
            payment: Some(PaymentStatus::Paid),
            ..ListOrders::default()
        },
    )
    .await;
    assert!(future.rows.is_empty());

    let refused: AdminReply<OrderPage> = call(
        &admin,
        ORDERS_LIST,
        &serde_json::json!({"limit": 500, "cursor": "nonsense", "state": "lost"}),
    )
    .await;
    let AdminReply::Invalid { errors } = refused else {
        panic!("{refused:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["limit", "state", "cursor"]);
    let export: AdminReply<OrderPage> = call(
        &admin,
        ORDERS_LIST,
        &serde_json::json!({"limit": 1000, "export": true}),
    )
    .await;
    assert!(matches!(export, AdminReply::Ok(page) if page.rows.len() == 5));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_is_processed_shipped_delivered_and_refunded_with_its_events_and_timeline() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("A-1", "10.00", 100),
        TestProduct::new("B-1", "25.00", 100),
    ])
    .await;
    let admin = shop.nats.connect_as("admin").await;
    let number = place(
        &shop,
        &[("A-1", 2), ("B-1", 1)],
        "ana@example.com",
        "Ana Núñez",
    )
    .await;
    let placed = get(&admin, &number).await;
    assert_eq!(placed.paid, placed.total);
    assert_eq!(
        placed.actions,
        [
            ActionKind::MarkProcessing,
            ActionKind::Cancel,
            ActionKind::Refund
        ]
    );

    let processing = ok(act(&admin, &number, placed.version, Action::MarkProcessing).await);
    assert!(processing.version > placed.version);
    let shipped = ok(act(
        &admin,
        &number,
        processing.version,
        Action::Ship {
            carrier: "UPS".to_owned(),
            tracking_number: "1z 999 aa1 01".to_owned(),
        },
    )
    .await);
    assert_eq!(shipped.state, OrderStatus::Shipped);
    assert_eq!(
        shipped.shipments[0].tracking_url.as_deref(),
        Some("https://www.ups.com/track?tracknum=1Z999AA101")
    );
    let delivered = ok(act(&admin, &number, shipped.version, Action::MarkDelivered).await);

    // 1 of the 2 A-1 back: 10.00; the order keeps its state.
    let partial = ok(act(
        &admin,
        &number,
        delivered.version,
        Action::Refund {
            refund: RefundOf::Lines(vec![RefundLine {
                sku: "A-1".to_owned(),
                quantity: 1,
            }]),
            reason: "one arrived broken".to_owned(),
        },
    )
    .await);
    assert_eq!(partial.state, OrderStatus::Delivered);
    assert_eq!(partial.payment, PaymentStatus::PartiallyRefunded);
    assert_eq!(partial.refunded, money("10.00"));
    assert_eq!(partial.lines[0].refunded_quantity, 1);
    // The rest: the order is refunded.
    let full = ok(act(
        &admin,
        &number,
        partial.version,
        Action::Refund {
            refund: RefundOf::Remaining,
            reason: "customer returned it all".to_owned(),
        },
    )
    .await);
    assert_eq!(full.state, OrderStatus::Refunded);
    assert_eq!(full.payment, PaymentStatus::Refunded);
    assert_eq!(full.refunded, full.total);
    assert!(full.actions.is_empty());
    let refunds: Vec<Decimal> = full
        .payments
        .iter()
        .skip(1)
        .map(|payment| payment.amount)
        .collect();
    assert_eq!(refunds, [money("10.00"), full.total - money("10.00")]);

    let events = events(&shop, &number).await;
    assert_eq!(
        types(&events),
        [
            "OrderStatusChanged",
            "OrderCreated",
            "OrderPaid",
            "OrderStatusChanged",
            "OrderStatusChanged",
            "OrderShipped",
            "OrderStatusChanged",
            "OrderRefunded",
            "OrderRefunded",
            "OrderStatusChanged",
        ]
    );
    let shipped_event = &events[5]["data"];
    assert_eq!(shipped_event["carrier"], "UPS");
    assert_eq!(shipped_event["tracking_number"], "1Z999AA101");
    let first_refund = &events[7]["data"];
    assert_eq!(first_refund["amount"], "10.00");
    assert_eq!(first_refund["full"], false);
    assert_eq!(first_refund["lines"][0]["sku"], "A-1");
    assert_eq!(first_refund["reason"], "one arrived broken");
    let last_refund = &events[8]["data"];
    assert_eq!(last_refund["full"], true);
    assert_eq!(
        last_refund["total_refunded"],
        serde_json::to_value(full.total).unwrap()
    );
    assert_eq!(events[9]["data"]["to"], "refunded");

    let moves: Vec<(OrderStatus, Who)> = full
        .timeline
        .iter()
        .filter_map(|entry| match &entry.event {
            TimelineEvent::StateChanged { to, .. } => Some((*to, entry.by.clone())),
            _ => None,
        })
        .collect();
    let staff = Who::Staff(STAFF.to_owned());
    assert_eq!(
        moves,
        [
            (OrderStatus::Pending, Who::Shopper),
            (OrderStatus::Paid, Who::Shopper),
            (OrderStatus::Processing, staff.clone()),
            (OrderStatus::Shipped, staff.clone()),
            (OrderStatus::Delivered, staff.clone()),
            (OrderStatus::Refunded, staff.clone()),
        ]
    );
    assert!(
        full.timeline
            .windows(2)
            .all(|pair| pair[0].at <= pair[1].at)
    );
    assert_eq!(
        full.timeline
            .iter()
            .filter(|entry| matches!(entry.event, TimelineEvent::Refunded { .. }))
            .count(),
        2
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn illegal_moves_stale_versions_and_bad_fields_are_refused_and_change_nothing() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("A-1", "10.00", 100)]).await;
    let admin = shop.nats.connect_as("admin").await;
    let number = place(&shop, &[("A-1", 1)], "ana@example.com", "Ana").await;
    let placed = get(&admin, &number).await;

    // paid -> shipped skips processing.
    let skipped = act(
        &admin,
        &number,
        placed.version,
        Action::Ship {
            carrier: "DHL".to_owned(),
            tracking_number: "123".to_owned(),
        },
    )
    .await;
    assert!(
        matches!(&skipped, AdminReply::Conflict { reason, current_version: Some(v) }
            if reason.contains("paid to shipped") && *v == placed.version),
        "{skipped:?}"
    );
    let delivered = act(&admin, &number, placed.version, Action::MarkDelivered).await;
    assert!(
        matches!(delivered, AdminReply::Conflict { .. }),
        "{delivered:?}"
    );

    let stale = act(&admin, &number, placed.version + 5, Action::MarkProcessing).await;
    assert!(
        matches!(stale, AdminReply::Conflict { current_version: Some(v), .. } if v == placed.version),
        "{stale:?}"
    );
    let bad = act(
        &admin,
        &number,
        placed.version,
        Action::Refund {
            refund: RefundOf::Amount(money("999.00")),
            reason: "too much".to_owned(),
        },
    )
    .await;
    assert!(
        matches!(&bad, AdminReply::Invalid { errors } if errors[0].field == "refund.amount"),
        "{bad:?}"
    );
    let unknown = act(&admin, "SH-00000000", 1, Action::MarkProcessing).await;
    assert!(
        matches!(unknown, AdminReply::NotFound { .. }),
        "{unknown:?}"
    );
    let blank = act(
        &admin,
        &number,
        placed.version,
        Action::Cancel {
            reason: "  ".to_owned(),
        },
    )
    .await;
    assert!(
        matches!(&blank, AdminReply::Invalid { errors } if errors[0].field == "reason"),
        "{blank:?}"
    );

    let after = get(&admin, &number).await;
    assert_eq!(after, placed, "nothing was written");
    assert_eq!(
        types(&events(&shop, &number).await),
        ["OrderStatusChanged", "OrderCreated", "OrderPaid"]
    );
    let claims: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admin_commands")
        .fetch_one(&shop.checkout.pool)
        .await
        .unwrap();
    assert_eq!(claims, 0, "a refused command keeps no claim");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_command_changes_the_order_once() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("A-1", "10.00", 100)]).await;
    let admin = shop.nats.connect_as("admin").await;
    let number = place(&shop, &[("A-1", 3)], "ana@example.com", "Ana").await;
    let placed = get(&admin, &number).await;
    let refund = command(OrderAction {
        number: number.clone(),
        expected_version: placed.version,
        action: Action::Refund {
            refund: RefundOf::Amount(money("5.00")),
            reason: "late".to_owned(),
        },
    });
    let (first, second): (AdminReply<OrderDetail>, AdminReply<OrderDetail>) = tokio::join!(
        call(&admin, ORDERS_ACTION, &refund),
        call(&admin, ORDERS_ACTION, &refund)
    );
    assert_eq!(first, second);
    let again: AdminReply<OrderDetail> = call(&admin, ORDERS_ACTION, &refund).await;
    assert_eq!(again, first);
    let after = get(&admin, &number).await;
    assert_eq!(after.refunded, money("5.00"));
    assert_eq!(
        types(&events(&shop, &number).await)
            .iter()
            .filter(|t| **t == "OrderRefunded")
            .count(),
        1
    );

    // The same key for another command is refused.
    let mut other = refund.clone();
    other.body.action = Action::MarkProcessing;
    let reused: AdminReply<OrderDetail> = call(&admin, ORDERS_ACTION, &other).await;
    assert!(
        matches!(&reused, AdminReply::Invalid { errors } if errors[0].field == "idempotency_key"),
        "{reused:?}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_refunds_never_give_back_more_than_was_paid() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("A-1", "10.00", 100)]).await;
    let admin = shop.nats.connect_as("admin").await;
    let number = place(&shop, &[("A-1", 2)], "ana@example.com", "Ana").await;
    let placed = get(&admin, &number).await;
    // Each asks for all that is left, at the version both saw: one wins, the other finds the order changed.
    let refund = || {
        act(
            &admin,
            &number,
            placed.version,
            Action::Refund {
                refund: RefundOf::Remaining,
                reason: "race".to_owned(),
            },
        )
    };
    let (a, b) = tokio::join!(refund(), refund());
    let won = [&a, &b]
        .iter()
        .filter(|reply| matches!(reply, AdminReply::Ok(_)))
        .count();
    assert_eq!(won, 1, "{a:?} / {b:?}");
    assert!(
        [&a, &b]
            .iter()
            .any(|reply| matches!(reply, AdminReply::Conflict { .. }))
    );
    // A refund after the full one is refused whatever the version.
    let after = get(&admin, &number).await;
    let more = act(
        &admin,
        &number,
        after.version,
        Action::Refund {
            refund: RefundOf::Amount(money("0.01")),
            reason: "again".to_owned(),
        },
    )
    .await;
    assert!(matches!(more, AdminReply::Conflict { .. }), "{more:?}");
    let refunded: Decimal = sqlx::query_scalar(
        "SELECT SUM(p.amount) FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE o.number = ? AND p.kind = 'refund'",
    )
    .bind(&number)
    .fetch_one(&shop.checkout.pool)
    .await
    .unwrap();
    assert_eq!(refunded, placed.total);
    let ledger: Decimal = sqlx::query_scalar("SELECT SUM(amount) FROM mockpay_refunds")
        .fetch_one(&shop.checkout.pool)
        .await
        .unwrap();
    assert_eq!(ledger, placed.total);
    assert_eq!(after.state, OrderStatus::Refunded);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_gives_the_stock_back_and_notes_stay_with_staff() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("C-1", "10.00", 10)]).await;
    let admin = shop.nats.connect_as("admin").await;
    let number = place(&shop, &[("C-1", 2)], "ana@example.com", "Ana").await;
    eventually("the sale reaches the catalog", || async {
        shop.stock("C-1").await == Some((8, 0))
    })
    .await;
    let noted: AdminReply<OrderDetail> = call(
        &admin,
        ORDERS_NOTE,
        &command(AddNote {
            number: number.clone(),
            body: "Called the customer: wants to cancel.".to_owned(),
        }),
    )
    .await;
    let noted = ok(noted);
    let empty: AdminReply<OrderDetail> = call(
        &admin,
        ORDERS_NOTE,
        &command(AddNote {
            number: number.clone(),
            body: " ".to_owned(),
        }),
    )
    .await;
    assert!(matches!(&empty, AdminReply::Invalid { errors } if errors[0].field == "body"));
    let cancelled = ok(act(
        &admin,
        &number,
        noted.version,
        Action::Cancel {
            reason: "customer asked".to_owned(),
        },
    )
    .await);
    assert_eq!(cancelled.state, OrderStatus::Cancelled);
    assert_eq!(cancelled.actions, [ActionKind::Refund]);
    eventually("the units are restocked", || async {
        shop.stock("C-1").await == Some((10, 0))
    })
    .await;
    let events = events(&shop, &number).await;
    assert_eq!(
        types(&events)[3..],
        ["OrderStatusChanged", "OrderCancelled"]
    );
    assert_eq!(events[4]["data"]["reason"], "customer asked");
    let note = cancelled
        .timeline
        .iter()
        .find(|entry| matches!(entry.event, TimelineEvent::Note { .. }))
        .unwrap();
    assert_eq!(note.by, Who::Staff(STAFF.to_owned()));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shopper_sees_shipping_and_refunds_but_never_staff_notes_or_names() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("A-1", "10.00", 100)]).await;
    let admin = shop.nats.connect_as("admin").await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "A-1", 2).await;
    let placed = shop
        .place("key-timeline", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    let number = placed.body["number"].as_str().unwrap().to_owned();
    let token = placed.body["lookup_token"].as_str().unwrap().to_owned();
    let _: AdminReply<OrderDetail> = call(
        &admin,
        ORDERS_NOTE,
        &command(AddNote {
            number: number.clone(),
            body: "VIP, secret discount".to_owned(),
        }),
    )
    .await;
    let version = get(&admin, &number).await.version;
    let processing = ok(act(&admin, &number, version, Action::MarkProcessing).await);
    let shipped = ok(act(
        &admin,
        &number,
        processing.version,
        Action::Ship {
            carrier: "DHL".to_owned(),
            tracking_number: "JD014600".to_owned(),
        },
    )
    .await);
    ok(act(
        &admin,
        &number,
        shipped.version,
        Action::Refund {
            refund: RefundOf::Amount(money("3.50")),
            reason: "internal: goodwill".to_owned(),
        },
    )
    .await);

    let page = shop
        .send(shop.http.get(format!(
            "{}/api/orders/{number}?token={token}",
            shop.checkout.address
        )))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let timeline = page.body["timeline"].as_array().unwrap();
    let kinds: Vec<&str> = timeline
        .iter()
        .map(|entry| entry["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["placed", "paid", "shipped", "refunded"]);
    assert_eq!(timeline[2]["carrier"], "DHL");
    assert_eq!(timeline[2]["tracking_number"], "JD014600");
    assert!(
        timeline[2]["tracking_url"]
            .as_str()
            .unwrap()
            .contains("JD014600")
    );
    assert_eq!(timeline[3]["amount"], "3.50");
    let text = String::from_utf8(page.bytes).unwrap();
    for secret in ["VIP", STAFF, "goodwill"] {
        assert!(
            !text.contains(secret),
            "{secret} shown to the shopper: {text}"
        );
    }
    shop.stop().await;
}
