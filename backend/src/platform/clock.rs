//! The one clock: UTC, truncated to microseconds so a timestamp reads back the same from
//! SQLite and PostgreSQL as it was written.

use chrono::{DateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
