//! The demo tenant: a realistic company (hundreds of employees across departments and
//! locations, about a thousand assets with assignments and history), created through the same
//! use-cases as real data, so its audit chain and events are real too.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::accounts::model::{SignupRequest, UpdateTenantRequest};
use crate::accounts::published as accounts_published;
use crate::accounts::service as accounts;
use crate::assets::published as assets;
use crate::assets::published::{
    CategoryInput, CheckinRequest, CheckoutRequest, CreateAsset, ModelInput, MoneyView, UpdateAsset,
};
use crate::people::published as people;
use crate::people::published::{
    CreateEmployee, DepartmentFields, DepartmentInput, LocationFields, LocationInput, NewEmployee,
};
use crate::platform::auth::{Principal, RequestMeta};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::state::AppState;

/// A category: name, depreciation months, its models (maker, model, price), share of assets in ‰.
type CatalogEntry = (
    &'static str,
    i32,
    &'static [(&'static str, &'static str, u32)],
    usize,
);

pub const DEMO_SLUG: &str = "demo";
pub const DEMO_EMAIL: &str = "admin@demo.assetronics.dev";
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// How to sign in to the demo tenant.
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub tenant_slug: String,
}

/// How big a demo to make.
#[derive(Clone, Copy)]
pub struct Scale {
    pub employees: usize,
    pub assets: usize,
}

impl Scale {
    pub const FULL: Scale = Scale {
        employees: 320,
        assets: 1000,
    };
}

/// Creates the demo tenant unless it exists; returns its login either way.
pub async fn seed(state: &AppState) -> ApiResult<DemoLogin> {
    seed_with(state, Scale::FULL).await
}

pub async fn seed_with(state: &AppState, scale: Scale) -> ApiResult<DemoLogin> {
    let login = DemoLogin {
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        tenant_slug: DEMO_SLUG.into(),
    };
    if accounts_published::tenant_id_by_slug(&state.db, DEMO_SLUG)
        .await?
        .is_some()
    {
        return Ok(login);
    }
    tracing::info!("creating the demo tenant");
    let session = accounts::signup(
        state,
        SignupRequest {
            organization_name: "Demo".into(),
            name: "Alex Admin".into(),
            email: DEMO_EMAIL.into(),
            password: DEMO_PASSWORD.into(),
        },
        RequestMeta::default(),
    )
    .await?;
    let who = Principal::system(session.tenant.id, "demo seed");
    accounts::update_tenant(
        state,
        &who,
        UpdateTenantRequest {
            name: Some("Acme Robotics".into()),
            asset_tag_prefix: Some("ACME".into()),
            mdm_creates_assets: None,
        },
    )
    .await?;
    let mut rng = StdRng::seed_from_u64(2026);

    let mut locations = vec![];
    for (name, city, country) in [
        ("HQ San Francisco", "San Francisco", "US"),
        ("New York Office", "New York", "US"),
        ("London Office", "London", "GB"),
        ("Berlin Office", "Berlin", "DE"),
        ("Remote", "", ""),
        ("Central Warehouse", "Reno", "US"),
    ] {
        let l = people::save_location(
            state,
            &who,
            None,
            LocationFields::parse(LocationInput {
                name: name.into(),
                address: None,
                city: Some(city.into()),
                country: Some(country.into()),
            })
            .map_err(ApiError::validation)?,
        )
        .await?;
        locations.push(l.id);
    }
    let mut departments = vec![];
    for name in [
        "Engineering",
        "Sales",
        "Marketing",
        "Finance",
        "People",
        "IT",
        "Customer Support",
        "Design",
    ] {
        departments.push(
            people::save_department(
                state,
                &who,
                None,
                DepartmentFields::parse(DepartmentInput { name: name.into() })
                    .map_err(ApiError::validation)?,
            )
            .await?
            .id,
        );
    }

    const FIRST: [&str; 40] = [
        "Ada",
        "Grace",
        "Alan",
        "Linus",
        "Margaret",
        "Ken",
        "Barbara",
        "Dennis",
        "Frances",
        "Edsger",
        "Radia",
        "John",
        "Katherine",
        "Tim",
        "Hedy",
        "Donald",
        "Sophie",
        "Guido",
        "Annie",
        "Bjarne",
        "Mary",
        "Niklaus",
        "Jean",
        "Vint",
        "Shafi",
        "Whitfield",
        "Lynn",
        "Leslie",
        "Anita",
        "James",
        "Carol",
        "Yukihiro",
        "Adele",
        "Brendan",
        "Susan",
        "Rob",
        "Joan",
        "Larry",
        "Evelyn",
        "Rasmus",
    ];
    const LAST: [&str; 40] = [
        "Lovelace",
        "Hopper",
        "Turing",
        "Torvalds",
        "Hamilton",
        "Thompson",
        "Liskov",
        "Ritchie",
        "Allen",
        "Dijkstra",
        "Perlman",
        "McCarthy",
        "Johnson",
        "Berners-Lee",
        "Lamarr",
        "Knuth",
        "Wilson",
        "van Rossum",
        "Easley",
        "Stroustrup",
        "Keller",
        "Wirth",
        "Sammet",
        "Cerf",
        "Goldwasser",
        "Diffie",
        "Conway",
        "Lamport",
        "Borg",
        "Gosling",
        "Shaw",
        "Matsumoto",
        "Goldberg",
        "Eich",
        "Kare",
        "Pike",
        "Clarke",
        "Page",
        "Boyd",
        "Lerdorf",
    ];
    const TITLES: [&str; 10] = [
        "Software Engineer",
        "Account Executive",
        "Product Marketer",
        "Accountant",
        "People Partner",
        "IT Specialist",
        "Support Engineer",
        "Product Designer",
        "Engineering Manager",
        "Sales Manager",
    ];
    let mut employees = vec![];
    for i in 0..scale.employees {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let dept = rng.random_range(0..departments.len());
        let terminated = i % 23 == 7;
        let start = chrono::NaiveDate::from_ymd_opt(
            2019 + rng.random_range(0..7),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let e = people::create(
            state,
            &who,
            NewEmployee::parse(CreateEmployee {
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}{}@acme-robotics.example",
                    first.to_lowercase(),
                    last.to_lowercase().replace([' ', '-'], ""),
                    i
                ),
                employee_number: Some(format!("E{:05}", 1000 + i)),
                title: Some(TITLES[dept % TITLES.len()].into()),
                department_id: Some(departments[dept]),
                location_id: Some(locations[rng.random_range(0..locations.len() - 1)]),
                manager_id: None,
                status: Some(if terminated { "terminated" } else { "active" }.into()),
                start_date: start.map(|d| d.to_string()),
                end_date: None,
            })
            .map_err(ApiError::validation)?,
        )
        .await?;
        if !terminated {
            employees.push(e.id);
        }
    }

    // (category, depreciation months, [(manufacturer, model, price)], share of assets in ‰)
    let catalog: [CatalogEntry; 6] = [
        (
            "Laptops",
            36,
            &[
                ("Apple", "MacBook Pro 14\" M3", 1999),
                ("Apple", "MacBook Air 13\" M3", 1299),
                ("Dell", "Latitude 7440", 1549),
                ("Lenovo", "ThinkPad X1 Carbon Gen 12", 1899),
            ],
            400,
        ),
        (
            "Monitors",
            60,
            &[
                ("Dell", "UltraSharp U2723QE", 579),
                ("LG", "27UP850-W", 449),
            ],
            250,
        ),
        (
            "Phones",
            24,
            &[("Apple", "iPhone 15", 799), ("Samsung", "Galaxy S24", 859)],
            150,
        ),
        ("Tablets", 36, &[("Apple", "iPad Air 11\"", 599)], 60),
        (
            "Peripherals",
            24,
            &[
                ("Logitech", "MX Keys S", 109),
                ("Logitech", "MX Master 3S", 99),
                ("Jabra", "Evolve2 65", 229),
            ],
            130,
        ),
        ("Servers", 60, &[("Dell", "PowerEdge R660", 8900)], 10),
    ];
    let mut kinds = vec![];
    for (cat, months, models, share) in catalog {
        let c = assets::create_category(
            state,
            &who,
            CategoryInput {
                name: cat.into(),
                depreciation_months: Some(months),
            },
        )
        .await?;
        for (maker, model, price) in models {
            let m = assets::create_model(
                state,
                &who,
                ModelInput {
                    name: (*model).into(),
                    manufacturer: (*maker).into(),
                    model_number: None,
                    category_id: Some(c.id),
                },
            )
            .await?;
            kinds.push((
                c.id,
                m.id,
                format!("{maker} {model}"),
                *price,
                share / models.len(),
                cat,
            ));
        }
    }
    let total_share: usize = kinds.iter().map(|k| k.4).sum();
    let suppliers = ["CDW", "Insight", "Apple Business", "Dell Direct", "SHI"];
    let mut holders = employees.iter().copied().cycle();
    for i in 0..scale.assets {
        let mut pick = rng.random_range(0..total_share);
        let kind = kinds
            .iter()
            .find(|k| {
                if pick < k.4 {
                    true
                } else {
                    pick -= k.4;
                    false
                }
            })
            .unwrap_or(&kinds[0]);
        let purchase = chrono::NaiveDate::from_ymd_opt(
            2022 + rng.random_range(0..4),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let warranty = purchase.and_then(|p| p.checked_add_months(chrono::Months::new(36)));
        let serial: String = (0..10)
            .map(|_| char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[rng.random_range(0..34)]))
            .collect();
        let a = assets::create(
            state,
            &who,
            CreateAsset {
                tag: None,
                name: kind.2.clone(),
                serial_number: Some(serial),
                status: None,
                category_id: Some(kind.0),
                model_id: Some(kind.1),
                location_id: Some(locations[rng.random_range(0..locations.len())]),
                purchase_date: purchase.map(|d| d.to_string()),
                cost: Some(MoneyView {
                    amount: format!("{}.00", kind.3),
                    currency: "USD".into(),
                }),
                supplier: Some(suppliers[i % suppliers.len()].into()),
                order_number: Some(format!("PO-{}", 24000 + i / 7)),
                warranty_end: warranty.map(|d| d.to_string()),
                custom_fields: None,
                notes: None,
            },
        )
        .await?;
        let roll = rng.random_range(0..100);
        let employee = holders.next();
        match (roll, employee) {
            (0..=54, Some(emp)) => {
                let a = assets::checkout(
                    state,
                    &who,
                    a.id,
                    None,
                    CheckoutRequest {
                        employee_id: emp,
                        due_at: None,
                        note: None,
                        version: None,
                    },
                )
                .await?;
                if roll < 6 {
                    // Some history: returned, then handed to someone else.
                    assets::checkin(
                        state,
                        &who,
                        a.id,
                        None,
                        CheckinRequest {
                            condition: Some("good".into()),
                            note: Some("swap".into()),
                            version: None,
                        },
                    )
                    .await?;
                    if let Some(next) = holders.next() {
                        assets::checkout(
                            state,
                            &who,
                            a.id,
                            None,
                            CheckoutRequest {
                                employee_id: next,
                                due_at: None,
                                note: None,
                                version: None,
                            },
                        )
                        .await?;
                    }
                }
            }
            (55..=59, _) => set_status(state, &who, a.id, "in_repair").await?,
            (60..=63, _) => set_status(state, &who, a.id, "retired").await?,
            (64, _) => set_status(state, &who, a.id, "lost").await?,
            (65..=67, _) => set_status(state, &who, a.id, "in_transit").await?,
            _ => {}
        }
    }
    tracing::info!(
        employees = scale.employees,
        assets = scale.assets,
        "demo tenant created"
    );
    Ok(login)
}

async fn set_status(
    state: &AppState,
    who: &Principal,
    id: crate::platform::ids::AssetId,
    status: &str,
) -> ApiResult<()> {
    assets::update(
        state,
        who,
        id,
        None,
        UpdateAsset {
            status: Some(status.into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// The demo's HR system: the vendor simulator, started in this process, speaking BambooHR.
const DEMO_HR_SUBDOMAIN: &str = "acme-robotics";
const DEMO_HR_KEY: &str = "demo-bamboohr-key";
const DEMO_HR_WEBHOOK_KEY: &str = "demo-bamboohr-webhook-key";

/// Connects the demo tenant to a BambooHR simulator running in this process: the integration
/// (created once, pointed at this run's simulator), a nightly schedule, the simulator's signed
/// webhooks to this server, and a first sync. On the first run two people are hired in the
/// simulator, so their onboarding (and its approval) is waiting in the demo. The simulator
/// lives as long as the process; its data is generated the same way on every start.
pub async fn connect_simulator(state: &AppState, server_url: &str) -> ApiResult<()> {
    use assetronics_integrations::sandbox::{self, SandboxConfig, bamboohr};
    let Some(tenant_id) = accounts_published::tenant_id_by_slug(&state.db, DEMO_SLUG).await? else {
        return Ok(());
    };
    let sim = sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![bamboohr::CompanySeed {
            subdomain: DEMO_HR_SUBDOMAIN.into(),
            api_key: DEMO_HR_KEY.into(),
            employees: 60,
        }],
        ..SandboxConfig::default()
    })
    .await
    .map_err(crate::platform::error::ApiError::internal)?;
    let who = Principal::system(tenant_id, "demo");
    let config =
        serde_json::json!({"subdomain": DEMO_HR_SUBDOMAIN, "base_url": sim.bamboohr_base_url()});
    let existing = crate::integrations::published::list(state, &who)
        .await?
        .into_iter()
        .find(|i| i.provider == "bamboohr");
    let integration = match existing {
        Some(i) => {
            crate::integrations::published::update(
                state,
                &who,
                i.id,
                None,
                crate::integrations::published::UpdateIntegration {
                    config: Some(config),
                    ..Default::default()
                },
            )
            .await?
        }
        None => {
            crate::integrations::published::create(
                state,
                &who,
                crate::integrations::published::CreateIntegration {
                    provider: "bamboohr".into(),
                    name: Some("BambooHR".into()),
                    config,
                    credentials: serde_json::json!({"api_key": DEMO_HR_KEY, "webhook_private_key": DEMO_HR_WEBHOOK_KEY}),
                    schedule: Some("0 2 * * *".into()),
                },
            )
            .await?
        }
    };
    sim.bamboohr().set_webhook(
        DEMO_HR_SUBDOMAIN,
        &format!("{server_url}/webhooks/bamboohr/{}", integration.id),
        DEMO_HR_WEBHOOK_KEY,
        bamboohr::PayloadFormat::Event,
    );
    crate::integrations::published::start_sync(state, &who, integration.id).await?;
    let first_run = crate::workflows::published::list(
        state,
        &who,
        crate::workflows::published::WorkflowFilter::default(),
    )
    .await?
    .data
    .is_empty();
    if first_run {
        let start = (crate::platform::clock::now() + chrono::Duration::days(7))
            .format("%Y-%m-%d")
            .to_string();
        for (first, last) in [("Priya", "Raman"), ("Tomás", "Ferreira")] {
            let email = format!(
                "{}.{}@acme-robotics.example.com",
                first.to_lowercase().replace('á', "a"),
                last.to_lowercase()
            );
            sim.bamboohr().hire(
                DEMO_HR_SUBDOMAIN,
                std::collections::BTreeMap::from([
                    ("firstName".to_owned(), first.to_owned()),
                    ("lastName".to_owned(), last.to_owned()),
                    ("workEmail".to_owned(), email),
                    ("jobTitle".to_owned(), "Robotics Engineer".to_owned()),
                    ("department".to_owned(), "Engineering".to_owned()),
                    ("supervisorEId".to_owned(), "1".to_owned()),
                    ("hireDate".to_owned(), start.clone()),
                ]),
            );
        }
    }
    // Dropping the handle leaves the simulator serving until the process ends.
    tracing::info!("demo tenant connected to the BambooHR simulator");
    Ok(())
}
