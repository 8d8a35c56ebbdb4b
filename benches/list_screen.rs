//! The list screen at cluster scale: the fuzzy filter over 20,000 names (what one keystroke in
//! the filter costs) and drawing the list screen at 200x60 into a ratatui `TestBackend`, with
//! 1,000 and 20,000 rows (drawing must not depend on the number of rows).
//!
//! Run with `cargo bench --bench list_screen`. Targets (issue 7): a keystroke under 2 ms, a draw
//! under 1 ms.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use k8s_openapi::api::core::v1::Pod;
use keyhole::app::State;
use keyhole::app::effect::Scope;
use keyhole::app::filter::NameFilter;
use keyhole::app::state::Options;
use keyhole::list::rows::SecretRow;
use keyhole::refs::{ConsumerKind, Listing, SOURCES, Source, WorkloadResolver, pod_id};
use keyhole::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// The names and types of `keyhole demo-server --scale N`: a tenth Helm records, a tenth TLS,
/// a tenth registries, the rest configuration, over N/100 namespaces.
fn rows(n: usize) -> Vec<SecretRow> {
    let namespaces = (n / 100).max(1);
    let now = jiff::Timestamp::now();
    (0..n)
        .map(|i| {
            let (name, type_, keys) = match i % 10 {
                0 => (format!("sh.helm.release.v1.app-{i:05}.v1"), "helm.sh/release.v1", 1),
                1 => (format!("app-{i:05}-tls"), "kubernetes.io/tls", 2),
                2 => (format!("app-{i:05}-registry"), "kubernetes.io/dockerconfigjson", 1),
                _ => (format!("app-{i:05}-config"), "Opaque", 3),
            };
            SecretRow {
                namespace: format!("scale-{:03}", i % namespaces),
                name,
                type_: type_.to_string(),
                keys,
                created: Some(now - jiff::SignedDuration::from_secs((i as i64 * 7919) % 8_000_000)),
                resource_version: i.to_string(),
                ..Default::default()
            }
        })
        .collect()
}

/// The Pod of the same index in the scale data: env and envFrom from its Secret.
fn pod(row: &SecretRow) -> Pod {
    let pod = serde_json::from_value(json!({
        "metadata": {"name": format!("{}-pod", row.name), "namespace": row.namespace},
        "spec": {"containers": [{"name": "app", "envFrom": [{"secretRef": {"name": row.name}}],
                 "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": row.name, "key": "DB_PASSWORD"}}}]}]},
        "status": {"phase": "Running"}
    }));
    match pod {
        Ok(p) => p,
        Err(e) => panic!("generated Pod: {e}"),
    }
}

/// The app's state after the list and the reference index are loaded, all namespaces.
fn loaded_state(n: usize) -> State {
    let mut state = State::new("bench", vec!["bench".into()], Scope::All, Options::default(), jiff::Timestamp::now());
    let rows = rows(n);
    let resolver = WorkloadResolver::new();
    let mut pods = std::collections::HashSet::new();
    for r in rows.iter().filter(|r| !r.is_helm()) {
        let p = pod(r);
        pods.insert(pod_id(&p));
        state.refs.index.upsert_pod(&p, &resolver);
    }
    // Every kind of consumer listed (none but Pods here).
    for source in SOURCES {
        match source {
            Source::Consumers(ConsumerKind::Pod) => state.refs.synced(ConsumerKind::Pod, &pods),
            Source::Consumers(kind) => state.refs.synced(kind, &Default::default()),
            source => state.refs.listed(source, Listing::NotServed),
        }
    }
    let mut namespaces: Vec<String> = rows.iter().map(|r| r.namespace.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    state.namespaces = namespaces;
    state.rows = rows.into_iter().map(|r| (r.key(), r)).collect::<BTreeMap<_, _>>();
    state.loading = false;
    state.width = 200;
    state.height = 60;
    state.refresh_visible();
    state
}

fn filter(c: &mut Criterion) {
    let names: Vec<String> = rows(20_000).into_iter().map(|r| r.name).collect();
    let mut group = c.benchmark_group("filter");
    // Typing "app-12-conf" one key at a time: each prefix is one keystroke.
    for query in ["a", "app-1", "app-12-conf", "zzz"] {
        group.bench_with_input(BenchmarkId::new("score 20000 names", query), query, |b, q| {
            b.iter(|| {
                let mut f = NameFilter::new(q);
                names.iter().filter(|n| f.score(black_box(n)).is_some()).count()
            })
        });
    }
    group.finish();

    // The whole keystroke in the TUI: the visible rows recomputed (filter and sort).
    let mut state = loaded_state(20_000);
    let mut group = c.benchmark_group("keystroke");
    for query in ["", "a", "app-1", "app-12-conf"] {
        group.bench_with_input(BenchmarkId::new("refresh_view 20000 rows", query), query, |b, q| {
            b.iter(|| {
                state.list.query.clear();
                state.list.query.push_str(q);
                state.refresh_view();
                state.list.visible.len()
            })
        });
    }
    group.finish();

    // A batch of watch events: name order, missing Secrets and the visible rows recomputed.
    let mut group = c.benchmark_group("watch batch");
    group.bench_function("refresh_visible 20000 rows", |b| {
        b.iter(|| {
            state.list.query.clear();
            state.refresh_visible();
            state.list.visible.len()
        })
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let theme = Theme::ansi();
    let mut group = c.benchmark_group("render");
    for n in [1_000, 20_000] {
        let mut state = loaded_state(n);
        let mut terminal = match Terminal::new(TestBackend::new(200, 60)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        // In the middle of the list, where a scrolled view is.
        state.list.selected = state.list.visible.len() / 2;
        group.bench_with_input(BenchmarkId::new("list screen 200x60", n), &n, |b, _| {
            b.iter(|| {
                // Every frame differs from the last: move the selection one row.
                state.list.selected = if state.list.selected.is_multiple_of(2) {
                    state.list.selected + 1
                } else {
                    state.list.selected - 1
                };
                // What the loop does before each frame: keep the selection in view.
                state.settle();
                let drawn = terminal.draw(|f| ui::draw(f, &state, &theme));
                black_box(drawn.is_ok())
            })
        });
        let mut filtered = loaded_state(n);
        filtered.list.query = "app-1".into();
        filtered.refresh_visible();
        group.bench_with_input(BenchmarkId::new("list screen 200x60, filtered 'app-1'", n), &n, |b, _| {
            b.iter(|| {
                filtered.list.selected = (filtered.list.selected + 1) % filtered.list.visible.len().max(1);
                filtered.settle();
                let drawn = terminal.draw(|f| ui::draw(f, &filtered, &theme));
                black_box(drawn.is_ok())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, filter, render);
criterion_main!(benches);
