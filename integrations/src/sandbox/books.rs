//! The purchases every simulated finance system holds: the laptops (and phones, and tablets)
//! of a simulated MDM fleet, bought one device a document with the device's own serial number
//! in the line's text, the monitors and docks that go with them, and software subscriptions.
//! Deterministic, like the fleet: the same seed gives the same documents, so that a test can
//! say what a pull must find. Each finance simulator files the same documents in its own
//! records (QuickBooks bills and purchases, NetSuite vendor bills and purchase orders).
//!
//! Device `n`'s serial is the one the chosen MDM simulator gives its device `n`
//! ([`crate::sandbox::jamf::serial`] for [`Fleet::Jamf`]: `JMF000000017`), so that a purchase
//! line and an MDM device name the same hardware.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::fleet::{Platform, machine};

/// Which simulated MDM's devices the company bought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fleet {
    /// Jamf Pro's Macs (serials `JMF…`).
    #[default]
    Jamf,
    /// Intune's Windows laptops, Macs and iPhones (serials `INT…`).
    Intune,
    /// Kandji's Macs, iPhones and iPads (serials `KDJ…`).
    Kandji,
}

impl Fleet {
    /// The model, serial number and manufacturer of device `n` of this fleet, as its MDM
    /// simulator reports them.
    pub fn device(self, n: u64) -> (&'static str, String, &'static str) {
        let (platforms, serial): (&[Platform], String) = match self {
            Fleet::Jamf => (&[Platform::Mac], super::jamf::serial(n)),
            Fleet::Intune => (&super::intune::PLATFORMS, super::intune::serial(n)),
            Fleet::Kandji => (&super::kandji::PLATFORMS, super::kandji::serial(n)),
        };
        let device = machine(n, platforms, "");
        (device.model, serial, device.manufacturer())
    }
}

/// What kind of document a purchase is; each simulator files it as its vendor does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A vendor's invoice to pay later: a QuickBooks `Bill`, a NetSuite vendor bill.
    Bill,
    /// Paid on the spot: a QuickBooks `Purchase`, a NetSuite credit card charge (which the
    /// NetSuite client does not read).
    Expense,
    /// Ordered: a QuickBooks `PurchaseOrder` (which the QuickBooks client does not read), a
    /// NetSuite purchase order.
    PurchaseOrder,
}

/// One line of a simulated purchase document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// The item bought, for an item line; `None` for a line booked straight to `account`.
    pub item: Option<String>,
    /// The expense account of a line without an item.
    #[serde(default)]
    pub account: Option<String>,
    pub description: String,
    pub quantity: u32,
    pub unit_price_cents: i64,
}

impl DocumentLine {
    /// An item line.
    pub fn item(item: &str, description: &str, quantity: u32, unit_price_cents: i64) -> Self {
        DocumentLine {
            item: Some(item.to_owned()),
            account: None,
            description: description.to_owned(),
            quantity,
            unit_price_cents,
        }
    }

    /// A line booked to an expense account, without an item.
    pub fn expense(account: &str, description: &str, quantity: u32, unit_price_cents: i64) -> Self {
        DocumentLine {
            item: None,
            account: Some(account.to_owned()),
            description: description.to_owned(),
            quantity,
            unit_price_cents,
        }
    }

    /// Quantity × unit price, in hundredths.
    pub fn amount_cents(&self) -> i64 {
        self.unit_price_cents * i64::from(self.quantity)
    }
}

/// One simulated purchase document, in vendor-neutral form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseDocument {
    pub kind: DocumentKind,
    /// The bill or order number.
    pub number: Option<String>,
    pub date: NaiveDate,
    pub supplier: String,
    /// ISO 4217.
    pub currency: String,
    pub lines: Vec<DocumentLine>,
}

impl PurchaseDocument {
    /// The sum of the lines, in hundredths.
    pub fn total_cents(&self) -> i64 {
        self.lines.iter().map(DocumentLine::amount_cents).sum()
    }
}

/// A document as a simulator stores it: with the id the vendor gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPurchase {
    /// The vendor's id of the document (a QuickBooks `Id`, a NetSuite internal id).
    pub id: String,
    pub document: PurchaseDocument,
}

/// How a vendor files each part of the generated catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Filing {
    pub devices: DocumentKind,
    pub accessories: DocumentKind,
    pub software: DocumentKind,
}

/// The catalogue name and price (in cents) of a fleet model.
fn catalogue_item(model: &str) -> (&str, i64) {
    match model {
        "MacBook Pro (14-inch, 2023)" => ("MacBook Pro 14 M3", 249_900),
        "MacBook Air (M2, 2022)" => ("MacBook Air 13 M2", 119_900),
        "MacBook Pro (16-inch, 2021)" => ("MacBook Pro 16 M1 Pro", 269_900),
        "Mac mini (2023)" => ("Mac mini M2", 59_900),
        "iMac (24-inch, 2023)" => ("iMac 24 M3", 129_900),
        "Latitude 7440" => ("Dell Latitude 7440", 142_999),
        "ThinkPad X1 Carbon Gen 11" => ("Lenovo ThinkPad X1 Carbon Gen 11", 189_999),
        "Surface Laptop 5" => ("Microsoft Surface Laptop 5", 129_999),
        "EliteBook 840 G10" => ("HP EliteBook 840 G10", 134_950),
        "iPhone 15" => ("iPhone 15 128GB", 79_900),
        "iPhone 14 Pro" => ("iPhone 14 Pro 128GB", 99_900),
        "iPhone 13" => ("iPhone 13 128GB", 59_900),
        "iPad Air (5th generation)" => ("iPad Air 10.9 Wi-Fi 64GB", 59_900),
        "iPad (10th generation)" => ("iPad 10.9 Wi-Fi 64GB", 44_900),
        other => (other, 99_900),
    }
}

/// Who sells a manufacturer's devices, and the extended warranty they sell with them.
fn reseller(manufacturer: &str) -> (&'static str, &'static str, i64) {
    match manufacturer {
        "Dell Inc." => ("Dell Technologies", "Dell ProSupport Plus, 3 years", 18_900),
        "LENOVO" => ("Lenovo", "Lenovo Premier Support, 3 years", 21_900),
        "Microsoft Corporation" => (
            "Microsoft",
            "Microsoft Complete for Business, 3 years",
            24_900,
        ),
        "HP" => ("HP Inc.", "HP Care Pack, 3 years", 16_900),
        _ => ("Apple Inc.", "AppleCare+ for Business, 3 years", 27_900),
    }
}

/// The software subscriptions bought in turn: supplier, description, seats, price per seat.
const SUBSCRIPTIONS: [(&str, &str, u32, i64); 4] = [
    (
        "Slack Technologies",
        "Slack Business+ annual subscription",
        10,
        15_000,
    ),
    (
        "1Password",
        "1Password Business annual subscription",
        10,
        9_588,
    ),
    (
        "Atlassian",
        "Jira Software Cloud Standard annual subscription",
        10,
        9_492,
    ),
    (
        "Zoom Video Communications",
        "Zoom Workplace Business annual subscription",
        10,
        21_990,
    ),
];

/// The first document's date; each next one is two days later.
fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default()
}

/// The generated documents of a company that bought devices `1..=devices` of `fleet`, filed as
/// `filing` says, in the order they were entered (two days apart, from 2025-01-06):
/// - device `n`: one document from the manufacturer's seller, one line for the device
///   (`"{item}, SN: {serial}"`) and, for odd `n`, a warranty line booked to "Warranties";
/// - after every fifth device, one document from CDW: five monitors and five docks;
/// - after every tenth device, one software subscription (ten seats), booked to "Software
///   subscriptions".
pub(crate) fn catalogue(fleet: Fleet, devices: u64, filing: Filing) -> Vec<PurchaseDocument> {
    let mut documents = Vec::new();
    let mut next = |kind: DocumentKind, supplier: &str, lines: Vec<DocumentLine>| {
        let position = documents.len() as u64 + 1;
        let prefix = match kind {
            DocumentKind::Bill => "BILL",
            DocumentKind::Expense => "EXP",
            DocumentKind::PurchaseOrder => "PO",
        };
        documents.push(PurchaseDocument {
            kind,
            number: Some(format!("{prefix}-{position:05}")),
            date: first_date() + Days::new(2 * (position - 1)),
            supplier: supplier.to_owned(),
            currency: "USD".to_owned(),
            lines,
        });
    };
    for n in 1..=devices {
        let (model, serial, manufacturer) = fleet.device(n);
        let (item, price) = catalogue_item(model);
        let (supplier, warranty, warranty_price) = reseller(manufacturer);
        let mut lines = vec![DocumentLine::item(
            item,
            &format!("{item}, SN: {serial}"),
            1,
            price,
        )];
        if n % 2 == 1 {
            lines.push(DocumentLine::expense(
                "Warranties",
                &format!("{warranty} ({item})"),
                1,
                warranty_price,
            ));
        }
        next(filing.devices, supplier, lines);
        if n % 5 == 0 {
            next(
                filing.accessories,
                "CDW",
                vec![
                    DocumentLine::item(
                        "Dell UltraSharp 27 4K Monitor U2723QE",
                        "Dell UltraSharp 27 4K USB-C Hub Monitor (U2723QE)",
                        5,
                        57_999,
                    ),
                    DocumentLine::item(
                        "CalDigit TS4 Dock",
                        "CalDigit TS4 Thunderbolt 4 Dock",
                        5,
                        39_995,
                    ),
                ],
            );
        }
        if n % 10 == 0 {
            let (supplier, description, seats, price) =
                SUBSCRIPTIONS[(n / 10 - 1) as usize % SUBSCRIPTIONS.len()];
            next(
                filing.software,
                supplier,
                vec![DocumentLine::expense(
                    "Software subscriptions",
                    description,
                    seats,
                    price,
                )],
            );
        }
    }
    documents
}

/// `cents` as decimal text with two decimals: `249999` is `"2499.99"`, `-5` is `"-0.05"`.
pub(crate) fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// `cents` as a JSON number, as vendors that answer numbers write money (`2499.99`, `2499.0`).
pub(crate) fn money(cents: i64) -> serde_json::Value {
    // The quotient of two exactly representable numbers is rounded once: the nearest double
    // to the decimal, which prints as the decimal.
    serde_json::json!(cents as f64 / 100.0)
}

/// A stable number from 100 to 999 for a name, as vendors' ids of suppliers and items.
pub(crate) fn ref_id(name: &str) -> String {
    (super::workforce::fingerprint(name) % 900 + 100).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILING: Filing = Filing {
        devices: DocumentKind::Bill,
        accessories: DocumentKind::Expense,
        software: DocumentKind::Expense,
    };

    #[test]
    fn the_catalogue_is_deterministic_and_names_the_fleet_serials() {
        let documents = catalogue(Fleet::Jamf, 20, FILING);
        assert_eq!(documents, catalogue(Fleet::Jamf, 20, FILING));
        // 20 devices, 4 accessory orders, 2 subscriptions.
        assert_eq!(documents.len(), 26);
        let first = &documents[0];
        assert_eq!(first.kind, DocumentKind::Bill);
        assert_eq!(first.supplier, "Apple Inc.");
        assert_eq!(first.date, first_date());
        assert_eq!(first.lines.len(), 2);
        assert!(first.lines[0].description.ends_with("SN: JMF000000001"));
        let serials: Vec<_> = documents
            .iter()
            .flat_map(|d| &d.lines)
            .filter_map(|l| crate::finance::serial_in(&l.description))
            .collect();
        assert_eq!(
            serials,
            (1..=20).map(super::super::jamf::serial).collect::<Vec<_>>()
        );
        assert_eq!(documents[25].date, first_date() + Days::new(50));
        let windows = catalogue(Fleet::Intune, 3, FILING);
        assert!(windows.iter().any(|d| d.supplier != "Apple Inc."));
        assert!(windows[0].lines[0].description.contains("INT000000001"));
    }

    #[test]
    fn money_prints_as_its_decimal() {
        assert_eq!(decimal(249_999), "2499.99");
        assert_eq!(decimal(-5), "-0.05");
        assert_eq!(decimal(249_900), "2499.00");
        assert_eq!(money(249_999).to_string(), "2499.99");
        assert_eq!(money(30).to_string(), "0.3");
        assert_eq!(money(249_900).to_string(), "2499.0");
    }
}
