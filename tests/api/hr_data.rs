//! HR data edge cases, for BambooHR and HiBob alike: what the HR system removes from a person
//! (their manager, department, location or title) is removed here on the next sync too, so an
//! approval never goes to a former manager.

use assetronics_integrations::sandbox::bamboohr::Record;
use assetronics_integrations::sandbox::hibob::{self, PersonChanges, RemovableField};
use assetronics_tests::*;
use serde_json::Value;

async fn employee(app: &TestApp, s: &Session, external_id: &str) -> Value {
    let people = app
        .get("/api/v1/employees?limit=500", &s.access_token)
        .await;
    people.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["external_id"] == external_id)
        .cloned()
        .unwrap_or_else(|| panic!("no employee {external_id}: {}", people.body))
}

fn has_every_work_field(e: &Value) -> bool {
    e["manager_id"].is_string()
        && e["department"]["name"].is_string()
        && e["location"]["name"].is_string()
        && e["title"].is_string()
}

fn has_no_work_field(e: &Value) -> bool {
    e["manager_id"].is_null()
        && e["department"].is_null()
        && e["location"].is_null()
        && e["title"].is_null()
}

#[tokio::test]
async fn what_bamboohr_removes_from_a_person_is_removed_on_the_next_sync() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(12).await;
    let s = app.signup("Acme").await;
    let integration = app.connect(&s, bamboohr_connection(&sim)).await;
    app.run_sync(&s, &integration).await;
    // Employee 2 reports to employee 1 and has every work field.
    let before = employee(&app, &s, "2").await;
    assert!(has_every_work_field(&before), "{before}");

    let emptied = ["supervisorEId", "department", "location", "jobTitle"]
        .map(|field| (field.to_owned(), String::new()));
    sim.bamboohr()
        .update(BAMBOOHR_COMPANY, 2, Record::from(emptied))
        .expect("employee 2 exists");
    let run = app.run_sync(&s, &integration).await;
    assert_eq!((run.stats.updated, run.stats.unchanged), (1, 11));
    let after = employee(&app, &s, "2").await;
    assert!(has_no_work_field(&after), "{after}");
    assert_eq!(
        after["version"],
        before["version"].as_i64().unwrap_or(0) + 1
    );

    let again = app.run_sync(&s, &integration).await;
    assert_eq!((again.stats.updated, again.stats.unchanged), (0, 12));
    assert!(has_no_work_field(&employee(&app, &s, "2").await));
}

#[tokio::test]
async fn what_hibob_removes_from_a_person_is_removed_on_the_next_sync() {
    let app = spawn_app().await;
    let sim = vendors().hibob(12).start().await;
    let s = app.signup("Acme").await;
    let integration = app.connect(&s, hibob_connection(&sim)).await;
    app.run_sync(&s, &integration).await;
    let person = hibob::employee_id(2);
    let before = employee(&app, &s, &person).await;
    assert!(has_every_work_field(&before), "{before}");

    sim.hibob()
        .update(
            hibob::CompanySeed::default().company_id,
            &person,
            PersonChanges {
                remove: vec![
                    RemovableField::ReportsTo,
                    RemovableField::Department,
                    RemovableField::Site,
                    RemovableField::Title,
                ],
                ..PersonChanges::default()
            },
        )
        .expect("person 2 exists");
    let run = app.run_sync(&s, &integration).await;
    assert_eq!((run.stats.updated, run.stats.unchanged), (1, 11));
    let after = employee(&app, &s, &person).await;
    assert!(has_no_work_field(&after), "{after}");

    let again = app.run_sync(&s, &integration).await;
    assert_eq!((again.stats.updated, again.stats.unchanged), (0, 12));
}

#[tokio::test]
async fn a_removal_that_arrives_by_webhook_is_applied_by_the_re_read() {
    const KEY: &str = "bamboo-webhook-key";
    let app = spawn_app().await;
    let sim = bamboohr_simulator(12).await;
    let s = app.signup("Acme").await;
    let mut connection = bamboohr_connection(&sim);
    connection["credentials"]["webhook_private_key"] = serde_json::json!(KEY);
    let integration = app.connect(&s, connection).await;
    app.run_sync(&s, &integration).await;
    assert!(has_every_work_field(&employee(&app, &s, "3").await));

    let path = format!("/webhooks/bamboohr/{integration}");
    assert!(sim.bamboohr().set_webhook(
        BAMBOOHR_COMPANY,
        &app.url(&path),
        KEY,
        assetronics_integrations::sandbox::bamboohr::PayloadFormat::Event,
    ));
    let emptied = ["supervisorEId", "department", "location", "jobTitle"]
        .map(|field| (field.to_owned(), String::new()));
    sim.bamboohr()
        .update(BAMBOOHR_COMPANY, 3, Record::from(emptied))
        .expect("employee 3 exists");
    let stored = app.settled_deliveries(&s, &integration, 1).await;
    assert!(
        stored.iter().all(|d| d["status"] == "processed"),
        "{stored:?}"
    );
    let after = employee(&app, &s, "3").await;
    assert!(has_no_work_field(&after), "{after}");
}
