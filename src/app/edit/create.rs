//! New Secrets: the type picker, the name prompt (a random id for bootstrap tokens), kubectl's
//! generators (docker-registry fields with `auth`, TLS files), and clones.

use super::prompts::set_error;
use super::{LAST_APPLIED, draft, prompt};
use crate::app::draft::Draft;
use crate::app::editor::Alphabet;
use crate::app::effect::{Effect, RandomFor, Scope, Target};
use crate::app::state::{Modal, Picker, PickerKind, PromptKind, RegistryForm, State};
use crate::secret::templates::template;
use crate::secret::views::docker;
use crate::secret::{Secret, SecretValue, types};

/// The types offered for a new Secret.
pub(in crate::app) fn type_picker() -> Picker {
    let items = [
        (types::OPAQUE, "Opaque: any keys and values"),
        (types::BASIC_AUTH, "kubernetes.io/basic-auth: username and password"),
        (types::SSH_AUTH, "kubernetes.io/ssh-auth: ssh-privatekey"),
        (types::TLS, "kubernetes.io/tls: tls.crt and tls.key (load them with f)"),
        (types::DOCKER_CONFIG_JSON, "kubernetes.io/dockerconfigjson: registry credentials"),
        (types::DOCKERCFG, "kubernetes.io/dockercfg: legacy registry credentials"),
        (types::SERVICE_ACCOUNT_TOKEN, "kubernetes.io/service-account-token: a long-lived token"),
        (types::BOOTSTRAP_TOKEN, "bootstrap.kubernetes.io/token: a node bootstrap token"),
        ("custom", "a custom type: you name it (for example example.com/api-key)"),
    ];
    Picker {
        kind: PickerKind::NewSecret,
        title: "New Secret: choose a type".into(),
        items: items.iter().map(|(t, l)| (Some(t.to_string()), l.to_string())).collect(),
        selected: 0,
        query: String::new(),
    }
}

/// After the type is chosen: the name prompt. A bootstrap token's name carries a random id,
/// which arrives as `Msg::Random` and is filled in if the prompt is still empty.
pub(in crate::app) fn chosen_type(state: &mut State, type_: String, fx: &mut Vec<Effect>) {
    if type_ == "custom" {
        state.modal = Some(prompt(
            PromptKind::NewType,
            "Type of the new Secret",
            "",
            "by convention domain/name; it cannot change later",
        ));
        return;
    }
    if type_ == types::BOOTSTRAP_TOKEN {
        fx.push(Effect::Random { len: 6, alphabet: Alphabet::Hex, target: RandomFor::BootstrapName });
    }
    let hint = match &state.scope {
        Scope::One(ns) => format!("in namespace {ns}; or write namespace/name"),
        Scope::All => "write namespace/name".to_string(),
    };
    state.modal =
        Some(prompt(PromptKind::NewName(type_.clone()), &format!("Name of the new {type_} Secret"), "", &hint));
}

/// The random token id for the name prompt of a new bootstrap token.
pub(super) fn on_bootstrap_id(state: &mut State, id: &str) {
    let all = state.scope == Scope::All;
    if let Some(Modal::Prompt(p)) = &mut state.modal
        && p.kind == PromptKind::NewName(types::BOOTSTRAP_TOKEN.to_string())
        && p.input.text.is_empty()
    {
        let name = format!("bootstrap-token-{id}");
        p.input.set(&if all { format!("kube-system/{name}") } else { name });
    }
}

fn name_problem(secret: &Secret) -> Option<String> {
    crate::validate::validate_create(secret)
        .into_iter()
        .find(|e| e.field.starts_with("metadata.name") || e.field.starts_with("metadata.namespace"))
        .map(|e| e.to_string())
}

/// Starts editing a Secret that does not exist yet; returns the new session's target.
fn open_new(state: &mut State, secret: Secret) -> Target {
    let d = state.open_detail(secret.namespace(), secret.name());
    d.drafts += 1;
    d.draft = Some(Draft::create(secret, d.drafts));
    d.can_update = Some(true);
    d.target()
}

pub(super) fn accept(state: &mut State, kind: PromptKind, text: String, fx: &mut Vec<Effect>) {
    match kind {
        PromptKind::Registry(form) => registry_step(state, form, text),
        PromptKind::NewType => {
            if text.is_empty() {
                set_error(state, "a type is required, such as example.com/api-key".into());
                return;
            }
            chosen_type(state, text, fx);
        }
        PromptKind::NewName(type_) => {
            let (ns, name) = match (text.split_once('/'), &state.scope) {
                (Some((ns, n)), _) => (ns.to_string(), n.to_string()),
                (None, Scope::One(ns)) => (ns.clone(), text.clone()),
                (None, Scope::All) => {
                    set_error(state, "showing all namespaces: write namespace/name".into());
                    return;
                }
            };
            let secret = template(&type_, &ns, &name, state.now);
            if let Some(e) = name_problem(&secret) {
                set_error(state, e);
                return;
            }
            state.modal = None;
            let target = open_new(state, secret);
            state.flash("A new Secret: edit its values (e), then apply (A)", false);
            // kubectl's generators: registry credentials and TLS files, asked for at once.
            if type_ == types::DOCKER_CONFIG_JSON {
                state.modal = Some(prompt(
                    PromptKind::Registry(RegistryForm::default()),
                    "Registry server",
                    "",
                    "e.g. my-registry.example:5000; Esc keeps the template",
                ));
            } else if type_ == types::TLS {
                state.modal = Some(prompt(
                    PromptKind::LoadFile("tls.crt".into()),
                    "Load tls.crt from file",
                    "",
                    "Tab completes the path; Esc skips",
                ));
                if let Some(Modal::Prompt(p)) = &mut state.modal {
                    p.then = Some(PromptKind::LoadFile("tls.key".into()));
                }
            } else if type_ == types::BOOTSTRAP_TOKEN {
                fx.push(Effect::Random {
                    len: 16,
                    alphabet: Alphabet::Hex,
                    target: RandomFor::BootstrapSecret(target),
                });
            }
        }
        PromptKind::CloneName => {
            let Some(source) = state.detail.as_ref().and_then(|d| d.shown()).cloned() else { return };
            let mut secret = Secret::new(source.namespace(), &text, source.effective_type());
            secret.data = source.data.clone();
            secret.metadata.labels = source.metadata.labels.clone();
            secret.metadata.annotations = source.metadata.annotations.clone().map(|mut a| {
                a.remove(LAST_APPLIED);
                a
            });
            // A copy is nobody's: without the marks its managers know their Secrets by.
            let stripped = crate::owners::marks::strip_for_copy(
                source.effective_type(),
                &mut secret.metadata.labels,
                &mut secret.metadata.annotations,
            );
            if let Some(e) = name_problem(&secret) {
                set_error(state, e);
                return;
            }
            let edited = state.detail.as_ref().is_some_and(|d| d.is_dirty());
            state.modal = None;
            open_new(state, secret);
            let with = if edited { " with your unapplied edits" } else { "" };
            let without = if stripped.is_empty() {
                String::new()
            } else {
                format!(", without its managers' marks ({})", stripped.join(", "))
            };
            state.flash(format!("A copy named {text}{with}{without}: not created until you apply (A)"), false);
        }
        PromptKind::AddKey
        | PromptKind::RenameKey(_)
        | PromptKind::LoadFile(_)
        | PromptKind::Generate(_)
        | PromptKind::Rotate(_)
        | PromptKind::RotateRegistry { .. }
        | PromptKind::OpenName => {}
    }
}

/// kubectl's docker-registry generator, one field at a time: server, username, password,
/// email; `.dockerconfigjson` is built with `auth` after the last one.
fn registry_step(state: &mut State, mut form: RegistryForm, text: String) {
    if form.step < 3 && text.is_empty() {
        set_error(state, "required (Esc leaves the template as it is)".into());
        return;
    }
    match form.step {
        0 => form.server = text,
        1 => form.username = text,
        2 => *form.password = text,
        _ => {
            let json = docker::config_json(&form.server, &form.username, &form.password, &text);
            state.modal = None;
            if let Some(dr) = state.detail.as_mut().and_then(draft) {
                dr.set(docker::CONFIG_JSON_KEY, SecretValue::from(json.as_str()));
            }
            let server = if state.options.redact { "the registry" } else { form.server.as_str() };
            state.flash(format!("Registry credentials for {server} set, with auth (not applied yet)"), false);
            return;
        }
    }
    form.step += 1;
    let (title, hint) = match form.step {
        1 => ("Registry username", "as for docker login"),
        2 => ("Registry password", "hidden as you type"),
        _ => ("Registry email (optional)", "Enter leaves it empty"),
    };
    let masked = form.step == 2;
    state.modal = Some(prompt(PromptKind::Registry(form), title, "", hint));
    if let Some(Modal::Prompt(p)) = &mut state.modal {
        p.masked = masked;
    }
}
