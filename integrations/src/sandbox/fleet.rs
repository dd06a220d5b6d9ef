//! The deterministic fleet every simulated MDM serves: device `n` of a company is the same on
//! every run, so a fleet of 50,000 costs nothing until it is read. Each vendor's simulator
//! dresses the same machines in its own fields.
//!
//! Device `n` belongs to person `n` of the simulated workforce (see `workforce`), with the
//! same name and, at the same email domain, the same address as the HR simulators give them;
//! every tenth device (`n % 10 == 5`) is a spare nobody holds. Leavers keep their devices: that
//! is what an offboarding has to reclaim.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;

use super::workforce::{fingerprint, work_email, worker};

/// What kind of device a machine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Mac,
    Windows,
    IPhone,
    IPad,
}

impl Platform {
    /// The operating system's name as MDMs report it.
    pub(crate) fn os_name(self) -> &'static str {
        match self {
            Platform::Mac => "macOS",
            Platform::Windows => "Windows",
            Platform::IPhone => "iOS",
            Platform::IPad => "iPadOS",
        }
    }

    fn models(self) -> &'static [&'static str] {
        match self {
            Platform::Mac => &[
                "MacBook Pro (14-inch, 2023)",
                "MacBook Air (M2, 2022)",
                "MacBook Pro (16-inch, 2021)",
                "Mac mini (2023)",
                "iMac (24-inch, 2023)",
            ],
            Platform::Windows => &[
                "Latitude 7440",
                "ThinkPad X1 Carbon Gen 11",
                "Surface Laptop 5",
                "EliteBook 840 G10",
            ],
            Platform::IPhone => &["iPhone 15", "iPhone 14 Pro", "iPhone 13"],
            Platform::IPad => &["iPad Air (5th generation)", "iPad (10th generation)"],
        }
    }

    fn os_versions(self) -> &'static [&'static str] {
        match self {
            Platform::Mac => &["14.5", "14.6.1", "15.1", "13.6.7"],
            Platform::Windows => &["10.0.22631.3880", "10.0.22631.4317", "10.0.19045.4651"],
            Platform::IPhone | Platform::IPad => &["17.5.1", "18.1", "17.6.1"],
        }
    }
}

/// Device `n` (from 1) of a simulated fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    pub platform: Platform,
    pub model: &'static str,
    pub os_version: &'static str,
    /// When it last reached the MDM: within the 30 days before 2026-11-01.
    pub last_check_in: DateTime<Utc>,
    /// Who holds it; `None` for a spare.
    pub holder: Option<Holder>,
    /// What the MDM calls it: "Ada's MacBook Pro", or "Spare iPhone 15 (0015)".
    pub name: String,
}

impl Machine {
    /// Who made it, as the device reports it.
    pub(crate) fn manufacturer(&self) -> &'static str {
        match self.model.split(' ').next().unwrap_or_default() {
            "Latitude" => "Dell Inc.",
            "ThinkPad" => "LENOVO",
            "Surface" => "Microsoft Corporation",
            "EliteBook" => "HP",
            _ => "Apple",
        }
    }
}

/// The person a device is assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
}

impl Holder {
    pub(crate) fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// A directory-style short name: `ada.lovelace`.
    pub(crate) fn username(&self) -> String {
        format!("{}.{}", self.first, self.last).to_lowercase()
    }
}

/// Device `n` (from 1) of a fleet made of `platforms` in turn, its holder's address at
/// `user_domain`: same input, same machine, every run.
pub(crate) fn machine(n: u64, platforms: &[Platform], user_domain: &str) -> Machine {
    let pick = |salt: u64, len: usize| {
        ((n.wrapping_mul(2_654_435_761).wrapping_add(salt)) % len.max(1) as u64) as usize
    };
    let platform = platforms
        .get((n % platforms.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or(Platform::Mac);
    let model = platform.models()[pick(13, platform.models().len())];
    let os_version = platform.os_versions()[pick(17, platform.os_versions().len())];
    let anchor = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let last_check_in = anchor - Duration::minutes((n.wrapping_mul(7919) % (60 * 24 * 30)) as i64);
    let short_model = model.split(" (").next().unwrap_or(model);
    let holder = (n % 10 != 5).then(|| {
        let person = worker(n);
        Holder {
            first: person.first,
            last: person.last,
            email: work_email(&person, n, user_domain),
        }
    });
    let name = match &holder {
        Some(holder) => format!("{}'s {short_model}", holder.first),
        None => format!("Spare {short_model} ({n:04})"),
    };
    Machine {
        platform,
        model,
        os_version,
        last_check_in,
        holder,
        name,
    }
}

/// A 12-character serial number: the vendor's three-letter `prefix` and `n` in nine digits.
/// Predictable, so tests can name a device by its serial.
pub(crate) fn serial(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:09}")
}

/// A UUID-shaped id for device `n`, stable per `salt` (a vendor and company).
pub(crate) fn uuid(salt: &str, n: u64) -> String {
    let high = fingerprint(salt);
    let mid = fingerprint(&format!("{salt}/{n}"));
    format!(
        "{high:08x}-{:04x}-4{:03x}-8{:03x}-{n:012x}",
        mid >> 16,
        mid & 0xfff,
        (mid >> 4) & 0xfff
    )
}

/// The number of the device with this UUID (made by [`uuid`] with `salt`), if it is one.
pub(crate) fn uuid_number(salt: &str, id: &str) -> Option<u64> {
    let n = u64::from_str_radix(id.rsplit('-').next()?, 16).ok()?;
    (n > 0 && uuid(salt, n).eq_ignore_ascii_case(id)).then_some(n)
}

/// A remote wipe a simulated MDM received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wipe {
    /// The vendor's id of the device.
    pub device_id: String,
    /// The unlock PIN sent with the command, if any.
    pub pin: Option<String>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_are_deterministic_and_some_are_spares() {
        let mix = [Platform::Mac, Platform::Windows];
        assert_eq!(
            machine(17, &mix, "acme.example.com"),
            machine(17, &mix, "acme.example.com")
        );
        assert_eq!(machine(17, &mix, "x").platform, Platform::Windows);
        assert!(machine(15, &mix, "x").holder.is_none());
        assert!(machine(15, &mix, "x").name.starts_with("Spare "));
        let held = machine(20, &mix, "acme.example.com").holder.unwrap();
        assert!(
            held.email.ends_with(".20@acme.example.com"),
            "{}",
            held.email
        );
    }

    #[test]
    fn uuids_round_trip_and_differ_per_salt() {
        let id = uuid("kandji/acme", 42);
        assert_eq!(id.len(), 36);
        assert_eq!(uuid_number("kandji/acme", &id), Some(42));
        assert_eq!(uuid_number("kandji/other", &id), None);
        assert_ne!(uuid("a", 1), uuid("b", 1));
        assert_eq!(serial("JMF", 17), "JMF000000017");
    }
}
