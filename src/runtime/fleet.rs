//! The fleet view's effects: every context's listing (as `keyhole list --contexts` makes it)
//! and a comparison of one Secret across contexts, as messages for the app.

use jiff::Timestamp;

use crate::app::fleet::{CompareView, FleetContext, FleetRow};
use crate::list::compare::{self, Side};
use crate::list::fleet::{self, Namespaces};
use crate::list::report::{Query, Report};

/// At most this many contexts are read at a time.
const PARALLEL: usize = 4;

/// Lists the contexts `spec` names, each in `namespace` (else every namespace).
pub(crate) async fn list(
    kubeconfig: &kube::config::Kubeconfig,
    spec: &str,
    namespace: Option<String>,
) -> Result<Vec<FleetContext>, String> {
    let all: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let contexts = fleet::select(&all, spec)?;
    let namespaces = namespace.map_or(Namespaces::All, Namespaces::One);
    // Flags from what the lists say (usage, managers, plaintext copies) and certificate expiry
    // (TLS Secrets are read for it, values dropped); a Secret opened from the fleet view gets
    // every flag in its own context.
    let query = Query { certs: true, ..Query::default() };
    let now = Timestamp::now();
    let results = fleet::build_all(kubeconfig, &contexts, &namespaces, &query, now, PARALLEL).await;
    Ok(results
        .into_iter()
        .map(|r| FleetContext { result: r.report.map(|rep| rows(&r.context, &rep)), context: r.context })
        .collect())
}

fn rows(context: &str, report: &Report) -> Vec<FleetRow> {
    report
        .items
        .iter()
        .filter_map(|i| {
            let row = i.row.as_ref()?;
            Some(FleetRow {
                context: context.to_string(),
                namespace: i.namespace.clone(),
                name: i.name.clone(),
                type_: row.type_.clone(),
                keys: row.keys,
                created: row.created,
                used: i.usage.map_or_else(|| "?".to_string(), |u| u.total().to_string()),
                flags: i.flags.clone(),
            })
        })
        .collect()
}

/// Compares `namespace/name` across the contexts `spec` names, by keyed digest.
pub(crate) async fn compare(
    kubeconfig: &kube::config::Kubeconfig,
    spec: &str,
    namespace: &str,
    name: &str,
) -> Result<CompareView, String> {
    let all: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let contexts = fleet::select(&all, spec)?;
    let key = compare::fresh_key()?;
    let sides = compare::read_all(kubeconfig, &contexts, Some(namespace), name, &key, PARALLEL).await;
    let sides: Vec<Side> = sides.into_iter().map(|(_, s)| s).collect();
    let keys = compare::rows(&sides).into_iter().map(|r| {
        let verdict = r.verdict(&sides);
        (r.key, r.groups, verdict)
    });
    Ok(CompareView {
        name: name.to_string(),
        namespace: namespace.to_string(),
        sides: sides
            .iter()
            .map(|s| match s {
                Side::Found { type_, .. } => crate::ui::list::type_label(type_, false),
                Side::Absent => "absent".into(),
                Side::Unread(why) => format!("unread: {why}"),
            })
            .collect(),
        keys: keys.collect(),
        contexts,
    })
}
