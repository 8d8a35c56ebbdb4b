//! When a CronJob runs next, from its schedule as the CronJob controller reads it: five
//! fields or a descriptor (`@daily`, `@hourly`, …), in the CronJob's `timeZone`, or in the
//! controller manager's own zone when it has none (taken as UTC, which is what managed
//! clusters run; said in the UI). A `CRON_TZ=` or `TZ=` prefix (refused by validation since
//! 1.27, kept by older objects) names the zone too. The parsing is croner's
//! (docs/dependencies.md).

use croner::parser::{CronParser, Seconds};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A CronJob's next run, or why it is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextRun {
    At {
        time: jiff::Zoned,
        assumed_utc: bool,
    },
    /// The schedule or the zone could not be read.
    Unreadable(String),
}

/// The next time after `now` at which `schedule` fires, in `time_zone` (or UTC).
pub fn next_run(schedule: &str, time_zone: Option<&str>, now: Timestamp) -> NextRun {
    let mut schedule = schedule.trim();
    let mut zone = time_zone.map(str::to_string);
    for prefix in ["CRON_TZ=", "TZ="] {
        if let Some(rest) = schedule.strip_prefix(prefix)
            && let Some((tz, rest)) = rest.split_once(char::is_whitespace)
        {
            zone = Some(tz.to_string());
            schedule = rest.trim();
        }
    }
    let assumed_utc = zone.is_none();
    let tz = match zone.as_deref() {
        None => TimeZone::UTC,
        Some(name) => match TimeZone::get(name) {
            Ok(tz) => tz,
            Err(_) => return NextRun::Unreadable(format!("unknown time zone {name}")),
        },
    };
    let parser = CronParser::builder().seconds(Seconds::Disallowed).build();
    let cron = match parser.parse(schedule) {
        Ok(c) => c,
        Err(e) => return NextRun::Unreadable(format!("schedule \"{schedule}\" not understood: {e}")),
    };
    match cron.find_next_occurrence(&now.to_zoned(tz), false) {
        Ok(time) => NextRun::At { time, assumed_utc },
        Err(e) => NextRun::Unreadable(format!("no next run for \"{schedule}\": {e}")),
    }
}

impl NextRun {
    /// `next run 02:00 UTC (in 3h 20m)`; a date when it is not within a day.
    pub fn describe(&self, now: Timestamp) -> String {
        match self {
            NextRun::At { time, assumed_utc } => {
                let left = time.timestamp().duration_since(now);
                let when = if left.as_secs() < 86_400 {
                    time.strftime("%H:%M").to_string()
                } else {
                    time.strftime("%Y-%m-%d %H:%M").to_string()
                };
                let zone = if *assumed_utc {
                    "UTC".to_string()
                } else {
                    time.time_zone().iana_name().unwrap_or("").to_string()
                };
                format!("next run {when} {zone} (in {})", crate::format::human_duration(left))
            }
            NextRun::Unreadable(why) => format!("next run unknown: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(schedule: &str, tz: Option<&str>, now: &str) -> String {
        match next_run(schedule, tz, at(now)) {
            NextRun::At { time, .. } => time.timestamp().to_string(),
            NextRun::Unreadable(why) => why,
        }
    }

    #[test]
    fn five_fields_and_descriptors() {
        assert_eq!(next("0 2 * * *", None, "2026-06-01T10:00:00Z"), "2026-06-02T02:00:00Z");
        assert_eq!(next("*/15 * * * *", None, "2026-06-01T10:01:00Z"), "2026-06-01T10:15:00Z");
        assert_eq!(next("@hourly", None, "2026-06-01T10:01:00Z"), "2026-06-01T11:00:00Z");
        assert_eq!(next("@daily", None, "2026-06-01T10:01:00Z"), "2026-06-02T00:00:00Z");
        assert_eq!(next("0 0 * * MON", None, "2026-06-01T10:00:00Z"), "2026-06-08T00:00:00Z");
    }

    #[test]
    fn time_zones() {
        // 02:00 in Berlin (summer time, UTC+2) is midnight UTC.
        assert_eq!(next("0 2 * * *", Some("Europe/Berlin"), "2026-06-01T10:00:00Z"), "2026-06-02T00:00:00Z");
        assert_eq!(next("CRON_TZ=Europe/Berlin 0 2 * * *", None, "2026-06-01T10:00:00Z"), "2026-06-02T00:00:00Z");
        assert!(next("0 2 * * *", Some("Mars/Olympus"), "2026-06-01T10:00:00Z").contains("unknown time zone"));
    }

    #[test]
    fn unreadable_schedules_say_so() {
        assert!(next("every day", None, "2026-06-01T10:00:00Z").contains("not understood"));
        // Seconds are not part of a CronJob's schedule.
        assert!(next("0 0 2 * * *", None, "2026-06-01T10:00:00Z").contains("not understood"));
    }

    #[test]
    fn described() {
        let now = at("2026-06-01T22:40:00Z");
        let n = next_run("0 2 * * *", None, now);
        assert_eq!(n.describe(now), "next run 02:00 UTC (in 3h20m)");
        let n = next_run("0 2 1 1 *", None, now);
        assert!(n.describe(now).starts_with("next run 2027-01-01 02:00 UTC"), "{}", n.describe(now));
    }
}
