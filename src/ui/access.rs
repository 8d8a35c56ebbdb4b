//! The "Access" tab: who can read the Secret's values and how (`crate::access`): readers first
//! with the binding, role and rule of each path, then those who can get at it indirectly
//! (creating Pods, impersonation, Pods that read it today), then Kubernetes' own subjects.
//! Broad grants are flagged. Without permission to list RBAC objects, it says so and shows the
//! user's own access.

use ratatui::text::{Line, Span};

use super::Theme;
use super::text::sanitize;
use crate::access::{self, Policy, SelfCheck, SubjectAccess};
use crate::app::State;
use crate::app::state::AccessView;
use crate::cluster::rbac::Loaded;

pub(crate) fn lines(
    state: &State,
    namespace: &str,
    name: &str,
    view: &AccessView,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mounters = access::mounters(&state.refs.index, namespace, name);
    match view {
        AccessView::NotAsked | AccessView::Loading => {
            vec![Line::from(Span::styled(" Reading Roles, ClusterRoles and their bindings…", theme.dim))]
        }
        AccessView::Failed(e) => {
            vec![Line::from(Span::styled(format!(" Could not read the RBAC objects: {}", sanitize(e)), theme.error))]
        }
        AccessView::Loaded(Loaded::Policy(p)) => {
            let a = access::analyze(p, namespace, name, &mounters);
            let mut out = vec![Line::from(Span::styled(
                format!(
                    " Who can read {} (from {} bindings; RBAC only: webhook and Node authorizers are not seen)",
                    sanitize(name),
                    p.role_bindings.len() + p.cluster_role_bindings.len()
                ),
                theme.dim,
            ))];
            section(&mut out, "Reads its values", a.subjects.iter().filter(|s| !s.builtin && s.reads), theme);
            section(
                &mut out,
                "Can get at them indirectly",
                a.subjects.iter().filter(|s| !s.builtin && !s.reads),
                theme,
            );
            section(&mut out, "Kubernetes (built-in subjects)", a.subjects.iter().filter(|s| s.builtin), theme);
            if !a.problems.is_empty() {
                out.push(Line::from(""));
                out.push(Line::from(Span::styled(" Not resolved", theme.header)));
                out.extend(
                    a.problems.iter().map(|p| Line::from(Span::styled(format!("   {}", sanitize(p)), theme.warn))),
                );
            }
            out
        }
        AccessView::Loaded(Loaded::Refused(check)) => refused(check, namespace, name, &mounters, theme),
    }
}

fn refused(
    check: &SelfCheck,
    namespace: &str,
    name: &str,
    mounters: &[access::Mounter],
    theme: &Theme,
) -> Vec<Line<'static>> {
    let yn = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let mut out = vec![
        Line::from(Span::styled(
            " You may not list Roles, ClusterRoles and their bindings: who else can read this Secret is unknown.",
            theme.warn,
        )),
        Line::from(Span::styled(format!("   ({})", sanitize(&check.why)), theme.dim)),
        Line::from(""),
        Line::from(vec![
            Span::styled(" You (auth can-i): ", theme.header),
            Span::raw(format!("get {} · list {} · watch {}", yn(check.get), yn(check.list), yn(check.watch))),
        ]),
        Line::from(vec![
            Span::styled("   indirectly:      ", theme.header),
            Span::raw(format!("create pods {} · exec into pods {}", yn(check.create_pods), yn(check.exec_pods))),
        ]),
    ];
    let a = access::analyze(&Policy::default(), namespace, name, mounters);
    section(&mut out, "Pods that read it today", a.subjects.iter().filter(|s| !s.reads), theme);
    out
}

fn section<'a>(
    out: &mut Vec<Line<'static>>,
    title: &str,
    subjects: impl Iterator<Item = &'a SubjectAccess>,
    theme: &Theme,
) {
    let subjects: Vec<&SubjectAccess> = subjects.collect();
    if subjects.is_empty() {
        return;
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(format!(" {title} ({})", subjects.len()), theme.header)));
    for s in subjects {
        let flags: Vec<&str> = s.broad().iter().map(|b| b.text()).collect();
        let mut head = vec![Span::styled(format!("   {}", sanitize(&s.subject.label())), theme.key)];
        if !flags.is_empty() {
            head.push(Span::styled(format!("  ⚠ {}", flags.join(", ")), theme.warn));
        }
        out.push(Line::from(head));
        for p in &s.paths {
            out.push(Line::from(vec![
                Span::raw(format!("     {}", sanitize(&p.how()))),
                Span::styled(format!("  {}", sanitize(&p.through())), theme.dim),
            ]));
            if let Some(rule) = &p.rule {
                out.push(Line::from(Span::styled(format!("       {}", sanitize(rule)), theme.dim)));
            }
        }
    }
}
