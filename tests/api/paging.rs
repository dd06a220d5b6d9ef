use std::collections::HashSet;

use assetronics_tests::*;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

/// Walks every page of `path` and returns the ids in order.
async fn walk(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let mut ids = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}cursor={c}"),
            None => path.to_owned(),
        };
        let page = app.get(&url, token).await;
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        for a in page.body["data"].as_array().into_iter().flatten() {
            ids.push(id(a));
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    ids
}

#[tokio::test]
async fn paging_through_a_thousand_assets_returns_each_exactly_once() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    // Bulk-load 1,000 assets under the API (creating them one by one is not what this tests).
    let backend = app.db.get_database_backend();
    let tenant = uuid::Uuid::parse_str(&s.tenant_id).expect("uuid");
    let now = chrono::Utc::now();
    for chunk in 0..10 {
        let mut values = vec![];
        let mut sql = String::from(
            "INSERT INTO assets (id, tenant_id, tag, name, serial_number, status, custom_fields, search_text, version, created_at, updated_at, warranty_end) VALUES ",
        );
        for i in 0..100 {
            let n = chunk * 100 + i;
            let p = values.len();
            let ph = |k: usize| {
                if backend == DbBackend::Postgres {
                    format!("${}", p + k)
                } else {
                    "?".into()
                }
            };
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({}, {}, {}, {}, NULL, {}, {}, {}, 1, {}, {}, {})",
                ph(1),
                ph(2),
                ph(3),
                ph(4),
                ph(5),
                ph(6),
                ph(7),
                ph(8),
                ph(9),
                ph(10)
            ));
            // Names repeat so sorting by name exercises the id tiebreak.
            let name = format!("Model {}", n % 37);
            let warranty = if n % 3 == 0 {
                None
            } else {
                chrono::NaiveDate::from_ymd_opt(2027, 1 + (n % 12) as u32, 1)
            };
            values.extend([
                sea_orm::Value::from(uuid::Uuid::now_v7()),
                tenant.into(),
                format!("T-{n:05}").into(),
                name.clone().into(),
                if n % 2 == 0 { "in_stock" } else { "retired" }.into(),
                json!({}).into(),
                format!("t-{n:05} {}", name.to_lowercase()).into(),
                now.into(),
                now.into(),
                warranty.into(),
            ]);
        }
        app.db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .expect("bulk insert");
    }

    for (path, expected) in [
        ("/api/v1/assets?limit=37", 1000),
        ("/api/v1/assets?limit=37&sort=-created_at", 1000),
        ("/api/v1/assets?limit=41&sort=tag", 1000),
        ("/api/v1/assets?limit=29&sort=-name", 1000),
        ("/api/v1/assets?limit=50&sort=warranty_end", 1000),
        ("/api/v1/assets?limit=50&sort=-warranty_end", 1000),
        ("/api/v1/assets?limit=33&status=in_stock", 500),
        ("/api/v1/assets?limit=7&q=model%2036", 27),
    ] {
        let ids = walk(&app, &s.access_token, path).await;
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), expected, "{path}");
        assert_eq!(unique.len(), expected, "{path}: duplicates across pages");
    }

    // Sorted by tag, pages come in tag order.
    let first = app
        .get("/api/v1/assets?limit=3&sort=tag", &s.access_token)
        .await;
    let tags: Vec<&str> = first.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["tag"].as_str())
        .collect();
    assert_eq!(tags, ["T-00000", "T-00001", "T-00002"]);
    let last = app
        .get("/api/v1/assets?limit=2&sort=-tag", &s.access_token)
        .await;
    assert_eq!(last.body["data"][0]["tag"], "T-00999");
    // Warranty filter.
    let expiring = walk(
        &app,
        &s.access_token,
        "/api/v1/assets?limit=100&warranty_before=2027-03-01",
    )
    .await;
    assert!(!expiring.is_empty());
    for aid in expiring.iter().take(20) {
        let a = app
            .get(&format!("/api/v1/assets/{aid}"), &s.access_token)
            .await;
        assert!(a.body["warranty_end"].as_str().unwrap_or("9999") < "2027-03-01");
    }
}
