//! The normalized purchase line every finance client (accounting system, ERP) returns, how a
//! pull reports unreadable records, how money is read, and how finance calls fail.
//!
//! The clients: [`crate::quickbooks`] (QuickBooks Online), [`crate::netsuite`] (NetSuite). Each
//! has `test_connection` and `fetch_purchases(since)`: every purchase line dated on or after
//! `since` (everything when `None`), all pages.
//!
//! A purchase line is what the company bought on one line of a bill, an expense or a purchase
//! order: a laptop, a monitor, a year of a software subscription. The backend decides which lines
//! are hardware and matches them to devices, by [`PurchaseLine::serial_number`] when the line
//! names one.
//!
//! Money is kept in integer hundredths of the currency's main unit ("cents"), read from the
//! vendor's decimal text digit by digit, never through floating point: `"1299.99"` is 129999,
//! `0.1` times 3 is 30. Digits past the second decimal are rounded half away from zero
//! (`"33.335"` is 3334). The unit is a hundredth whatever the currency's own minor unit:
//! ¥1,000 is 100000.

use std::collections::HashSet;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::hris::MalformedRecord;
use crate::hris::text_value;
use crate::http::VendorError;

/// The values of [`PurchaseLine::document_type`].
pub mod document_type {
    /// A QuickBooks Online bill: a vendor's invoice, to be paid later.
    pub const BILL: &str = "bill";
    /// A QuickBooks Online purchase (an expense): paid on the spot by card, cash or check.
    pub const PURCHASE: &str = "purchase";
    /// A NetSuite purchase order: ordered, not necessarily received or billed yet.
    pub const PURCHASE_ORDER: &str = "purchase_order";
    /// A NetSuite vendor bill.
    pub const VENDOR_BILL: &str = "vendor_bill";
}

/// One line of a purchase document, in vendor-neutral form.
///
/// `external_id` is stable per line (`"Bill:145:2"`: the document's kind, its id, the line's
/// id): the backend upserts on it, so a repeated pull changes nothing. Optional fields are
/// `None` when the vendor has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub external_id: String,
    /// One of [`document_type`].
    pub document_type: String,
    /// The document's number as people know it (a bill or order number).
    pub document_number: Option<String>,
    /// The document's date (the transaction date, not when it was entered).
    pub date: NaiveDate,
    /// The vendor's name.
    pub supplier: Option<String>,
    /// The line's text: its description, else its item or expense account name; may be empty.
    pub description: String,
    /// Units bought; 1 when the vendor gives none, or one that is not a whole number (a line of
    /// 2.5 hours is one lump of `amount_cents`).
    pub quantity: u32,
    /// The price of one unit, in hundredths.
    pub unit_cost_cents: i64,
    /// The line's total before tax, in hundredths; negative for a refund.
    pub amount_cents: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// The vendor's item or product name, for item lines.
    pub item: Option<String>,
    /// A serial number the line's text carries ("SN: C02XYZ123", "Serial No. 5CG1234XYZ"),
    /// upper case; see [`serial_in`].
    pub serial_number: Option<String>,
}

/// The outcome of a pull: every line that parsed, and every record that did not. A line listed
/// twice (paging over changing books) is kept once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurchasePull {
    pub lines: Vec<PurchaseLine>,
    pub malformed: Vec<MalformedRecord>,
}

impl PurchasePull {
    /// Adds one parsed line (or broken record), skipping one whose id this pull already has;
    /// answers whether it was new.
    pub(crate) fn absorb(
        &mut self,
        seen: &mut HashSet<String>,
        parsed: Result<PurchaseLine, MalformedRecord>,
    ) -> bool {
        match parsed {
            Ok(line) => {
                let new = seen.insert(line.external_id.clone());
                if new {
                    self.lines.push(line);
                }
                new
            }
            Err(malformed) => {
                let new = malformed
                    .external_id
                    .as_ref()
                    .is_none_or(|id| seen.insert(id.clone()));
                if new {
                    self.malformed.push(malformed);
                }
                new
            }
        }
    }
}

/// Why a finance call failed, classified by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum FinanceError {
    /// The vendor call failed as a whole; see [`VendorError`] for the classes.
    #[error(transparent)]
    Vendor(#[from] VendorError),
}

impl FinanceError {
    /// Bad credentials (a refused refresh token, a wrong token secret) or missing permissions:
    /// a person must fix the integration's settings. Never retried.
    pub fn needs_attention(&self) -> bool {
        matches!(self, FinanceError::Vendor(e) if e.needs_attention())
    }

    /// Whether trying the same call later can succeed (rate limits, outages, timeouts, an open
    /// circuit).
    pub fn is_retryable(&self) -> bool {
        matches!(self, FinanceError::Vendor(e) if e.is_retryable() || matches!(e, VendorError::CircuitOpen))
    }

    /// How long the vendor asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FinanceError::Vendor(e) => e.retry_after(),
        }
    }
}

/// Decimal text (`"1299.99"`, `"-12.5"`, `"2499"`, `".75"`) as hundredths, rounding half away
/// from zero past the second decimal. `None` for anything else: thousands separators, currency
/// signs, exponents, or a value beyond ±92 quadrillion.
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digit = |i: usize| {
        fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| i64::from(b - b'0'))
    };
    let mut cents = whole
        .checked_mul(100)?
        .checked_add(digit(0) * 10 + digit(1))?;
    if digit(2) >= 5 {
        cents = cents.checked_add(1)?;
    }
    Some(if negative { -cents } else { cents })
}

/// A quantity as a vendor gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    /// A whole number of units (the sign dropped: some books store purchases as negative
    /// quantities).
    Whole(u32),
    /// Zero, a fraction, or more than `u32` holds: the line is taken as one lump.
    Lump,
}

/// Decimal text as a [`Quantity`]; `None` when it is no decimal number.
pub(crate) fn parse_quantity(text: &str) -> Option<Quantity> {
    let text = text.trim();
    let digits = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole_number = fraction.bytes().all(|b| b == b'0');
    let units = whole.trim_start_matches('0');
    Some(match (whole_number, units.parse::<u32>()) {
        (true, Ok(n)) if n > 0 => Quantity::Whole(n),
        _ => Quantity::Lump,
    })
}

/// A line's quantity, unit cost and amount from what the vendor gave: the amount is the
/// vendor's when given, else unit cost × quantity; the unit cost is the vendor's when given,
/// else the amount divided by the quantity (to the nearest hundredth). A lump line is one unit
/// costing its amount.
pub(crate) fn settle(
    amount: Option<i64>,
    unit_cost: Option<i64>,
    quantity: Option<Quantity>,
) -> Result<(u32, i64, i64), String> {
    let whole = match quantity {
        None => Some(1),
        Some(Quantity::Whole(n)) => Some(n),
        Some(Quantity::Lump) => None,
    };
    let amount = match (amount, unit_cost, whole) {
        (Some(amount), _, _) => amount,
        (None, Some(unit), Some(n)) => unit
            .checked_mul(i64::from(n))
            .ok_or("the amount is out of range")?,
        _ => return Err("the line has no amount".into()),
    };
    Ok(match (whole, unit_cost) {
        (None, _) => (1, amount, amount),
        (Some(n), Some(unit)) => (n, unit, amount),
        (Some(n), None) => (n, divide_rounding(amount, i64::from(n)), amount),
    })
}

/// `value / by` rounded half away from zero; `by` is positive.
fn divide_rounding(value: i64, by: i64) -> i64 {
    let quotient = value / by;
    let remainder = value % by;
    if remainder.abs() * 2 >= by {
        quotient + value.signum()
    } else {
        quotient
    }
}

/// The first serial number `text` names after a label: "SN", "S/N", "Serial", "Serial No.",
/// "Serial #" or "Serial Number" (any case, then optional `:`, `#`, `=` or `-`), followed by
/// letters, digits and inner dashes; at least four characters and at least one digit, so that
/// "SN: n/a" names none. Upper case.
pub fn serial_in(text: &str) -> Option<String> {
    const LABELS: [&str; 7] = [
        "serial number",
        "serial no.",
        "serial no",
        "serial #",
        "serial",
        "s/n",
        "sn",
    ];
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for start in 0..bytes.len() {
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        for label in LABELS {
            let Some(rest) = bytes[start..].strip_prefix(label.as_bytes()) else {
                continue;
            };
            if rest.first().is_some_and(u8::is_ascii_alphanumeric) {
                continue;
            }
            let skip = rest
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b':' | b'#' | b'=' | b'-'))
                .count();
            let from = start + label.len() + skip;
            let len = bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            // The bytes taken are ASCII, so the same range of `text` is the same characters.
            let token = text.get(from..from + len).unwrap_or_default();
            let token = token.trim_matches('-');
            if token.len() >= 4 && token.bytes().any(|b| b.is_ascii_digit()) {
                return Some(token.to_ascii_uppercase());
            }
        }
    }
    None
}

/// Reads the fields of one vendor record by JSON pointer (`/VendorRef/name`), naming the field
/// (`VendorRef.name`) and the record's id in whatever it reports malformed.
pub(crate) struct Fields<'a> {
    record: &'a Value,
    external_id: String,
}

impl<'a> Fields<'a> {
    /// A reader for `record`, known as `external_id`; a record that is no JSON object is
    /// malformed.
    pub(crate) fn new(record: &'a Value, external_id: String) -> Result<Self, MalformedRecord> {
        if record.is_object() {
            Ok(Fields {
                record,
                external_id,
            })
        } else {
            Err(MalformedRecord {
                external_id: Some(external_id),
                reason: "record is not a JSON object".into(),
            })
        }
    }

    pub(crate) fn malformed(&self, reason: String) -> MalformedRecord {
        MalformedRecord {
            external_id: Some(self.external_id.clone()),
            reason,
        }
    }

    /// A text field: trimmed, empty as none, numbers as text.
    pub(crate) fn text(&self, pointer: &str) -> Result<Option<String>, MalformedRecord> {
        text_value(&field_name(pointer), self.record.pointer(pointer))
            .map_err(|reason| self.malformed(reason))
    }

    /// A text field that must have a value.
    pub(crate) fn required(&self, pointer: &str) -> Result<String, MalformedRecord> {
        self.text(pointer)?
            .ok_or_else(|| self.malformed(format!("missing {}", field_name(pointer))))
    }

    /// A `YYYY-MM-DD` date that must be there.
    pub(crate) fn date(&self, pointer: &str) -> Result<NaiveDate, MalformedRecord> {
        let text = self.required(pointer)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            self.malformed(format!(
                "{} {text:?} is not a YYYY-MM-DD date",
                field_name(pointer)
            ))
        })
    }

    /// An amount (a JSON number or decimal text) in hundredths.
    pub(crate) fn cents(&self, pointer: &str) -> Result<Option<i64>, MalformedRecord> {
        let Some(text) = self.text(pointer)? else {
            return Ok(None);
        };
        parse_cents(&text).map(Some).ok_or_else(|| {
            self.malformed(format!(
                "{} {text:?} is not a decimal amount",
                field_name(pointer)
            ))
        })
    }

    /// A quantity (a JSON number or decimal text).
    pub(crate) fn quantity(&self, pointer: &str) -> Result<Option<Quantity>, MalformedRecord> {
        let Some(text) = self.text(pointer)? else {
            return Ok(None);
        };
        parse_quantity(&text).map(Some).ok_or_else(|| {
            self.malformed(format!("{} {text:?} is not a number", field_name(pointer)))
        })
    }

    /// A true-or-false field; absent is false.
    pub(crate) fn flag(&self, pointer: &str) -> Result<bool, MalformedRecord> {
        match self.record.pointer(pointer) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") || s == "T" => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s == "F" => Ok(false),
            Some(other) => Err(self.malformed(format!(
                "{} has an unexpected value {other}",
                field_name(pointer)
            ))),
        }
    }
}

/// `VendorRef.name` for `/VendorRef/name`.
fn field_name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cents_are_read_digit_by_digit() {
        for (text, cents) in [
            ("1299.99", 129_999),
            ("2499", 249_900),
            ("2499.00", 249_900),
            ("2499.5", 249_950),
            ("0.1", 10),
            ("0.30", 30),
            (".75", 75),
            ("5.", 500),
            ("-12.34", -1234),
            ("+7.01", 701),
            (" 19.99 ", 1999),
            ("33.335", 3334),
            ("33.3349", 3333),
            ("-0.005", -1),
            ("0.004", 0),
            ("1099.999", 110_000),
            ("92233720368547758.07", i64::MAX),
        ] {
            assert_eq!(parse_cents(text), Some(cents), "{text}");
        }
        for bad in [
            "",
            ".",
            "-",
            "1,299.99",
            "$12",
            "1e3",
            "12.3.4",
            "abc",
            "92233720368547758.08",
            "1 000",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_numbers_are_read_without_float_arithmetic() {
        // 0.1 * 3 in floating point is 0.30000000000000004; the vendor's own text is read.
        let record =
            json!({"a": 2499.99, "b": 0.3, "c": 1299, "d": "1299.99", "e": null, "f": true});
        let fields = Fields::new(&record, "x".into()).unwrap();
        assert_eq!(fields.cents("/a").unwrap(), Some(249_999));
        assert_eq!(fields.cents("/b").unwrap(), Some(30));
        assert_eq!(fields.cents("/c").unwrap(), Some(129_900));
        assert_eq!(fields.cents("/d").unwrap(), Some(129_999));
        assert_eq!(fields.cents("/e").unwrap(), None);
        assert_eq!(fields.cents("/missing").unwrap(), None);
        let err = fields.cents("/f").unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("x"));
        assert!(err.reason.contains('f'), "{err}");
    }

    #[test]
    fn quantities_are_whole_units_or_one_lump() {
        assert_eq!(parse_quantity("3"), Some(Quantity::Whole(3)));
        assert_eq!(parse_quantity("3.000"), Some(Quantity::Whole(3)));
        assert_eq!(parse_quantity("-2"), Some(Quantity::Whole(2)));
        assert_eq!(parse_quantity("007"), Some(Quantity::Whole(7)));
        assert_eq!(parse_quantity("2.5"), Some(Quantity::Lump));
        assert_eq!(parse_quantity("0"), Some(Quantity::Lump));
        assert_eq!(parse_quantity("99999999999"), Some(Quantity::Lump));
        assert_eq!(parse_quantity("two"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn lines_settle_quantity_unit_cost_and_amount() {
        let w = |n| Some(Quantity::Whole(n));
        assert_eq!(
            settle(Some(749_997), Some(249_999), w(3)),
            Ok((3, 249_999, 749_997))
        );
        assert_eq!(settle(None, Some(10), w(3)), Ok((3, 10, 30)));
        assert_eq!(settle(Some(1000), None, w(3)), Ok((3, 333, 1000)));
        assert_eq!(settle(Some(2000), None, w(3)), Ok((3, 667, 2000)));
        assert_eq!(settle(Some(-2000), None, w(3)), Ok((3, -667, -2000)));
        assert_eq!(settle(Some(5000), None, None), Ok((1, 5000, 5000)));
        assert_eq!(
            settle(Some(25_000), Some(10_000), Some(Quantity::Lump)),
            Ok((1, 25_000, 25_000))
        );
        assert!(settle(None, Some(10_000), Some(Quantity::Lump)).is_err());
        assert!(settle(None, None, w(1)).is_err());
        assert!(settle(None, Some(i64::MAX), w(2)).is_err());
    }

    #[test]
    fn serials_follow_their_labels() {
        for (text, serial) in [
            ("MacBook Pro 14 M3 SN: C02XYZ123", Some("C02XYZ123")),
            ("MacBook Pro 14 M3 (sn c02xyz123)", Some("C02XYZ123")),
            ("Latitude 7440, S/N: 5CG1234XYZ", Some("5CG1234XYZ")),
            ("ThinkPad Serial Number: PF-3AB12C", Some("PF-3AB12C")),
            ("Serial No. JMF000000017", Some("JMF000000017")),
            ("serial #: R9XK22", Some("R9XK22")),
            ("Serial=ABCD1234; asset tag 77", Some("ABCD1234")),
            ("SN: n/a, serial ABC-0042", Some("ABC-0042")),
            ("Snapshot storage 500 GB", None),
            ("Slack Business+ annual, 40 seats", None),
            ("Serials to follow", None),
            ("SN: none", None),
            ("Ünïcode SN: X1Y2Z3", Some("X1Y2Z3")),
            ("", None),
        ] {
            assert_eq!(serial_in(text).as_deref(), serial, "{text}");
        }
    }

    #[test]
    fn a_line_seen_twice_is_kept_once() {
        let line = PurchaseLine {
            external_id: "Bill:1:1".into(),
            document_type: document_type::BILL.into(),
            document_number: None,
            date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            supplier: None,
            description: "x".into(),
            quantity: 1,
            unit_cost_cents: 1,
            amount_cents: 1,
            currency: "USD".into(),
            item: None,
            serial_number: None,
        };
        let mut pull = PurchasePull::default();
        let mut seen = HashSet::new();
        assert!(pull.absorb(&mut seen, Ok(line.clone())));
        assert!(!pull.absorb(&mut seen, Ok(line)));
        let broken = MalformedRecord {
            external_id: Some("Bill:2".into()),
            reason: "x".into(),
        };
        assert!(pull.absorb(&mut seen, Err(broken.clone())));
        assert!(!pull.absorb(&mut seen, Err(broken)));
        assert_eq!((pull.lines.len(), pull.malformed.len()), (1, 1));
    }

    #[test]
    fn classes_follow_the_vendor_error() {
        let unauthorized = FinanceError::from(VendorError::Unauthorized {
            message: "invalid_grant".into(),
        });
        assert!(unauthorized.needs_attention() && !unauthorized.is_retryable());
        let limited = FinanceError::from(VendorError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        });
        assert!(limited.is_retryable() && !limited.needs_attention());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        assert!(FinanceError::from(VendorError::CircuitOpen).is_retryable());
    }
}
