//! The NetSuite client against the in-process NetSuite simulator.

use assetronics_integrations::finance::FinanceError;
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::netsuite::{NetSuiteClient, NetSuiteConfig, TbaSecret};
use assetronics_integrations::oauth1::{self, Oauth1Credentials};
use assetronics_integrations::sandbox::netsuite::{
    AccountSeed, DocumentKind, DocumentLine, Fleet, PurchaseDocument,
};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::NaiveDate;
use reqwest::Url;
use serde_json::{Value, json};

use crate::support::{FINANCE_PAGE, Finance, fast_policy};

pub const ACCOUNT: &str = "7654321_SB2";
pub const CONSUMER_KEY: &str = "test-consumer-key";
pub const CONSUMER_SECRET: &str = "test-consumer-secret";
pub const TOKEN_ID: &str = "test-token-id";
pub const TOKEN_SECRET: &str = "test-token-secret";

pub async fn sandbox_with(devices: u64) -> Sandbox {
    spawn(SandboxConfig {
        netsuite_accounts: vec![AccountSeed {
            account_id: ACCOUNT.into(),
            consumer_key: CONSUMER_KEY.into(),
            consumer_secret: CONSUMER_SECRET.into(),
            token_id: TOKEN_ID.into(),
            token_secret: TOKEN_SECRET.into(),
            devices,
            fleet: Fleet::Jamf,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(sandbox: &Sandbox, token_secret: &str, policy: HttpPolicy) -> NetSuiteClient {
    NetSuiteClient::new(NetSuiteConfig {
        account_id: ACCOUNT.into(),
        base_url: Some(sandbox.netsuite_base_url()),
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: TbaSecret::new(CONSUMER_SECRET),
        token_id: TOKEN_ID.into(),
        token_secret: TbaSecret::new(token_secret),
        policy,
    })
    .unwrap()
    .with_page_size(FINANCE_PAGE)
}

#[tokio::test]
async fn bills_and_orders_map_to_lines_over_pages() {
    let sandbox = sandbox_with(25).await;
    let pull = client(&sandbox, TOKEN_SECRET, fast_policy())
        .fetch_purchases(None)
        .await
        .unwrap();
    assert!(pull.malformed.is_empty(), "{:?}", pull.malformed);
    assert_eq!(pull.lines.len(), 50);
    assert_eq!(
        pull.lines.len(),
        Finance::NetSuite.expected_lines(&sandbox, None)
    );
    // 50 rows, 10 a page.
    assert_eq!(sandbox.netsuite().requests(ACCOUNT), 5);
    assert_eq!(sandbox.netsuite().refused_logins(ACCOUNT), 0);

    let documents = sandbox.netsuite().purchases(ACCOUNT);
    let first = &documents[0];
    let laptop = &pull.lines[0];
    assert_eq!(laptop.external_id, format!("VendBill:{}:1", first.id));
    assert_eq!(laptop.document_type, "vendor_bill");
    assert_eq!(laptop.document_number, first.document.number);
    assert_eq!(laptop.date, first.document.date);
    assert_eq!(laptop.supplier.as_deref(), Some("Apple Inc."));
    assert_eq!(laptop.item, first.document.lines[0].item);
    assert_eq!(laptop.amount_cents, first.document.lines[0].amount_cents());
    assert_eq!(
        laptop.serial_number,
        Some(assetronics_integrations::sandbox::jamf::serial(1))
    );
    let orders: Vec<_> = pull
        .lines
        .iter()
        .filter(|l| l.document_type == "purchase_order")
        .collect();
    assert_eq!(orders.len(), 10, "five orders of monitors and docks");
    let monitors = orders
        .iter()
        .find(|l| l.item.as_deref() == Some("Dell UltraSharp 27 4K Monitor U2723QE"))
        .unwrap();
    assert_eq!(
        (
            monitors.quantity,
            monitors.unit_cost_cents,
            monitors.amount_cents
        ),
        (5, 57_999, 289_995)
    );
}

#[tokio::test]
async fn card_charges_are_not_read_and_money_is_exact() {
    let sandbox = sandbox_with(0).await;
    let date = NaiveDate::from_ymd_opt(2030, 6, 1).unwrap();
    let document = |kind| PurchaseDocument {
        kind,
        number: Some("X-1".into()),
        date,
        supplier: "Insight".into(),
        currency: "GBP".into(),
        lines: vec![
            DocumentLine::item("HDMI adapter", "HDMI adapter", 3, 10),
            DocumentLine::expense(
                "Hardware",
                "ThinkPad X1, Serial Number: PF-4XK2L9",
                2,
                189_999,
            ),
        ],
    };
    sandbox
        .netsuite()
        .add_purchase(ACCOUNT, document(DocumentKind::Expense))
        .unwrap();
    let bill = sandbox
        .netsuite()
        .add_purchase(ACCOUNT, document(DocumentKind::Bill))
        .unwrap();
    let pull = client(&sandbox, TOKEN_SECRET, fast_policy())
        .fetch_purchases(None)
        .await
        .unwrap();
    let lines: Vec<_> = pull
        .lines
        .iter()
        .map(|l| {
            (
                l.external_id.as_str(),
                l.quantity,
                l.unit_cost_cents,
                l.amount_cents,
                l.currency.as_str(),
                l.serial_number.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                format!("VendBill:{bill}:1").as_str(),
                3,
                10,
                30,
                "GBP",
                None
            ),
            (
                format!("VendBill:{bill}:2").as_str(),
                2,
                189_999,
                379_998,
                "GBP",
                Some("PF-4XK2L9")
            ),
        ]
    );
}

#[tokio::test]
async fn a_wrong_token_secret_is_refused_by_the_signature_check() {
    let sandbox = sandbox_with(5).await;
    let err = client(&sandbox, "not-the-token-secret", fast_policy())
        .fetch_purchases(None)
        .await
        .unwrap_err();
    assert!(err.needs_attention() && !err.is_retryable(), "{err:?}");
    assert!(
        matches!(&err, FinanceError::Vendor(VendorError::Unauthorized { message }) if message.starts_with("Invalid login attempt")),
        "{err:?}"
    );
    assert_eq!(sandbox.netsuite().requests(ACCOUNT), 1);
    assert_eq!(sandbox.netsuite().refused_logins(ACCOUNT), 1);

    let wrong_key = NetSuiteClient::new(NetSuiteConfig {
        account_id: ACCOUNT.to_lowercase(),
        base_url: Some(sandbox.netsuite_base_url()),
        consumer_key: "someone-elses-key".into(),
        consumer_secret: TbaSecret::new(CONSUMER_SECRET),
        token_id: TOKEN_ID.into(),
        token_secret: TbaSecret::new(TOKEN_SECRET),
        policy: fast_policy(),
    })
    .unwrap();
    assert!(
        wrong_key
            .test_connection()
            .await
            .unwrap_err()
            .needs_attention()
    );
    assert_eq!(sandbox.netsuite().refused_logins(ACCOUNT), 2);

    // The realm is the account id in upper case: a lower-case id still reaches the account.
    let right = NetSuiteClient::new(NetSuiteConfig {
        account_id: ACCOUNT.to_lowercase(),
        base_url: Some(sandbox.netsuite_base_url()),
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: TbaSecret::new(CONSUMER_SECRET),
        token_id: TOKEN_ID.into(),
        token_secret: TbaSecret::new(TOKEN_SECRET),
        policy: fast_policy(),
    })
    .unwrap();
    right.test_connection().await.unwrap();
}

/// A raw SuiteQL request signed with `nonce` at `timestamp`.
async fn signed(
    sandbox: &Sandbox,
    nonce: &str,
    timestamp: u64,
    prefer: bool,
    body: Value,
) -> reqwest::Response {
    let url = Url::parse(&format!(
        "{}/services/rest/query/v1/suiteql?limit=2&offset=0",
        sandbox.netsuite_base_url()
    ))
    .unwrap();
    let credentials = Oauth1Credentials {
        realm: ACCOUNT.into(),
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: CONSUMER_SECRET.into(),
        token: TOKEN_ID.into(),
        token_secret: TOKEN_SECRET.into(),
    };
    let header = oauth1::authorization_header("POST", &url, &credentials, nonce, timestamp);
    let request = reqwest::Client::new()
        .post(url)
        .header("Authorization", header)
        .json(&body);
    let request = if prefer {
        request.header("Prefer", "transient")
    } else {
        request
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_simulator_checks_nonces_clocks_and_headers_as_netsuite_does() {
    let sandbox = sandbox_with(3).await;
    let query = json!({"q": assetronics_integrations::netsuite::purchase_lines_query(None)});
    let now = oauth1::timestamp_now();
    let page = signed(&sandbox, "nonce-0001", now, true, query.clone()).await;
    assert_eq!(page.status(), 200);
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["count"], 2);
    assert_eq!(page["hasMore"], true);
    assert_eq!(page["offset"], 0);
    assert_eq!(
        page["totalResults"], 5,
        "three devices, two with a warranty line"
    );
    assert_eq!(page["links"][0]["rel"], "next");
    assert_eq!(page["items"][0]["trandate"], "2025-01-06");

    let replayed = signed(&sandbox, "nonce-0001", now, true, query.clone()).await;
    assert_eq!(replayed.status(), 401);
    let error: Value = replayed.json().await.unwrap();
    assert_eq!(error["o:errorDetails"][0]["o:errorCode"], "INVALID_LOGIN");

    let stale = signed(&sandbox, "nonce-0002", now - 3600, true, query.clone()).await;
    assert_eq!(stale.status(), 401);

    let without_prefer = signed(&sandbox, "nonce-0003", now, false, query).await;
    assert_eq!(without_prefer.status(), 400);

    let other = signed(
        &sandbox,
        "nonce-0004",
        now,
        true,
        json!({"q": "SELECT id FROM employee"}),
    )
    .await;
    assert_eq!(other.status(), 400);
    assert_eq!(sandbox.netsuite().refused_logins(ACCOUNT), 2);

    let unsigned = reqwest::Client::new()
        .post(format!(
            "{}/services/rest/query/v1/suiteql",
            sandbox.netsuite_base_url()
        ))
        .header("Prefer", "transient")
        .json(&json!({"q": "SELECT 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(sandbox.netsuite().unattributed_requests(), 1);
}
