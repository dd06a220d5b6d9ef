//! The deterministic workforce every simulated HR system serves: person `n` of a company is the
//! same on every run, so a company of 50,000 costs nothing until it is read. Each vendor's
//! simulator dresses the same people in its own fields.

use chrono::{Duration, NaiveDate};

const FIRST_NAMES: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Linus",
    "Radia",
    "Ken",
    "Frances",
    "Dennis",
    "Hedy",
    "John",
    "Katherine",
    "Tim",
];
const LAST_NAMES: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Torvalds",
    "Perlman",
    "Thompson",
    "Allen",
    "Ritchie",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Berners-Lee",
];
const DEPARTMENTS: [&str; 6] = [
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Support",
];
const LOCATIONS: [&str; 4] = ["Berlin", "London", "New York", "Remote"];
const TITLES: [&str; 5] = [
    "Engineer",
    "Account Executive",
    "Analyst",
    "Manager",
    "Specialist",
];

/// Person `n` (from 1) of a generated company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Worker {
    pub first: &'static str,
    pub last: &'static str,
    pub title: &'static str,
    pub department: &'static str,
    pub location: &'static str,
    pub hired: NaiveDate,
    /// Every 20th person has left, 400 days after joining.
    pub left: Option<NaiveDate>,
    /// The manager's `n`: ten reports each, person 1 reports to no one.
    pub manager: Option<u64>,
}

/// Person `n` (from 1): same input, same person, every run.
pub(crate) fn worker(n: u64) -> Worker {
    let pick = |salt: u64, len: usize| {
        ((n.wrapping_mul(2_654_435_761).wrapping_add(salt)) % len as u64) as usize
    };
    let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    let hired = base + Duration::days((n * 37 % 3650) as i64);
    Worker {
        first: FIRST_NAMES[pick(1, FIRST_NAMES.len())],
        last: LAST_NAMES[pick(7, LAST_NAMES.len())],
        title: TITLES[pick(3, TITLES.len())],
        department: DEPARTMENTS[pick(5, DEPARTMENTS.len())],
        location: LOCATIONS[pick(11, LOCATIONS.len())],
        hired,
        left: n.is_multiple_of(20).then(|| hired + Duration::days(400)),
        manager: (n > 1).then(|| (n - 2) / 10 + 1),
    }
}

/// Person `n`'s work address at `domain`, the same in every simulator that knows them: so that
/// a simulated MDM's device users match a simulated HR system's people when both use the same
/// domain.
pub(crate) fn work_email(person: &Worker, n: u64, domain: &str) -> String {
    format!(
        "{}.{}.{n}@{domain}",
        person.first.to_lowercase(),
        person.last.to_lowercase()
    )
}

/// A stable number for a name (FNV-1a), for the ids a vendor derives from names.
pub(crate) fn fingerprint(text: &str) -> u32 {
    text.bytes().fold(2_166_136_261_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(16_777_619)
    })
}
