//! Cron schedules kept on integrations: parsing and the next time one fires.

use std::str::FromStr;

use chrono::{DateTime, Utc};

/// Parses a cron expression: the usual five fields (`minute hour day month weekday`, e.g.
/// `0 */6 * * *`) or six/seven with seconds first (and a year last).
pub fn parse_schedule(expr: &str) -> Result<cron::Schedule, String> {
    let fields = expr.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {}", expr.trim()),
        6 | 7 => expr.trim().to_owned(),
        _ => {
            return Err(
                "must be a cron expression of five fields, e.g. \"0 */6 * * *\"".to_owned(),
            );
        }
    };
    cron::Schedule::from_str(&full).map_err(|e| format!("is not a valid cron expression: {e}"))
}

/// When a schedule next fires strictly after `after`; `None` for an invalid expression or one
/// that never fires again.
pub fn next_fire(expr: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    parse_schedule(expr).ok()?.after(&after).next()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_field_expressions_fire_on_the_minute() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 30).unwrap();
        assert_eq!(
            next_fire("0 */6 * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap())
        );
        assert_eq!(
            next_fire("*/5 * * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 10, 10, 0).unwrap())
        );
    }

    #[test]
    fn six_field_expressions_have_seconds() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 30).unwrap();
        assert_eq!(
            next_fire("*/10 * * * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 40).unwrap())
        );
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert!(parse_schedule("every day").is_err());
        assert!(parse_schedule("61 * * * *").is_err());
        assert!(parse_schedule("").is_err());
    }
}
