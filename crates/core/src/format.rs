//! Small formatting helpers shared by the UI, `keyhole list` and the embedded cluster.

use jiff::{SignedDuration, Timestamp};

/// kubectl's AGE column (`duration.HumanDuration` in apimachinery), exactly.
pub fn human_duration(d: SignedDuration) -> String {
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// The age of something created at `created`, as kubectl prints it; `<unknown>` without a time.
pub fn age(created: Option<Timestamp>, now: Timestamp) -> String {
    match created {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<unknown>".into(),
    }
}

/// RFC 3339 with whole seconds, as Kubernetes writes timestamps (`2026-11-28T15:00:00Z`).
pub fn rfc3339(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).map(|t| t.to_string()).unwrap_or_else(|_| t.to_string())
}

/// A byte count for humans: `512 B`, `1.5 KiB`, `3.2 MiB`.
pub fn bytes(n: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: i64) -> String {
        human_duration(SignedDuration::from_secs(s))
    }

    #[test]
    fn human_duration_matches_kubectl() {
        assert_eq!(d(-5), "<invalid>");
        assert_eq!(d(-1), "0s");
        assert_eq!(d(0), "0s");
        assert_eq!(d(119), "119s");
        assert_eq!(d(120), "2m");
        assert_eq!(d(126), "2m6s");
        assert_eq!(d(600), "10m");
        assert_eq!(d(3 * 3600 - 1), "179m");
        assert_eq!(d(3 * 3600), "3h");
        assert_eq!(d(3 * 3600 + 60 * 5), "3h5m");
        assert_eq!(d(8 * 3600), "8h");
        assert_eq!(d(47 * 3600), "47h");
        assert_eq!(d(48 * 3600), "2d");
        assert_eq!(d(50 * 3600), "2d2h");
        assert_eq!(d(8 * 86400), "8d");
        assert_eq!(d(729 * 86400), "729d");
        assert_eq!(d(730 * 86400), "2y");
        assert_eq!(d(731 * 86400), "2y1d");
        assert_eq!(d(9 * 365 * 86400), "9y");
    }

    #[test]
    fn rfc3339_drops_fractions() {
        let t: Timestamp = "2026-11-28T15:00:00.123Z".parse().unwrap();
        assert_eq!(rfc3339(t), "2026-11-28T15:00:00Z");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(12), "12 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
