//! The "Used by" tab: problems first, then every consumer grouped by workload with how it uses
//! the Secret and whether it sees a change without a restart, then which consumers read each key.

use ratatui::text::{Line, Span};

use super::Theme;
use super::text::sanitize;
use crate::app::State;
use crate::refs::{ConsumerKind, SecretFacts, Severity, Usage as How};

/// A few words for the per-key list.
fn short_usage(u: &How) -> String {
    match u {
        How::Volume(_) => "volume".into(),
        How::Projected(_) => "projected volume".into(),
        How::Env { var, .. } => format!("env {var}"),
        How::EnvFrom { .. } => "envFrom".into(),
        How::ImagePullSecret | How::ServiceAccountImagePullSecret => "image pulls".into(),
        How::Csi { .. } => "CSI".into(),
        How::Plugin { plugin, .. } => plugin.as_str().to_string(),
        How::ServiceAccountSecret => "secrets[]".into(),
        How::IngressTls { .. } => "TLS".into(),
    }
}

pub(crate) fn lines(
    state: &State,
    namespace: &str,
    name: &str,
    keys: Option<&[String]>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let index = &state.refs.index;
    let mut out = Vec::new();
    if let Some(why) = state.refs.unknown_because() {
        out.push(Line::from(Span::styled(format!(" Usage may be incomplete: {why}."), theme.warn)));
    }
    let refs = index.refs_to(namespace, name);
    if refs.iter().any(|r| matches!(r.usage, How::EnvFrom { .. })) {
        out.push(Line::from(Span::styled(format!(" envFrom names: {}.", state.env_rule.describe()), theme.dim)));
    }
    if refs.is_empty() {
        let text = if state.refs.is_synced() {
            "Nothing uses this Secret: no Pod, ServiceAccount or Ingress in this namespace names it."
        } else if state.refs.unknown_because().is_some() {
            "Nothing that could be listed names this Secret; whether it is unused is unknown."
        } else {
            "Finding out who uses this Secret…"
        };
        out.push(Line::from(Span::styled(format!(" {text}"), theme.dim)));
        return out;
    }
    let immutable = state.detail.as_ref().and_then(|d| d.secret.as_ref()).is_some_and(|s| s.is_immutable());
    let facts = match keys {
        Some(k) => SecretFacts::with_keys(k.iter().map(String::as_str)).immutable(immutable),
        None if state.rows.contains_key(&(namespace.to_string(), name.to_string())) => {
            SecretFacts::exists_keys_unknown()
        }
        None => SecretFacts::missing(),
    }
    .env_rule(state.env_rule);
    let analysis = index.analyze(namespace, name, &facts);
    if !analysis.findings.is_empty() {
        out.push(Line::from(Span::styled("Problems", theme.header)));
        for f in &analysis.findings {
            let style = match f.severity() {
                Severity::Error => theme.error,
                Severity::Warning => theme.warn,
                Severity::Info => theme.dim,
            };
            out.push(Line::from(Span::styled(format!("  • {}", sanitize(&f.message())), style)));
        }
        out.push(Line::from(""));
    }
    out.push(Line::from(Span::styled("Consumers", theme.header)));
    for group in index.by_workload(namespace, name) {
        let title = match (group.kind, group.workload) {
            (ConsumerKind::Pod, Some(w))
                if group.consumers.len() == 1 && group.consumers[0].name.as_ref() == group.name =>
            {
                let _ = w;
                format!("Pod {}", group.name)
            }
            (ConsumerKind::Pod, Some(w)) => {
                let pods: Vec<String> = group.consumers.iter().map(|c| c.name.to_string()).collect();
                let n = pods.len();
                format!(
                    "{} {} ({n} Pod{}: {})",
                    w.kind.as_str(),
                    group.name,
                    if n == 1 { "" } else { "s" },
                    pods.join(", ")
                )
            }
            (kind, _) => format!("{} {}", kind.as_str(), group.name),
        };
        out.push(Line::from(Span::styled(format!("  {}", sanitize(&title)), theme.key)));
        for (r, count) in group.usages() {
            let refresh = r.refresh_for(immutable);
            let (mark, style) = match refresh.without_restart() {
                Some(true) => ("", theme.dim),
                Some(false) => ("  RESTART NEEDED", theme.warn),
                None => ("", theme.dim),
            };
            let times = if count > 1 { format!(" ×{count}") } else { String::new() };
            let optional = if r.optional { "  optional" } else { "" };
            out.push(Line::from(vec![
                Span::raw(format!("    {}{times}", sanitize(&r.usage.describe()))),
                Span::styled(optional.to_string(), theme.dim),
                Span::styled(mark.to_string(), theme.warn),
            ]));
            for d in r.usage.details() {
                out.push(Line::from(Span::styled(format!("      {}", sanitize(&d)), theme.dim)));
            }
            out.push(Line::from(Span::styled(format!("      {}", refresh.describe()), style)));
        }
    }
    if let Some(keys) = keys {
        let readers = index.key_readers(namespace, name);
        out.push(Line::from(""));
        out.push(Line::from(Span::styled("Per key", theme.header)));
        for key in keys {
            let mut who: Vec<String> = Vec::new();
            for r in readers.of(key) {
                // envFrom skips keys that are not valid variable names (with its prefix).
                if let How::EnvFrom { prefix, .. } = &r.usage {
                    let full = format!("{}{key}", prefix.as_deref().unwrap_or(""));
                    if !state.env_rule.accepts(&full) {
                        continue;
                    }
                }
                let entry = format!("{} ({})", r.consumer.id.name, short_usage(&r.usage));
                if !who.contains(&entry) {
                    who.push(entry);
                }
            }
            let text = if who.is_empty() { "nothing reads it".to_string() } else { who.join(", ") };
            let style = if who.is_empty() { theme.dim } else { theme.base };
            out.push(Line::from(vec![
                Span::styled(format!("  {:<20} ", sanitize(key)), theme.key),
                Span::styled(sanitize(&text), style),
            ]));
        }
    }
    out
}
