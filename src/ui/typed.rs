//! The typed view of a Secret (certificates, registries, tokens, releases) as lines of text.
//! Views never hold secret material, so nothing here needs masking.

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

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn certs(out: &mut Vec<Line<'static>>, key: &str, bundle: &CertBundle, theme: &Theme) {
    for (i, c) in bundle.certificates.iter().enumerate() {
        out.push(heading(&format!("{key} certificate {}", i + 1), theme));
        out.push(kv("subject", &c.subject, theme));
        out.push(kv("issuer", &c.issuer, theme));
        let mut sans: Vec<String> = c.dns_names.clone();
        sans.extend(c.ip_addresses.iter().cloned());
        sans.extend(c.emails.iter().cloned());
        if !sans.is_empty() {
            out.push(kv("names", sans.join(", "), theme));
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
        out.push(kv("serial", &c.serial, theme));
    }
    for b in &bundle.other_blocks {
        out.push(kv("other PEM block", b, theme));
    }
}

pub(crate) fn lines(view: &TypedView, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match view {
        TypedView::Tls(v) => {
            if let Some(b) = &v.certificates {
                certs(&mut out, "tls.crt", b, theme);
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
                certs(&mut out, "ca.crt", ca, theme);
            }
        }
        TypedView::Docker(v) => {
            out.push(heading(&format!("Registries in {}", v.key), theme));
            if v.registries.is_empty() {
                out.push(kv("registries", "none", theme));
            }
            for r in &v.registries {
                out.push(Line::from(Span::styled(format!("  {}", sanitize(&r.server)), theme.key)));
                out.push(kv("  username", opt(&r.username), theme));
                out.push(kv("  email", opt(&r.email), theme));
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
            out.push(kv("username", opt(&v.username), theme));
            let pw = if v.password_present { format!("set ({} characters)", v.password_len) } else { "missing".into() };
            out.push(kv("password", pw, theme));
        }
        TypedView::Ssh(v) => {
            out.push(heading("SSH key", theme));
            match &v.key {
                Some(k) => {
                    let bits = k.bits.map(|b| format!(" {b} bits")).unwrap_or_default();
                    out.push(kv("type", format!("{}{bits} ({})", k.algorithm, k.format.label()), theme));
                    out.push(kv("fingerprint", opt(&k.fingerprint), theme));
                    out.push(kv("comment", opt(&k.comment), theme));
                    out.push(kv("encrypted", yes_no(k.encrypted), theme));
                    if let Some(p) = &k.public_key_line {
                        out.push(kv("public key", p, theme));
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
            out.push(kv("token id", opt(&v.token_id), theme));
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
            out.push(kv("extra groups", if groups.is_empty() { "—".into() } else { groups.join(", ") }, theme));
            out.push(kv("description", opt(&v.description), theme));
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
                out.push(kv("issuer", opt(&j.issuer), theme));
                out.push(kv("subject", opt(&j.subject), theme));
                if !j.audiences.is_empty() {
                    out.push(kv("audiences", j.audiences.join(", "), theme));
                }
                if let Some(t) = j.expires_at {
                    out.push(kv("expires", crate::format::rfc3339(t), theme));
                } else {
                    out.push(kv("expires", "never (legacy token)", theme));
                }
                out.push(kv("namespace", opt(&j.kubernetes.namespace), theme));
                out.push(kv("secret", opt(&j.kubernetes.secret_name), theme));
            }
        }
        TypedView::HelmRelease(v) => {
            out.push(heading("Helm release", theme));
            out.push(kv("release", opt(&v.release_name), theme));
            out.push(kv("revision", v.revision.map(|r| r.to_string()).unwrap_or_else(|| "—".into()), theme));
            out.push(kv("status", opt(&v.status), theme));
            let chart = match (&v.chart_name, &v.chart_version) {
                (Some(n), Some(ver)) => format!("{n}-{ver}"),
                (Some(n), None) => n.clone(),
                _ => "—".into(),
            };
            out.push(kv("chart", chart, theme));
            out.push(kv("app version", opt(&v.app_version), theme));
            out.push(kv("last deployed", opt(&v.last_deployed), theme));
            out.push(kv("description", opt(&v.description), theme));
            out.push(Line::from(Span::styled(
                "  Values and manifests are not shown: they can hold secrets.",
                theme.dim,
            )));
        }
    }
    let problems = view.problems();
    if !problems.is_empty() {
        out.push(heading("Problems", theme));
        for p in problems {
            out.push(Line::from(Span::styled(format!("  • {}", sanitize(&p)), theme.warn)));
        }
    }
    out
}
