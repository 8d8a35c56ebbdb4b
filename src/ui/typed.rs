//! The typed view of a Secret (certificates, registries, tokens, releases) as lines of text.
//! Views hold no secret material, but their text is still taken from the values (a username, a
//! registry, a certificate's names): with `--redact` every such text is hidden, and only what
//! is not text from a value is shown (dates, sizes, yes/no, whether keys match).

use ratatui::text::{Line, Span};

use super::Theme;
use super::text::sanitize;
use crate::secret::views::{CertBundle, KeyMatch, TypedView};

fn kv(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![Span::styled(format!("  {label:<16} "), theme.dim), Span::raw(sanitize(&value.into()))])
}

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), theme.header))
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".to_string())
}

/// What `--redact` shows instead of text taken from a value.
const HIDDEN: &str = "(hidden: --redact)";

/// Text taken from a value: itself, or hidden with `--redact`.
fn from_value(v: impl Into<String>, redact: bool) -> String {
    if redact { HIDDEN.to_string() } else { v.into() }
}

/// An optional text taken from a value: `—` when absent, hidden with `--redact` when present.
fn opt_value(v: &Option<String>, redact: bool) -> String {
    match v {
        Some(_) if redact => HIDDEN.to_string(),
        _ => opt(v),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn certs(out: &mut Vec<Line<'static>>, key: &str, bundle: &CertBundle, redact: bool, theme: &Theme) {
    for (i, c) in bundle.certificates.iter().enumerate() {
        out.push(heading(&format!("{key} certificate {}", i + 1), theme));
        out.push(kv("subject", from_value(&c.subject, redact), theme));
        out.push(kv("issuer", from_value(&c.issuer, redact), theme));
        let mut sans: Vec<String> = c.dns_names.clone();
        sans.extend(c.ip_addresses.iter().cloned());
        sans.extend(c.emails.iter().cloned());
        if !sans.is_empty() {
            out.push(kv("names", from_value(sans.join(", "), redact), theme));
        }
        out.push(kv("valid from", crate::format::rfc3339(c.not_before), theme));
        let left = if c.expired {
            Span::styled(format!("EXPIRED {} days ago", -c.days_left), theme.error)
        } else if c.not_yet_valid {
            Span::styled("NOT YET VALID".to_string(), theme.error)
        } else if c.days_left < 30 {
            Span::styled(format!("{} days left", c.days_left), theme.warn)
        } else {
            Span::styled(format!("{} days left", c.days_left), theme.ok)
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<16} ", "valid until"), theme.dim),
            Span::raw(format!("{}  ", crate::format::rfc3339(c.not_after))),
            left,
        ]));
        out.push(kv("key", c.key_algorithm.to_string(), theme));
        let role = if c.is_ca { "CA" } else { "leaf" };
        out.push(kv("role", format!("{role}{}", if c.self_signed { ", self-signed" } else { "" }), theme));
        out.push(kv("serial", from_value(&c.serial, redact), theme));
    }
    for b in &bundle.other_blocks {
        out.push(kv("other PEM block", b, theme));
    }
}

pub(crate) fn lines(view: &TypedView, redact: bool, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match view {
        TypedView::Tls(v) => {
            if let Some(b) = &v.certificates {
                certs(&mut out, "tls.crt", b, redact, theme);
            }
            out.push(heading("tls.key", theme));
            match &v.key {
                Some(k) => {
                    let alg = k.algorithm.as_ref().map(|a| a.to_string()).unwrap_or_else(|| "unknown".into());
                    out.push(kv("type", format!("{alg} ({})", k.format.label()), theme));
                }
                None => out.push(kv("type", "missing or unreadable", theme)),
            }
            let (text, style) = match v.key_match {
                KeyMatch::Matches => ("matches the first certificate", theme.ok),
                KeyMatch::DoesNotMatch => ("DOES NOT MATCH the first certificate", theme.error),
                KeyMatch::TypeDiffers => ("is a different key type than the certificate", theme.error),
                KeyMatch::Unknown => ("cannot tell whether it matches", theme.warn),
            };
            out.push(Line::from(vec![
                Span::styled(format!("  {:<16} ", "key match"), theme.dim),
                Span::styled(text, style),
            ]));
            if let Some(ca) = &v.ca {
                certs(&mut out, "ca.crt", ca, redact, theme);
            }
        }
        TypedView::Docker(v) => {
            out.push(heading(&format!("Registries in {}", v.key), theme));
            if v.registries.is_empty() {
                out.push(kv("registries", "none", theme));
            }
            for (i, r) in v.registries.iter().enumerate() {
                let server = if redact { format!("registry {} {HIDDEN}", i + 1) } else { sanitize(&r.server) };
                out.push(Line::from(Span::styled(format!("  {server}"), theme.key)));
                out.push(kv("  username", opt_value(&r.username, redact), theme));
                out.push(kv("  email", opt_value(&r.email, redact), theme));
                out.push(kv("  password", if r.has_password { "set" } else { "not set" }, theme));
                let auth = match (r.has_auth, r.auth_agrees) {
                    (false, _) => Span::styled("no auth field", theme.dim),
                    (true, Some(true)) => Span::styled("agrees with username:password", theme.ok),
                    (true, Some(false)) => Span::styled("DISAGREES with username:password", theme.error),
                    (true, None) => Span::styled("present", theme.base),
                };
                out.push(Line::from(vec![Span::styled(format!("  {:<16} ", "  auth"), theme.dim), auth]));
            }
        }
        TypedView::BasicAuth(v) => {
            out.push(heading("Basic authentication", theme));
            out.push(kv("username", opt_value(&v.username, redact), theme));
            let pw = match (v.password_present, redact) {
                (true, false) => format!("set ({} characters)", v.password_len),
                (true, true) => "set".into(),
                (false, _) => "missing".into(),
            };
            out.push(kv("password", pw, theme));
        }
        TypedView::Ssh(v) => {
            out.push(heading("SSH key", theme));
            match &v.key {
                Some(k) => {
                    let bits = k.bits.map(|b| format!(" {b} bits")).unwrap_or_default();
                    out.push(kv("type", format!("{}{bits} ({})", k.algorithm, k.format.label()), theme));
                    out.push(kv("fingerprint", opt_value(&k.fingerprint, redact), theme));
                    out.push(kv("comment", opt_value(&k.comment, redact), theme));
                    out.push(kv("encrypted", yes_no(k.encrypted), theme));
                    if let Some(p) = &k.public_key_line {
                        out.push(kv("public key", from_value(p, redact), theme));
                    }
                }
                None => out.push(kv("ssh-privatekey", "missing or unreadable", theme)),
            }
            if v.public_key_present {
                let m = match v.public_key_matches {
                    Some(true) => "matches the private key",
                    Some(false) => "DOES NOT MATCH the private key",
                    None => "cannot tell",
                };
                out.push(kv("ssh-publickey", m, theme));
            }
        }
        TypedView::BootstrapToken(v) => {
            out.push(heading("Bootstrap token", theme));
            out.push(kv("token id", opt_value(&v.token_id, redact), theme));
            let secret = if v.token_secret_valid {
                "set (16 characters)".to_string()
            } else {
                format!("INVALID ({} characters)", v.token_secret_len)
            };
            out.push(kv("token secret", secret, theme));
            let exp = match (&v.expiration, v.expired, v.days_left) {
                (Some(t), true, _) => Span::styled(format!("{} (EXPIRED)", crate::format::rfc3339(*t)), theme.error),
                (Some(t), false, Some(d)) => Span::raw(format!("{} ({d} days left)", crate::format::rfc3339(*t))),
                (None, _, _) if v.expiration_raw.is_some() => {
                    Span::styled("unparseable: counts as expired", theme.error)
                }
                _ => Span::raw("never"),
            };
            out.push(Line::from(vec![Span::styled(format!("  {:<16} ", "expires"), theme.dim), exp]));
            out.push(kv("usages", if v.usages.is_empty() { "none".into() } else { v.usages.join(", ") }, theme));
            let groups: Vec<String> = v
                .extra_groups
                .iter()
                .map(|g| if g.valid { g.name.clone() } else { format!("{} (invalid)", g.name) })
                .collect();
            let groups = if groups.is_empty() { "—".into() } else { from_value(groups.join(", "), redact) };
            out.push(kv("extra groups", groups, theme));
            out.push(kv("description", opt_value(&v.description, redact), theme));
            out.push(kv("name matches id", yes_no(v.name_matches), theme));
            out.push(kv("in kube-system", yes_no(v.in_kube_system), theme));
        }
        TypedView::ServiceAccountToken(v) => {
            out.push(heading("Service account token", theme));
            out.push(kv("service account", opt(&v.service_account_name), theme));
            out.push(kv("uid", opt(&v.service_account_uid), theme));
            out.push(kv("token", if v.has_token { "present" } else { "not filled in yet" }, theme));
            out.push(kv("ca.crt", if v.has_ca_crt { "present" } else { "missing" }, theme));
            if let Some(j) = &v.jwt {
                out.push(heading("Token claims (decoded, not verified)", theme));
                out.push(kv("issuer", opt_value(&j.issuer, redact), theme));
                out.push(kv("subject", opt_value(&j.subject, redact), theme));
                if !j.audiences.is_empty() {
                    out.push(kv("audiences", from_value(j.audiences.join(", "), redact), theme));
                }
                if let Some(t) = j.expires_at {
                    out.push(kv("expires", crate::format::rfc3339(t), theme));
                } else {
                    out.push(kv("expires", "never (legacy token)", theme));
                }
                out.push(kv("namespace", opt_value(&j.kubernetes.namespace, redact), theme));
                out.push(kv("secret", opt_value(&j.kubernetes.secret_name, redact), theme));
            }
        }
        TypedView::HelmRelease(v) => {
            out.push(heading("Helm release", theme));
            out.push(kv("release", opt_value(&v.release_name, redact), theme));
            out.push(kv("revision", v.revision.map(|r| r.to_string()).unwrap_or_else(|| "—".into()), theme));
            out.push(kv("status", opt(&v.status), theme));
            let chart = match (&v.chart_name, &v.chart_version) {
                (Some(n), Some(ver)) => format!("{n}-{ver}"),
                (Some(n), None) => n.clone(),
                _ => "—".into(),
            };
            out.push(kv("chart", from_value(chart, redact), theme));
            out.push(kv("app version", opt_value(&v.app_version, redact), theme));
            out.push(kv("last deployed", opt(&v.last_deployed), theme));
            out.push(kv("description", opt_value(&v.description, redact), theme));
            out.push(Line::from(Span::styled(
                "  Values and manifests are not shown: they can hold secrets.",
                theme.dim,
            )));
        }
    }
    let problems = if redact { redacted_problems(view) } else { view.problems() };
    if !problems.is_empty() {
        out.push(heading("Problems", theme));
        for p in problems {
            out.push(Line::from(Span::styled(format!("  • {}", sanitize(&p)), theme.warn)));
        }
    }
    out
}

/// The problems, with the registry names (text from the value) replaced by their place.
fn redacted_problems(view: &TypedView) -> Vec<String> {
    match view {
        TypedView::Docker(v) => {
            let mut out = v.problems.clone();
            for (i, r) in v.registries.iter().enumerate() {
                out.extend(r.problems.iter().map(|p| format!("registry {}: {p}", i + 1)));
            }
            out
        }
        other => other.problems(),
    }
}
