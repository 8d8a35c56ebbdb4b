//! The "Used by" tab: whether use is known, problems first, then every consumer grouped (a
//! workload's Pods with its pod template) with how it uses the Secret and whether it sees a
//! change without a restart, StorageClass templates that may name it, then which consumers
//! read each key.

use ratatui::text::{Line, Span};

use super::Theme;
use super::text::sanitize;
use crate::app::State;
use crate::refs::{Known, SecretFacts, Severity, Usage as How};

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
        How::IngressTls { .. } | How::GatewayTls { .. } => "TLS".into(),
        How::PersistentVolume { .. } | How::StorageClass { .. } | How::StorageClassTemplate { .. } => "CSI".into(),
        How::ServiceAccountToken { .. } => "token".into(),
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
    let known = state.refs.known(namespace, name);
    if let Known::Unknown(why) = &known {
        out.push(Line::from(Span::styled(
            " Usage unknown: not every kind that could use it could be listed:",
            theme.warn,
        )));
        for w in why {
            out.push(Line::from(Span::styled(format!("   • {}", sanitize(w)), theme.warn)));
        }
    }
    let uses = index.uses_of(namespace, name);
    let broken = index.not_permitted(namespace, name);
    let templates = index.templates_matching(namespace, name);
    if uses.iter().any(|r| matches!(r.usage, How::EnvFrom { .. })) {
        out.push(Line::from(Span::styled(format!(" envFrom names: {}.", state.env_rule.describe()), theme.dim)));
    }
    if uses.is_empty() && broken.is_empty() {
        let text = match &known {
            Known::Complete => {
                "Nothing uses this Secret: no Pod, workload template, ServiceAccount, Ingress, Gateway, PersistentVolume or StorageClass names it."
            }
            Known::Unknown(_) => "Nothing that could be listed names this Secret; whether it is unused is unknown.",
            Known::Pending => "Finding out who uses this Secret…",
        };
        out.push(Line::from(Span::styled(format!(" {text}"), theme.dim)));
        template_lines(&templates, &mut out, theme);
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
    let groups = index.by_workload(namespace, name);
    if groups.is_empty() {
        out.push(Line::from(Span::styled("  none (see the problems above)", theme.dim)));
    }
    for group in groups {
        out.push(Line::from(Span::styled(format!("  {}", sanitize(&group.title(state.now))), theme.key)));
        let pods_now = group.pods().count();
        for u in group.usages() {
            let r = u.reference;
            let refresh = r.refresh_for(immutable);
            // A template's use with no Pod running: the Pods made from now on read the
            // Secret as it is then; nothing runs that needs a restart.
            let restart = refresh.without_restart() == Some(false) && (u.pods > 0 || !r.consumer.id.kind.runs_pods());
            let style = if refresh.without_restart() == Some(false) && restart { theme.warn } else { theme.dim };
            let times = if u.pods > 1 { format!(" ×{}", u.pods) } else { String::new() };
            let optional = if r.optional { "  optional" } else { "" };
            let mark = if restart { "  RESTART NEEDED" } else { "" };
            out.push(Line::from(vec![
                Span::raw(format!("    {}{times}", sanitize(&r.usage.describe()))),
                Span::styled(optional.to_string(), theme.dim),
                Span::styled(mark.to_string(), theme.warn),
            ]));
            for d in r.usage.details() {
                out.push(Line::from(Span::styled(format!("      {}", sanitize(&d)), theme.dim)));
            }
            if group.is_workload() && group.template.is_some() {
                let from = match (u.template, u.pods, pods_now) {
                    (true, 0, 0) => "in the pod template: Pods made from it read it as it is then",
                    (true, 0, _) => "in the pod template only: the running Pods predate it; new Pods will read it",
                    (false, _, _) => "in running Pods only: the pod template no longer names it",
                    (true, _, _) => "",
                };
                if !from.is_empty() {
                    out.push(Line::from(Span::styled(format!("      {from}"), theme.dim)));
                }
            }
            // Nothing runs that could need a restart: the template's next Pods read it afresh.
            if u.pods > 0 || !r.consumer.id.kind.runs_pods() {
                out.push(Line::from(Span::styled(format!("      {}", refresh.describe()), style)));
            }
        }
    }
    template_lines(&templates, &mut out, theme);
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
                // A workload's Pods and template are one consumer: named by the workload.
                let who_name = match &r.consumer.workload {
                    Some(w) if w.kind != crate::refs::WorkloadKind::Pod => format!("{} {}", w.kind.as_str(), w.name),
                    _ => r.consumer.id.name.to_string(),
                };
                let entry = format!("{who_name} ({})", short_usage(&r.usage));
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

/// StorageClass templates that may name the Secret: shown, never counted as uses.
fn template_lines(templates: &[&crate::refs::Reference], out: &mut Vec<Line<'static>>, theme: &Theme) {
    if templates.is_empty() {
        return;
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Templates that may name it (not counted as uses)", theme.header)));
    for r in templates {
        out.push(Line::from(Span::styled(
            format!("  StorageClass {}: name \"{}\"", sanitize(&r.consumer.id.name), sanitize(&r.secret)),
            theme.key,
        )));
        out.push(Line::from(Span::raw(format!("    {}", sanitize(&r.usage.describe())))));
        out.push(Line::from(Span::styled(
            "      the external-provisioner fills the template in for each claim: which Secret it names is not known until then",
            theme.dim,
        )));
    }
}
