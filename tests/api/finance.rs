//! Finance end to end: the QuickBooks Online and NetSuite simulators' books hold the purchase of
//! each Jamf simulator computer (its serial in the line), plus accessories and software. A sync
//! turns lines naming a serial into assets or fills in the asset with that serial; assets carry
//! straight-line depreciation, and the schedule exports as CSV.

use assetronics_integrations::sandbox::jamf as jamf_sim;
use assetronics_integrations::sandbox::netsuite::AccountSeed;
use assetronics_integrations::sandbox::quickbooks::{CompanySeed, StoredPurchase};
use assetronics_tests::*;
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Books of six computers each, in QuickBooks Online and in NetSuite.
async fn sim() -> assetronics_integrations::sandbox::Sandbox {
    vendors().quickbooks(6).netsuite(6).start().await
}

/// The bought device's document in the books: (unit price in cents, supplier, number, date).
fn bought(docs: &[StoredPurchase], serial: &str) -> (i64, String, String, NaiveDate) {
    docs.iter()
        .find_map(|d| {
            let line = d
                .document
                .lines
                .iter()
                .find(|l| l.description.contains(serial))?;
            Some((
                line.unit_price_cents,
                d.document.supplier.clone(),
                d.document.number.clone().unwrap_or_default(),
                d.document.date,
            ))
        })
        .unwrap_or_else(|| panic!("{serial} was not bought"))
}

fn cents(money: &Value) -> i64 {
    let amount = money["amount"].as_str().expect("amount");
    let (whole, frac) = amount.split_once('.').unwrap_or((amount, "0"));
    whole.parse::<i64>().expect("whole") * 100 + frac.parse::<i64>().expect("cents")
}

#[tokio::test]
async fn quickbooks_purchases_become_and_enrich_assets_with_book_values_and_a_csv_schedule() {
    let app = spawn_app().await;
    let sim = sim().await;
    let admin = app.signup("Books").await;
    let docs = sim.quickbooks().purchases(&CompanySeed::default().realm_id);
    // Computer 2 is already in the inventory without purchase facts; computer 3 with a cost
    // and supplier typed by hand, which the books do not overwrite.
    let two = app
        .create_asset(
            &admin.access_token,
            json!({"name": "Laptop two", "serial_number": jamf_sim::serial(2).to_lowercase()}),
        )
        .await;
    let three = app
        .create_asset(
            &admin.access_token,
            json!({"name": "Laptop three", "serial_number": jamf_sim::serial(3), "cost": {"amount": "1.00", "currency": "USD"}, "supplier": "Typed by hand"}),
        )
        .await;
    let qb = app.connect(&admin, quickbooks_connection(&sim)).await;
    let test = app
        .post(
            &format!("/api/v1/integrations/{qb}/test"),
            &admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(test.body["ok"], true, "{}", test.body);

    // The test rotated the refresh token: the sync only works if the new one was kept.
    let first = app.run_sync(&admin, &qb).await;
    assert_eq!(first.status, "succeeded", "{:?}", first.error);
    assert_eq!(
        (first.stats.created, first.stats.updated),
        (4, 2),
        "{:?}",
        first.stats
    );
    assert!(
        first.details.as_ref().expect("details")["ignored"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "accessories and software are left out: {:?}",
        first.details
    );

    let (price, supplier, number, date) = bought(&docs, &jamf_sim::serial(2));
    let got = app
        .get(&format!("/api/v1/assets/{}", id(&two)), &admin.access_token)
        .await
        .body;
    assert_eq!(cents(&got["cost"]), price, "{got}");
    assert_eq!(got["cost"]["currency"], "USD");
    assert_eq!(got["supplier"], supplier.as_str());
    assert_eq!(got["order_number"], number.as_str());
    assert_eq!(got["purchase_date"], date.to_string().as_str());
    assert_eq!(got["depreciation_months"], 36);
    let today = chrono::Utc::now().date_naive();
    let expected = assetronics::assets::model::book_value(price, 36, date, today);
    assert_eq!(cents(&got["book_value"]), expected, "{got}");
    assert!(expected < price, "bought over a month ago, worth less now");

    let kept = app
        .get(
            &format!("/api/v1/assets/{}", id(&three)),
            &admin.access_token,
        )
        .await
        .body;
    assert_eq!(kept["cost"]["amount"], "1.00", "{kept}");
    assert_eq!(kept["supplier"], "Typed by hand");
    let (_, _, number3, date3) = bought(&docs, &jamf_sim::serial(3));
    assert_eq!(
        kept["order_number"],
        number3.as_str(),
        "missing facts are filled in"
    );
    assert_eq!(kept["purchase_date"], date3.to_string().as_str());

    let (price5, _, _, _) = bought(&docs, &jamf_sim::serial(5));
    let five = app
        .asset_by_serial(&admin.access_token, &jamf_sim::serial(5))
        .await;
    assert_eq!(five["status"], "in_stock");
    assert_eq!(cents(&five["cost"]), price5);
    assert!(
        five["name"].as_str().is_some_and(|n| !n.contains("SN:")),
        "named after the item: {five}"
    );

    // Nothing changed in the books: nothing is written.
    let second = app.run_sync(&admin, &qb).await;
    assert_eq!(
        (
            second.stats.created,
            second.stats.updated,
            second.stats.unchanged
        ),
        (0, 0, 6)
    );

    // The depreciation schedule as CSV: 36 months a device, summing to its cost.
    let res = app
        .client
        .get(app.url("/api/v1/reports/depreciation.csv"))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/csv")),
        "{:?}",
        res.headers()
    );
    let csv = res.text().await.expect("text");
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("asset_tag,asset_name,serial_number"))
    );
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| l.contains(&jamf_sim::serial(2).to_lowercase()))
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 36, "{csv}");
    let monthly: i64 = rows.iter().map(|r| cents(&json!({"amount": r[10]}))).sum();
    assert_eq!(monthly, price, "the months add up to the cost");
    assert_eq!(rows[35][12], "0.00", "fully depreciated at the end");

    // Members may not export the books.
    let member = app.user_with_role(&admin, "member").await;
    let res = app
        .get("/api/v1/reports/depreciation.csv", &member.access_token)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn netsuite_purchases_sync_and_bad_finance_credentials_need_attention() {
    let app = spawn_app().await;
    let sim = sim().await;
    let admin = app.signup("Suite").await;
    let seed = AccountSeed::default();
    let ns = app.connect(&admin, netsuite_connection(&sim)).await;
    let first = app.run_sync(&admin, &ns).await;
    assert_eq!(first.status, "succeeded", "{:?}", first.error);
    assert_eq!(first.stats.created, 6, "{:?}", first.stats);
    let docs = sim.netsuite().purchases(&seed.account_id);
    let (price, supplier, _, date) = bought(&docs, &jamf_sim::serial(4));
    let four = app
        .asset_by_serial(&admin.access_token, &jamf_sim::serial(4))
        .await;
    assert_eq!(cents(&four["cost"]), price);
    assert_eq!(four["supplier"], supplier.as_str());
    assert_eq!(four["purchase_date"], date.to_string().as_str());
    let again = app.run_sync(&admin, &ns).await;
    assert_eq!((again.stats.created, again.stats.updated), (0, 0));

    // A wrong token secret (NetSuite checks the signature) and a wrong QuickBooks app secret.
    let bad_ns = app
        .connect(
            &admin,
            merged(
                netsuite_connection(&sim),
                json!({"credentials": {"token_secret": "wrong"}}),
            ),
        )
        .await;
    let bad_qb = app
        .connect(
            &admin,
            merged(
                quickbooks_connection(&sim),
                json!({"credentials": {"client_secret": "wrong"}}),
            ),
        )
        .await;
    for bad in [bad_ns, bad_qb] {
        let out = app.run_sync(&admin, &bad).await;
        assert_eq!(out.status, "failed");
        assert!(!out.retryable, "{:?}", out.error);
        let row = app
            .get(&format!("/api/v1/integrations/{bad}"), &admin.access_token)
            .await;
        assert_eq!(row.body["status"], "needs_attention", "{}", row.body);
    }
}
