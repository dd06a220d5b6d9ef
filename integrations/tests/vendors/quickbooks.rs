//! The QuickBooks Online client against the in-process QuickBooks simulator.

use assetronics_integrations::finance::FinanceError;
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::oauth::{ClientSecret, RefreshToken};
use assetronics_integrations::oauth1::percent_encode;
use assetronics_integrations::quickbooks::{QuickBooksClient, QuickBooksConfig};
use assetronics_integrations::sandbox::quickbooks::{
    CompanySeed, DocumentKind, DocumentLine, Fleet, PurchaseDocument,
};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::NaiveDate;
use serde_json::Value;

use crate::support::{FINANCE_PAGE, Finance, fast_policy};

pub const REALM: &str = "4620816365037572";
pub const CLIENT_ID: &str = "test-quickbooks-client";
pub const SECRET: &str = "test-quickbooks-secret";
pub const REFRESH_TOKEN: &str = "test-quickbooks-refresh-token";

pub async fn sandbox_with(devices: u64) -> Sandbox {
    spawn(SandboxConfig {
        quickbooks_companies: vec![CompanySeed {
            realm_id: REALM.into(),
            company_name: "Globex".into(),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            refresh_token: REFRESH_TOKEN.into(),
            devices,
            fleet: Fleet::Jamf,
            token_lifetime_secs: 3600,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(
    sandbox: &Sandbox,
    secret: &str,
    refresh_token: &str,
    policy: HttpPolicy,
) -> QuickBooksClient {
    QuickBooksClient::new(QuickBooksConfig {
        realm_id: REALM.into(),
        client_id: CLIENT_ID.into(),
        client_secret: ClientSecret::new(secret),
        refresh_token: RefreshToken::new(refresh_token),
        base_url: Some(sandbox.quickbooks_base_url()),
        token_url: Some(sandbox.quickbooks_token_url()),
        policy,
    })
    .unwrap()
    .with_page_size(FINANCE_PAGE)
}

#[tokio::test]
async fn bills_and_purchases_map_to_lines() {
    let sandbox = sandbox_with(25).await;
    let pull = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy())
        .fetch_purchases(None)
        .await
        .unwrap();
    assert!(pull.malformed.is_empty(), "{:?}", pull.malformed);
    assert_eq!(
        pull.lines.len(),
        Finance::QuickBooks.expected_lines(&sandbox, None)
    );

    let documents = sandbox.quickbooks().purchases(REALM);
    let first = &documents[0];
    let laptop = pull
        .lines
        .iter()
        .find(|l| l.external_id == format!("Bill:{}:1", first.id))
        .unwrap();
    let bought = &first.document.lines[0];
    assert_eq!(laptop.document_type, "bill");
    assert_eq!(laptop.document_number, first.document.number);
    assert_eq!(laptop.date, first.document.date);
    assert_eq!(laptop.supplier.as_deref(), Some("Apple Inc."));
    assert_eq!(laptop.item, bought.item);
    assert_eq!(laptop.description, bought.description);
    assert_eq!(laptop.quantity, 1);
    assert_eq!(laptop.unit_cost_cents, bought.unit_price_cents);
    assert_eq!(laptop.amount_cents, bought.amount_cents());
    assert_eq!(laptop.currency, "USD");
    assert_eq!(
        laptop.serial_number,
        Some(assetronics_integrations::sandbox::jamf::serial(1))
    );

    // Accessories and subscriptions are card purchases; the docks come five at a time.
    let docks: Vec<_> = pull
        .lines
        .iter()
        .filter(|l| l.item.as_deref() == Some("CalDigit TS4 Dock"))
        .collect();
    assert_eq!(docks.len(), 5);
    assert!(docks.iter().all(|d| d.document_type == "purchase"
        && d.quantity == 5
        && d.unit_cost_cents == 39_995
        && d.amount_cents == 199_975
        && d.supplier.as_deref() == Some("CDW")
        && d.serial_number.is_none()));
    let software: Vec<_> = pull
        .lines
        .iter()
        .filter(|l| l.description.contains("annual subscription"))
        .collect();
    assert_eq!(software.len(), 2);
    assert!(
        software
            .iter()
            .all(|l| l.item.is_none() && l.serial_number.is_none())
    );

    // One token; Purchases: one short page; Bills: 10, 10 and 5.
    assert_eq!(sandbox.quickbooks().token_requests(REALM), 1);
    assert_eq!(
        sandbox.quickbooks().requests(REALM),
        Finance::QuickBooks.pull_requests(&sandbox)
    );
    assert_eq!(Finance::QuickBooks.pull_requests(&sandbox), 1 + 1 + 3);
}

#[tokio::test]
async fn the_refresh_token_rotates_and_the_old_one_is_refused() {
    let sandbox = sandbox_with(5).await;
    let first = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy());
    assert_eq!(first.current_refresh_token(), REFRESH_TOKEN);
    first.test_connection().await.unwrap();
    let rotated = first.current_refresh_token();
    assert_ne!(rotated, REFRESH_TOKEN);
    assert_eq!(
        sandbox.quickbooks().current_refresh_token(REALM).as_deref(),
        Some(rotated.as_str())
    );
    // The cached access token serves the pull: no second rotation.
    first.fetch_purchases(None).await.unwrap();
    assert_eq!(first.current_refresh_token(), rotated);

    // A run that did not store the rotated token is locked out, and says so.
    let stale = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy());
    let err = stale.fetch_purchases(None).await.unwrap_err();
    assert!(err.needs_attention() && !err.is_retryable(), "{err:?}");
    assert!(
        matches!(&err, FinanceError::Vendor(VendorError::Unauthorized { message }) if message == "invalid_grant"),
        "{err:?}"
    );
    assert_eq!(stale.current_refresh_token(), REFRESH_TOKEN);

    // The next run, with the stored token, goes through and rotates it again.
    let second = client(&sandbox, SECRET, &rotated, fast_policy());
    let pull = second.fetch_purchases(None).await.unwrap();
    assert_eq!(
        pull.lines.len(),
        Finance::QuickBooks.expected_lines(&sandbox, None)
    );
    let again = second.current_refresh_token();
    assert!(again != rotated && again != REFRESH_TOKEN);
    let err = client(&sandbox, SECRET, &rotated, fast_policy())
        .test_connection()
        .await
        .unwrap_err();
    assert!(err.needs_attention(), "{err:?}");
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_with_the_latest_refresh_token() {
    let sandbox = sandbox_with(3).await;
    let quickbooks = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy());
    quickbooks.test_connection().await.unwrap();
    let rotated = quickbooks.current_refresh_token();
    sandbox.quickbooks().expire_tokens(REALM);
    quickbooks.test_connection().await.unwrap();
    assert_eq!(sandbox.quickbooks().token_requests(REALM), 2);
    // Token, call, refused call, token, call.
    assert_eq!(sandbox.quickbooks().requests(REALM), 5);
    let latest = quickbooks.current_refresh_token();
    assert_ne!(latest, rotated);
    assert_eq!(
        sandbox.quickbooks().current_refresh_token(REALM),
        Some(latest)
    );
}

#[tokio::test]
async fn concurrent_calls_share_one_token_and_one_rotation() {
    let sandbox = sandbox_with(3).await;
    let quickbooks = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy());
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let quickbooks = quickbooks.clone();
            tokio::spawn(async move { quickbooks.test_connection().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sandbox.quickbooks().token_requests(REALM), 1);
    assert_eq!(
        sandbox.quickbooks().current_refresh_token(REALM),
        Some(quickbooks.current_refresh_token())
    );
}

#[tokio::test]
async fn amounts_are_exact_cents() {
    let sandbox = sandbox_with(0).await;
    let date = NaiveDate::from_ymd_opt(2030, 1, 15).unwrap();
    let id = sandbox
        .quickbooks()
        .add_purchase(
            REALM,
            PurchaseDocument {
                kind: DocumentKind::Expense,
                number: None,
                date,
                supplier: "Mouser Electronics".into(),
                currency: "EUR".into(),
                lines: vec![
                    DocumentLine::item("USB-C cable", "USB-C cable 1m", 3, 10),
                    DocumentLine::item(
                        "MacBook Pro 14 M3",
                        "MacBook Pro 14 M3 S/N: c02abc123xyz",
                        3,
                        129_999,
                    ),
                    DocumentLine::expense("Consulting", "Fleet rollout", 1, 123_456_789),
                ],
            },
        )
        .unwrap();
    let pull = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy())
        .fetch_purchases(Some(date))
        .await
        .unwrap();
    let amounts: Vec<_> = pull
        .lines
        .iter()
        .map(|l| {
            (
                l.external_id.clone(),
                l.quantity,
                l.unit_cost_cents,
                l.amount_cents,
                l.currency.clone(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        [
            (format!("Purchase:{id}:1"), 3, 10, 30, "EUR".to_owned()),
            (
                format!("Purchase:{id}:2"),
                3,
                129_999,
                389_997,
                "EUR".to_owned()
            ),
            (
                format!("Purchase:{id}:3"),
                1,
                123_456_789,
                123_456_789,
                "EUR".to_owned()
            ),
        ]
    );
    assert_eq!(pull.lines[1].serial_number.as_deref(), Some("C02ABC123XYZ"));
    assert_eq!(pull.lines[0].document_number, None);
}

#[tokio::test]
async fn a_purchase_order_is_not_a_purchase() {
    let sandbox = sandbox_with(0).await;
    let order = PurchaseDocument {
        kind: DocumentKind::PurchaseOrder,
        number: Some("PO-1".into()),
        date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
        supplier: "Apple Inc.".into(),
        currency: "USD".into(),
        lines: vec![DocumentLine::item("iMac 24 M3", "iMac 24 M3", 1, 129_900)],
    };
    sandbox.quickbooks().add_purchase(REALM, order).unwrap();
    let pull = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy())
        .fetch_purchases(None)
        .await
        .unwrap();
    assert_eq!(pull, Default::default());
}

#[tokio::test]
async fn the_simulator_speaks_intuits_dialect() {
    let sandbox = sandbox_with(3).await;
    let http = reqwest::Client::new();
    let token: Value = http
        .post(sandbox.quickbooks_token_url())
        .basic_auth(CLIENT_ID, Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token={REFRESH_TOKEN}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["token_type"], "bearer");
    assert_eq!(token["expires_in"], 3600);
    assert!(token["x_refresh_token_expires_in"].is_number());
    let access = token["access_token"].as_str().unwrap();

    let query = |statement: &str| {
        http.get(format!(
            "{}/v3/company/{REALM}/query?query={}&minorversion=75",
            sandbox.quickbooks_base_url(),
            percent_encode(statement)
        ))
        .bearer_auth(access)
    };
    let page: Value = query("select * from Bill where TxnDate >= '2025-01-08' maxresults 1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bills = page["QueryResponse"]["Bill"].as_array().unwrap();
    assert_eq!(bills.len(), 1);
    assert_eq!(bills[0]["TxnDate"], "2025-01-08");
    assert_eq!(page["QueryResponse"]["startPosition"], 1);
    assert_eq!(page["QueryResponse"]["maxResults"], 1);

    let empty: Value = query("SELECT * FROM Purchase")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["QueryResponse"], serde_json::json!({}));

    let unreadable = query("SELECT * FROM Bill WHERE Balance > '0'")
        .send()
        .await
        .unwrap();
    assert_eq!(unreadable.status(), 400);
    let fault: Value = unreadable.json().await.unwrap();
    assert_eq!(fault["Fault"]["type"], "ValidationFault");

    let forged = http
        .get(format!(
            "{}/v3/company/{REALM}/query?query=SELECT%20*%20FROM%20Bill",
            sandbox.quickbooks_base_url()
        ))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let fault: Value = forged.json().await.unwrap();
    assert_eq!(fault["Fault"]["Error"][0]["code"], "3200");

    let reused = http
        .post(sandbox.quickbooks_token_url())
        .basic_auth(CLIENT_ID, Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token={REFRESH_TOKEN}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 400);
    let error: Value = reused.json().await.unwrap();
    assert_eq!(error["error"], "invalid_grant");
}

#[tokio::test]
async fn another_companys_token_is_forbidden() {
    let sandbox = sandbox_with(1).await;
    let other = "1111";
    sandbox.quickbooks().put_company(CompanySeed {
        realm_id: other.into(),
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        refresh_token: "other-refresh".into(),
        devices: 1,
        ..CompanySeed::default()
    });
    // Same app, two companies: the refresh token says which company the token is for.
    let mine = client(&sandbox, SECRET, REFRESH_TOKEN, fast_policy());
    mine.test_connection().await.unwrap();
    let theirs = QuickBooksClient::new(QuickBooksConfig {
        realm_id: other.into(),
        client_id: CLIENT_ID.into(),
        client_secret: ClientSecret::new(SECRET),
        refresh_token: RefreshToken::new(REFRESH_TOKEN),
        base_url: Some(sandbox.quickbooks_base_url()),
        token_url: Some(sandbox.quickbooks_token_url()),
        policy: fast_policy(),
    })
    .unwrap();
    // REFRESH_TOKEN was used up by `mine`: refused.
    assert!(
        theirs
            .test_connection()
            .await
            .unwrap_err()
            .needs_attention()
    );
    let wrong_company = QuickBooksClient::new(QuickBooksConfig {
        realm_id: other.into(),
        client_id: CLIENT_ID.into(),
        client_secret: ClientSecret::new(SECRET),
        refresh_token: RefreshToken::new(mine.current_refresh_token()),
        base_url: Some(sandbox.quickbooks_base_url()),
        token_url: Some(sandbox.quickbooks_token_url()),
        policy: fast_policy(),
    })
    .unwrap();
    let err = wrong_company.test_connection().await.unwrap_err();
    assert!(
        matches!(err, FinanceError::Vendor(VendorError::Forbidden { .. })),
        "{err:?}"
    );
}
