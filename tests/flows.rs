//! Flow tests: the app's update function driven with key events against the embedded cluster,
//! asserting on state and on the rendered screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::{App, styled, text};
use crossterm::event::{KeyCode, KeyModifiers};
use k8s_openapi::api::core::v1::Secret as K8sSecret;
use keyhole::app::effect::Scope;
use keyhole::app::state::{Modal, Options, Tab};
use keyhole::ui::Theme;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use ratatui::style::Modifier;

fn admin() -> Options {
    Options::default()
}

#[tokio::test]
async fn the_list_shows_secrets_flags_and_missing_references_but_no_values() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    let screen = app.screen(160, 48).await;
    for want in [
        "mysecret",
        "secret-tls",
        "kubernetes.io/tls",
        "EXPIRED",
        "BROKEN",
        "UNUSED",
        "api-token",
        "MISSING",
        "MISSING (optional)",
    ] {
        assert!(screen.contains(want), "{want} not on screen:\n{screen}");
    }
    let row = screen.lines().find(|l| l.starts_with("mysecret")).unwrap();
    assert!(row.contains("Opaque") && row.contains(" 4 "), "{row}");
    for value in ["1f2d1e2e67df", "admin", "t0p-Secret", "Y4nys7f11"] {
        assert!(!screen.contains(value), "a value ({value}) is on the list screen:\n{screen}");
    }
    // The list came from Table rows: no row holds values, only what inspection kept.
    let inspected = app.driver.state.rows.values().filter(|r| r.inspected.is_some()).count();
    assert!(inspected >= 4, "TLS Secrets and Secrets read by key are inspected ({inspected})");
}

#[tokio::test]
async fn open_reveal_and_mask_again_when_the_selection_moves() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    let d = app.driver.state.detail.as_ref().unwrap();
    assert_eq!(d.keys(), vec!["1badkey", "2alsobad", "password", "username"]);
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("••••••••"), "{screen}");
    assert!(!screen.contains("1f2d1e2e67df"));
    for _ in 0..3 {
        app.press(KeyCode::Char('j')).await;
    }
    app.press(KeyCode::Char('v')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.lines().any(|l| l.contains("│ admin")), "revealed username:\n{screen}");
    app.press(KeyCode::Up).await;
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("admin"), "moving the selection masks again:\n{screen}");
    app.press(KeyCode::Char('V')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("1f2d1e2e67df"), "V reveals all:\n{screen}");
    app.press(KeyCode::Esc).await;
    assert!(app.driver.state.detail.is_none(), "Esc closes the Secret and drops its values");
}

#[tokio::test]
async fn used_by_shows_every_consumer_and_what_needs_a_restart() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.press(KeyCode::Char('2')).await;
    assert_eq!(app.driver.state.detail.as_ref().unwrap().tab, Tab::UsedBy);
    let screen = app.screen(160, 60).await;
    for want in [
        "Pod mypod",
        "volume \"foo\" at /etc/foo (items: username → my-group/my-username)",
        "env SECRET_USERNAME ← username",
        "RESTART NEEDED",
        "couldn't find key api-key in Secret default/mysecret",
        "projected volume",
        "envFrom names: Kubernetes 1.32 and later",
    ] {
        assert!(screen.contains(want), "{want} missing from Used by:\n{screen}");
    }
    assert!(!screen.contains("were skipped"), "1.36 keeps 1badkey and 2alsobad:\n{screen}");
    // Deployments group their Pods.
    app.press(KeyCode::Esc).await;
    app.press(KeyCode::Esc).await;
    app.open("prod-db-secret").await;
    app.press(KeyCode::Char('2')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("Deployment web (2 Pods"), "{screen}");
}

/// The rule envFrom applies to names follows the server's version: the Secret documentation
/// of 1.26 says `1badkey` is skipped; since 1.32 it is kept.
#[tokio::test]
async fn envfrom_names_follow_the_servers_version() {
    let old =
        keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions { minor: 26, ..Default::default() })
            .await
            .unwrap();
    let mut app = App::on(old, "admin", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    let screen = app.screen(160, 48).await;
    assert!(screen.lines().any(|l| l.contains("1badkey") && l.contains("✗env")), "{screen}");
    app.press(KeyCode::Char('2')).await;
    let screen = app.screen(160, 60).await;
    for want in [
        "envFrom names: Kubernetes before 1.32",
        "Keys [1badkey, 2alsobad] from the EnvFrom secret default/mysecret were skipped",
    ] {
        assert!(screen.contains(want), "{want} missing on 1.26:\n{screen}");
    }
    // On the current version they are kept.
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("✗env"), "{screen}");
}

/// `kubectl apply` leaves a copy of the applied manifest in the last-applied annotation, values
/// included (secret-basic-auth's stringData in plaintext, mysecret's data in base64): no screen
/// shows its text. The Details tab names it, collapsed; a value appears only when revealed.
#[tokio::test]
async fn the_last_applied_annotation_never_reaches_the_screen() {
    const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    let leaks = |screen: &str| -> Vec<&'static str> {
        ["t0p-Secret", "dDBwLVNlY3JldA==", "MWYyZDFlMmU2N2Rm", "stringData", "\"apiVersion\"", "{\"", "Y4nys7f11"]
            .into_iter()
            .filter(|leak| screen.contains(leak))
            .collect()
    };
    let screen = app.screen(200, 60).await;
    assert_eq!(leaks(&screen), Vec::<&str>::new(), "the list:\n{screen}");
    for name in ["secret-basic-auth", "mysecret", "prod-db-secret"] {
        app.open(name).await;
        let secret = app.driver.state.detail.as_ref().unwrap().secret.as_ref().unwrap();
        assert!(secret.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(ANNOTATION)), "{name} has it");
        for tab in ['1', '2', '3'] {
            app.press(KeyCode::Char(tab)).await;
            let screen = app.screen(200, 60).await;
            assert_eq!(leaks(&screen), Vec::<&str>::new(), "{name}, tab {tab}:\n{screen}");
            if tab == '3' {
                assert!(screen.contains(ANNOTATION) && screen.contains("collapsed"), "{name}:\n{screen}");
            }
        }
        app.press(KeyCode::Esc).await;
        app.press(KeyCode::Esc).await;
    }
    // Asked for, the values show; the annotation's copy of them still does not.
    app.open("secret-basic-auth").await;
    app.press(KeyCode::Char('V')).await;
    let screen = app.screen(200, 60).await;
    assert!(screen.contains("t0p-Secret"), "V reveals the values:\n{screen}");
    assert!(!screen.contains("stringData") && !screen.contains("\"apiVersion\""), "{screen}");
    app.press(KeyCode::Char('3')).await;
    let screen = app.screen(200, 60).await;
    assert_eq!(leaks(&screen), Vec::<&str>::new(), "Details after revealing:\n{screen}");
}

#[tokio::test]
async fn binary_values_are_a_hex_dump_and_typed_views_explain_certificates() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.open("binary-truststore").await;
    app.press(KeyCode::Char('v')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("00000000  30 82"), "DER starts with a SEQUENCE:\n{screen}");
    app.press(KeyCode::Esc).await;
    app.press(KeyCode::Esc).await;
    app.open("secret-tls").await;
    app.press(KeyCode::Char('3')).await;
    let screen = app.screen(160, 60).await;
    for want in ["CN=example.com", "example.com, www.example.com", "matches the first certificate", "days left"] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    assert!(!screen.contains("PRIVATE KEY"), "the key is never shown in the typed view");
}

#[tokio::test]
async fn redact_never_reveals() {
    let mut app = App::start("admin", None, Options { redact: true, ..Options::default() }).await;
    app.loaded().await;
    app.open("secret-basic-auth").await;
    app.press(KeyCode::Char('V')).await;
    app.press(KeyCode::Char('v')).await;
    for tab in ['1', '2', '3'] {
        app.press(KeyCode::Char(tab)).await;
        let screen = app.screen(160, 48).await;
        assert!(!screen.contains("t0p-Secret"), "tab {tab}:\n{screen}");
        assert!(!screen.contains("admin") || tab == '3', "tab {tab}:\n{screen}");
    }
    app.press(KeyCode::Char('1')).await;
    app.press(KeyCode::Char('v')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("--redact"), "{screen}");
}

#[tokio::test]
async fn the_list_follows_the_cluster_live_and_relists_after_410_invisibly() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    let client = app.server.client("admin").await.unwrap();
    let api: Api<K8sSecret> = Api::namespaced(client, "default");
    let s: K8sSecret =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "fresh"}, "stringData": {"a": "1"}})).unwrap();
    api.create(&PostParams::default(), &s).await.unwrap();
    app.until("fresh appears", |s| s.rows.keys().any(|(_, n)| n == "fresh")).await;
    api.patch("fresh", &PatchParams::default(), &Patch::Merge(serde_json::json!({"stringData": {"b": "2"}})))
        .await
        .unwrap();
    app.until("fresh has two keys", |s| s.rows.iter().any(|((_, n), r)| n == "fresh" && r.keys == 2)).await;
    // Compaction: the next resume gets 410 and the app relists without a banner.
    app.server.store.lock().compact();
    api.delete("fresh", &DeleteParams::default()).await.unwrap();
    app.until("fresh is gone", |s| !s.rows.keys().any(|(_, n)| n == "fresh")).await;
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("Connection lost"), "{screen}");
}

#[tokio::test]
async fn pickers_filter_by_type_switch_namespace_and_toggle_helm() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.press(KeyCode::Char('t')).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Picker(_))));
    app.type_text("tls").await;
    app.press(KeyCode::Enter).await;
    app.driver.state.refresh_if_stale();
    assert!(app.driver.state.list.visible.iter().all(|k| app.driver.state.rows[k].type_ == "kubernetes.io/tls"));
    assert_eq!(app.driver.state.list.visible.len(), 3);
    app.press(KeyCode::Esc).await;
    // Namespace picker: switch to shop, where Helm release records are hidden by default.
    app.press(KeyCode::Char('n')).await;
    app.until("namespaces listed", |s| s.namespaces.contains(&"shop".to_string())).await;
    app.type_text("shop").await;
    app.press(KeyCode::Enter).await;
    app.until("shop is listed", |s| !s.loading && s.rows.keys().all(|(ns, _)| ns == "shop") && !s.rows.is_empty())
        .await;
    assert_eq!(app.driver.state.scope, Scope::One("shop".into()));
    app.until("shop-tls inspected", |s| {
        s.rows.get(&("shop".into(), "shop-tls".into())).is_some_and(|r| r.inspected.is_some())
    })
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("Helm hidden, H shows"), "{screen}");
    assert!(!screen.contains("sh.helm.release"));
    assert!(screen.contains("EXPIRES 11d") || screen.contains("EXPIRES 12d"), "shop-tls expires soon:\n{screen}");
    app.press_with(KeyCode::Char('H'), KeyModifiers::SHIFT).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("sh.helm.release.v1.shop-frontend.v3"), "{screen}");
    // Sorting by usage puts the used Secrets first.
    app.press(KeyCode::Char('s')).await;
    app.press(KeyCode::Char('s')).await;
    app.press(KeyCode::Char('s')).await;
    assert_eq!(app.driver.state.list.sort.label(), "usage");
}

#[tokio::test]
async fn a_user_who_cannot_list_everywhere_falls_back_to_their_namespace() {
    let mut app = App::start("shop-dev", Some(Scope::All), admin()).await;
    app.until("fallen back", |s| s.scope == Scope::One("shop".into()) && !s.loading).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("You may not list Secrets in all namespaces"), "{screen}");
    assert!(screen.contains("shop-db"), "{screen}");
}

#[tokio::test]
async fn permissions_show_in_the_detail_screen() {
    let mut app = App::start("auditor", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("No permission to read values"), "{screen}");
    app.press(KeyCode::Char('2')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("Pod mypod"), "Used by works without reading values:\n{screen}");

    let mut app = App::start("viewer", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.until("access reviewed", |s| s.detail.as_ref().is_some_and(|d| d.can_update.is_some())).await;
    assert!(app.screen(160, 48).await.contains("read-only for you"));
}

#[tokio::test]
async fn context_picker_switches_user() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.press(KeyCode::Char('c')).await;
    app.type_text("team").await;
    app.press(KeyCode::Enter).await;
    app.until("switched", |s| s.context == "keyhole-demo-team" && !s.loading && !s.rows.is_empty()).await;
    assert_eq!(app.driver.state.scope, Scope::One("shop".into()));
    assert!(app.driver.state.rows.keys().all(|(ns, _)| ns == "shop"));
}

#[tokio::test]
async fn help_small_terminals_and_monochrome() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.press(KeyCode::Char('?')).await;
    let screen = app.screen(100, 40).await;
    assert!(screen.contains("Help") && screen.contains("reveal or hide the selected value"), "{screen}");
    app.press(KeyCode::Esc).await;
    let small = app.screen(50, 10).await;
    assert!(small.contains("keyhole needs a larger window"), "{small}");
    // NO_COLOR: the selected row is reverse video, so selection stays visible without colour.
    let buf = app.buffer(80, 24, &Theme::mono()).await;
    let screen = text(&buf);
    let y = screen.lines().position(|l| l.starts_with("app-config-v1")).unwrap() as u16;
    assert!(buf[(0, y)].modifier.contains(Modifier::REVERSED));
    assert!(buf[(0, y + 1)].fg == ratatui::style::Color::Reset);
}

#[tokio::test]
async fn snapshots() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    let mono = Theme::mono();
    insta::assert_snapshot!("list_80x24", text(&app.buffer(80, 24, &mono).await));
    insta::assert_snapshot!("list_160x48", text(&app.buffer(160, 48, &mono).await));
    app.open("mysecret").await;
    insta::assert_snapshot!("detail_data_80x24", text(&app.buffer(80, 24, &mono).await));
    app.press(KeyCode::Char('2')).await;
    insta::assert_snapshot!("detail_used_by_160x48", text(&app.buffer(160, 48, &mono).await));
    app.press(KeyCode::Esc).await;
    app.press(KeyCode::Esc).await;
    app.open("secret-ssh-auth").await;
    app.press(KeyCode::Char('3')).await;
    let details = text(&app.buffer(160, 48, &mono).await);
    // uids and resourceVersions differ per run.
    let stable: String =
        details
            .lines()
            .map(|l| {
                if l.contains("uid") || l.contains("resourceVersion") || l.contains("created") { "<varies>" } else { l }
            })
            .collect::<Vec<_>>()
            .join("\n");
    insta::assert_snapshot!("detail_ssh_details_160x48", stable);
}

/// The list of every namespace at three terminal sizes, with its colours: every column
/// readable at each (names and types whole where the line has room for them).
#[tokio::test]
async fn list_snapshots_at_three_sizes_with_styles() {
    let mut app = App::start("admin", Some(Scope::All), admin()).await;
    app.loaded().await;
    let ansi = Theme::ansi();
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        insta::assert_snapshot!(format!("list_all_{w}x{h}"), styled(&app.buffer(w, h, &ansi).await));
    }
}

/// The columns' rule on the screen itself: a type is never cut (…) while the NAME column is
/// wider than the longest name shown, at any width from 80 to 200.
#[tokio::test]
async fn a_type_is_never_cut_while_the_name_column_has_room() {
    let mut app = App::start("admin", Some(Scope::All), admin()).await;
    app.loaded().await;
    let mono = Theme::mono();
    for w in (80..=200).step_by(5) {
        let screen = text(&app.buffer(w, 30, &mono).await);
        let lines: Vec<&str> = screen.lines().collect();
        let header = lines.iter().position(|l| l.starts_with("NAME ")).expect("a header line");
        let cols: Vec<usize> = ["NAMESPACE", "TYPE", "KEYS"]
            .iter()
            .map(|h| lines[header].find(&format!(" {h} ")).map(|i| i + 1).expect(h))
            .collect();
        let (ns_at, type_at, keys_at) = (cols[0], cols[1], cols[2]);
        let rows: Vec<Vec<char>> =
            lines[header + 1..].iter().take_while(|l| !l.trim().is_empty()).map(|l| l.chars().collect()).collect();
        assert!(!rows.is_empty(), "{screen}");
        let cell = |r: &Vec<char>, from: usize, to: usize| -> String {
            r.get(from..to.min(r.len()))
                .map(|c| c.iter().collect::<String>())
                .unwrap_or_default()
                .trim_end()
                .to_string()
        };
        let longest_name = rows.iter().map(|r| cell(r, 0, ns_at - 1).chars().count()).max().unwrap();
        let name_room = ns_at - 1;
        for r in &rows {
            let type_ = cell(r, type_at, keys_at - 1);
            assert!(
                !(type_.ends_with('…') && longest_name < name_room),
                "at {w} columns the type {type_:?} is cut while NAME has {name_room} columns for names of at most {longest_name}:\n{screen}"
            );
        }
        assert!(longest_name <= name_room, "{screen}");
        assert_eq!(longest_name, name_room, "NAME is as wide as its longest name, no wider, at {w}:\n{screen}");
    }
}

/// The text of every OSC 52 sequence written, decoded.
fn osc52_texts(out: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(out);
    text.split("\x1b]52;c;")
        .skip(1)
        .map(|rest| {
            let b64 = rest.split('\x07').next().unwrap();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn copy_goes_to_the_clipboard_and_redact_refuses() {
    let mut app = App::start("admin", None, admin()).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.driver.state.detail.as_mut().unwrap().selected_key = 3;
    app.press(KeyCode::Char('y')).await;
    // No display in tests: OSC 52, which the executor writes to the terminal.
    assert_eq!(osc52_texts(&app.terminal_output.bytes()), ["admin"]);
    let flash = app.driver.state.flash.clone().unwrap();
    assert!(flash.text.starts_with("username: ") && flash.text.contains("OSC 52"), "{flash:?}");
    assert!(!flash.text.contains("admin"), "the message never holds the value");
    app.press_with(KeyCode::Char('Y'), KeyModifiers::SHIFT).await;
    assert!(osc52_texts(&app.terminal_output.bytes())[1].contains("stringData:"));

    let mut app = App::start("admin", None, Options { redact: true, ..Options::default() }).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.press(KeyCode::Char('y')).await;
    assert!(app.terminal_output.bytes().is_empty(), "nothing reaches the terminal");
    assert!(app.driver.state.flash.as_ref().unwrap().text.contains("--redact"));
}

/// `--redact` on every screen: the list, each tab of several Secrets, the editor, the review,
/// the help. None of the demo data's values may appear anywhere.
#[tokio::test]
async fn redact_shows_no_value_on_any_screen() {
    // Key material: the first base64 line of the demo's TLS and ssh private keys.
    let key_line = |pem: &'static str| pem.lines().nth(1).unwrap_or("")[..24].to_string();
    let tls_key = key_line(include_str!("../assets/pki/example.com.key"));
    let ssh_key = key_line(include_str!("../assets/ssh/id_ed25519"));
    let fixed =
        ["1f2d1e2e67df", "t0p-Secret", "produser", "Y4nys7f11", "iluvtests", "pass113", "kq4gihvszzgn1p0r", "value-2"];
    // Text the typed views take from values: the basic-auth username, the registry, its user
    // and email, the certificate's names, the ssh key's fingerprint and comment, token claims.
    let derived = [
        "my-registry:5000",
        "tiger@acme.com",
        // The certificate's subject and issuer (O=keyhole demo); the hosts are the Ingress's.
        "keyhole demo",
        "MkwmO1WktMezFhfkGph5sg0gLKoJodHTIp",
        "demo@keyhole",
        "system:serviceaccount",
    ];
    let values: Vec<&str> =
        fixed.iter().chain(derived.iter()).copied().chain([tls_key.as_str(), ssh_key.as_str()]).collect();
    let mut app = App::start("admin", None, Options { redact: true, ..Options::default() }).await;
    app.loaded().await;
    let mut screens = vec![app.screen(200, 60).await];
    for name in [
        "mysecret",
        "secret-basic-auth",
        "prod-db-secret",
        "secret-tiger-docker",
        "secret-ssh-auth",
        "secret-tls",
        "dotfile-secret",
        "secret-sa-sample",
        "secret-dockercfg",
    ] {
        app.open(name).await;
        for k in ['V', 'v', 'j', 'v'] {
            let mods = if k.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            app.press_with(KeyCode::Char(k), mods).await;
        }
        for tab in ['1', '2', '3'] {
            app.press(KeyCode::Char(tab)).await;
            screens.push(app.screen(200, 60).await);
        }
        app.press(KeyCode::Char('1')).await;
        app.press(KeyCode::Char('e')).await;
        app.press_with(KeyCode::Char('t'), KeyModifiers::CONTROL).await;
        screens.push(app.screen(200, 60).await);
        app.type_text("x").await;
        app.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
        app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
        app.press(KeyCode::Char('v')).await;
        screens.push(app.screen(200, 60).await);
        app.press(KeyCode::Esc).await;
        app.press(KeyCode::Char('u')).await;
        app.press(KeyCode::Char('y')).await;
        app.press(KeyCode::Esc).await;
    }
    app.press(KeyCode::Char('?')).await;
    screens.push(app.screen(200, 60).await);
    for (i, screen) in screens.iter().enumerate() {
        for v in &values {
            assert!(!screen.contains(v), "screen {i} shows {v:?} under --redact:\n{screen}");
        }
        // Usernames are also Secret names here ("tiger"), so look for them where the views put them.
        for line in screen.lines().filter(|l| l.trim_start().starts_with("username")) {
            assert!(!line.contains("admin") && !line.contains("tiger"), "screen {i} shows a username: {line}");
        }
    }
}

/// The TUI and `keyhole list -o json` decide the flags in one place: over the whole demo, every
/// Secret (and every missing one) gets the same flags from both.
#[tokio::test(flavor = "multi_thread")]
async fn the_tui_and_keyhole_list_give_the_same_flags() {
    let mut app = App::start("admin", Some(Scope::All), admin()).await;
    // A tall screen: every row is on screen, so the TUI inspects what the list inspects.
    app.screen(160, 120).await;
    app.loaded().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, app.server.kubeconfig()).unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(["list", "-A", "-o", "json", "--kubeconfig", kubeconfig.to_str().unwrap()])
        .env("HOME", dir.path())
        .env_remove("KUBECONFIG")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_list: std::collections::BTreeMap<(String, String), Vec<String>> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let key = (i["namespace"].as_str().unwrap().to_string(), i["name"].as_str().unwrap().to_string());
            let flags = i["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            (key, flags)
        })
        .collect();
    let s = &app.driver.state;
    let mut from_tui: std::collections::BTreeMap<(String, String), Vec<String>> = s
        .rows
        .iter()
        .map(|(key, row)| (key.clone(), s.flags(row).iter().map(|f| f.name().to_string()).collect()))
        .collect();
    from_tui.extend(s.missing.iter().map(|(key, m)| (key.clone(), vec![m.flag.name().to_string()])));
    let differ: Vec<_> = from_tui
        .keys()
        .chain(from_list.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| from_tui.get(*k) != from_list.get(*k))
        .map(|k| format!("{}/{}: TUI {:?}, list {:?}", k.0, k.1, from_tui.get(k), from_list.get(k)))
        .collect();
    assert!(differ.is_empty(), "the flags differ:\n{}", differ.join("\n"));
    // The comparison covers every kind of flag the demo has.
    let all: std::collections::BTreeSet<&str> = from_list.values().flatten().map(String::as_str).collect();
    for flag in ["EXPIRED", "EXPIRING", "BROKEN", "UNUSED", "MISSING", "MISSING-OPTIONAL"] {
        assert!(all.contains(flag), "{flag} is not in the demo: {all:?}");
    }
}

/// An exec credential plugin (as EKS, GKE, AKS and kubelogin use) whose token expires while
/// keyhole runs: kube-rs runs the plugin again, and keyhole goes on working.
#[tokio::test(flavor = "multi_thread")]
async fn an_exec_credential_that_expires_is_refreshed() {
    let server = common::demo().await;
    let token = server.users.by_name("admin").unwrap().token.clone();
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("runs");
    let plugin = dir.path().join("credential-plugin");
    // Tokens valid for 62 s: kube-rs takes one within 60 s of its expiry for expired, so every
    // request after the first two seconds asks the plugin again.
    std::fs::write(
        &plugin,
        "#!/bin/sh\necho run >> \"$COUNT_FILE\"\nexp=$(date -u -d '+62 seconds' +%Y-%m-%dT%H:%M:%SZ)\n\
         printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}' \"$TOKEN\" \"$exp\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut kubeconfig = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
    let context = kubeconfig.contexts.iter().find(|c| c.name == "keyhole-demo").unwrap();
    let user = context.context.as_ref().unwrap().user.clone().unwrap();
    let auth = kubeconfig.auth_infos.iter_mut().find(|a| a.name == user).unwrap().auth_info.as_mut().unwrap();
    auth.token = None;
    auth.exec = Some(
        serde_json::from_value(serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": plugin.to_str().unwrap(),
            "env": [{"name": "TOKEN", "value": token}, {"name": "COUNT_FILE", "value": count.to_str().unwrap()}],
            "interactiveMode": "Never",
        }))
        .unwrap(),
    );
    let runs = || std::fs::read_to_string(&count).map(|t| t.lines().count()).unwrap_or(0);
    let mut app = App::with_kubeconfig(server, kubeconfig, "keyhole-demo", None, admin()).await;
    app.loaded().await;
    let before = runs();
    assert!(before >= 1, "the plugin gave the first token");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    app.open("mysecret").await;
    assert!(app.driver.state.detail.as_ref().unwrap().secret.is_some(), "the Secret was read with a fresh token");
    assert!(runs() > before, "the plugin was asked again when its token expired ({} runs)", runs());
}
