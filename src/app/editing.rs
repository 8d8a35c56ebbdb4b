//! Editing, creating and deleting Secrets in the update function: the detail screen's edit
//! actions, the value editor, prompts, confirmations, the review-and-apply steps and the
//! conflict screen. Pure like the rest of `update`; the network work is in effects.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::draft::Draft;
use super::editor::{self, Alphabet, Format, LineInput, TextArea};
use super::effect::{Effect, Scope};
use super::msg::Msg;
use super::state::{
    Confirm, ConfirmKind, ConflictView, Detail, Modal, Phase, Picker, PickerKind, Prompt, PromptKind, RegistryForm,
    Review, State, ValueEditor,
};
use crate::cluster::apply::ApplyError;
use crate::keymap::Action;
use crate::secret::{Secret, SecretValue, ValueKind, types};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn writable(state: &mut State) -> bool {
    if state.options.readonly {
        state.flash("keyhole runs with --readonly: nothing can be changed", true);
        return false;
    }
    true
}

/// The draft, started from the opened Secret on the first edit.
fn draft(d: &mut Detail) -> Option<&mut Draft> {
    if d.draft.is_none() {
        let secret = d.secret.as_ref()?;
        d.draft = Some(Draft::edit(secret));
    }
    d.draft.as_mut()
}

fn prompt(kind: PromptKind, title: &str, text: &str, hint: &str) -> Modal {
    Modal::Prompt(Prompt {
        then: None,
        masked: false,
        kind,
        title: title.to_string(),
        input: LineInput::new(text),
        error: None,
        hint: hint.to_string(),
        alphabet: Alphabet::Alphanumeric,
        candidates: Vec::new(),
    })
}

fn open_editor(state: &mut State, key: &str) {
    let Some(d) = state.detail.as_mut() else { return };
    let value = d.shown().and_then(|s| s.get(key)).cloned().unwrap_or_default();
    let format = match value.kind() {
        ValueKind::Binary => Format::Hex,
        _ => Format::Text,
    };
    let mut text = editor::to_format(&value, format).unwrap_or_default();
    let area = TextArea::new(&text);
    zeroize::Zeroize::zeroize(&mut text);
    state.modal =
        Some(Modal::Editor(ValueEditor { key: Some(key.to_string()), area, format, revealed: false, error: None }));
}

const LABELS_HEADER: &str = "# Labels: one key=value per line";
const ANNOTATIONS_HEADER: &str = "# Annotations: one key=value per line";

/// Labels and annotations as editable text (the last-applied annotation is left out: it is
/// kubectl's, and it can hold values).
fn metadata_text(s: &Secret) -> String {
    let mut out = vec![LABELS_HEADER.to_string()];
    for (k, v) in s.metadata.labels.iter().flatten() {
        out.push(format!("{k}={v}"));
    }
    out.push(ANNOTATIONS_HEADER.to_string());
    for (k, v) in s.metadata.annotations.iter().flatten() {
        if k != LAST_APPLIED {
            out.push(format!("{k}={}", v.replace('\n', "\\n")));
        }
    }
    out.join("\n")
}

type Pairs = BTreeMap<String, String>;

fn parse_metadata(text: &str) -> Result<(Pairs, Pairs), String> {
    let (mut labels, mut annotations) = (BTreeMap::new(), BTreeMap::new());
    let mut in_annotations = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("# Annotations") {
            in_annotations = true;
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (k, v) = t.split_once('=').ok_or_else(|| format!("line {}: write key=value", i + 1))?;
        let target = if in_annotations { &mut annotations } else { &mut labels };
        target.insert(k.trim().to_string(), v.trim().replace("\\n", "\n"));
    }
    Ok((labels, annotations))
}

fn open_metadata_editor(state: &mut State) {
    let Some(s) = state.detail.as_ref().and_then(|d| d.shown()) else { return };
    let text = metadata_text(s);
    let area = TextArea::new(&text);
    // Labels and annotations are not secret: shown as typed.
    state.modal =
        Some(Modal::Editor(ValueEditor { key: None, area, format: Format::Text, revealed: true, error: None }));
}

/// Edit actions on the detail screen. Returns false when the action is not an edit action.
pub(super) fn on_detail_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    let edit_actions = [
        Action::Edit,
        Action::AddKey,
        Action::RenameKey,
        Action::DeleteKey,
        Action::LoadFile,
        Action::Generate,
        Action::ToggleImmutable,
        Action::ReviewApply,
        Action::EditMetadata,
        Action::DiscardEdits,
        Action::Clone,
        Action::DeleteSecret,
    ];
    if !edit_actions.contains(&action) {
        return false;
    }
    if !writable(state) {
        return true;
    }
    let Some(d) = state.detail.as_mut() else { return true };
    if d.shown().is_none() {
        state.flash("The Secret has not been read; nothing to edit", true);
        return true;
    }
    let selected = d.selected_key_name().cloned();
    let immutable = d.secret.as_ref().is_some_and(Secret::is_immutable) && d.draft.as_ref().is_none_or(|x| !x.creating);
    let data_edit = matches!(
        action,
        Action::Edit | Action::AddKey | Action::RenameKey | Action::DeleteKey | Action::LoadFile | Action::Generate
    );
    if immutable && data_edit {
        state.flash("This Secret is immutable: its data can never change. Press C to clone it under a new name.", true);
        return true;
    }
    match action {
        Action::Edit => match selected {
            Some(k) => open_editor(state, &k),
            None => state.modal = Some(prompt(PromptKind::AddKey, "New key", "", "letters, digits, '-', '_' or '.'")),
        },
        Action::AddKey => {
            state.modal = Some(prompt(PromptKind::AddKey, "New key", "", "letters, digits, '-', '_' or '.'"))
        }
        Action::EditMetadata => open_metadata_editor(state),
        Action::RenameKey => {
            if let Some(k) = selected {
                state.modal = Some(prompt(PromptKind::RenameKey(k.clone()), &format!("Rename {k} to"), &k, ""));
            }
        }
        Action::DeleteKey => {
            if let Some(k) = selected {
                if let Some(dr) = draft(d) {
                    dr.remove(&k);
                }
                if d.selected_key > 0 && d.selected_key >= d.keys().len() {
                    d.selected_key -= 1;
                }
                state.flash(format!("Deleted key {k} (not applied yet; u undoes every edit)"), false);
            }
        }
        Action::LoadFile => {
            if let Some(k) = selected {
                state.modal = Some(prompt(
                    PromptKind::LoadFile(k.clone()),
                    &format!("Load {k} from file"),
                    "",
                    "Tab completes the path",
                ));
            }
        }
        Action::Generate => {
            if let Some(k) = selected {
                state.modal = Some(prompt(
                    PromptKind::Generate(k.clone()),
                    &format!("Generate a random {k}: length"),
                    "32",
                    "Tab changes the alphabet",
                ));
            }
        }
        Action::ToggleImmutable => {
            let currently = d.shown().is_some_and(Secret::is_immutable);
            if currently {
                state.flash(
                    "Immutable cannot be undone: the API server forbids it. Clone the Secret (C) instead.",
                    true,
                );
            } else {
                state.modal = Some(Modal::Confirm(Confirm {
                    kind: ConfirmKind::MakeImmutable,
                    title: "Make this Secret immutable?".into(),
                    lines: vec![
                        "Its data can never change again, and this cannot be undone:".into(),
                        "only deleting and re-creating the Secret gets rid of it.".into(),
                        "The kubelet stops watching it, so Pods keep the values they have.".into(),
                    ],
                }));
            }
        }
        Action::ReviewApply => {
            if !d.is_dirty() {
                state.flash("Nothing to apply: no changes", false);
            } else {
                state.modal = Some(Modal::Review(Review {
                    phase: Phase::Review,
                    warnings_accepted: false,
                    revealed: false,
                    scroll: 0,
                }));
            }
        }
        Action::DiscardEdits if d.is_dirty() => {
            state.modal = Some(Modal::Confirm(Confirm {
                kind: ConfirmKind::DiscardEdits,
                title: "Undo every edit?".into(),
                lines: vec!["The Secret goes back to the version you opened.".into()],
            }));
        }
        Action::Clone => {
            let name = format!("{}-copy", d.name);
            state.modal = Some(prompt(
                PromptKind::CloneName,
                "Clone into a new Secret named",
                &name,
                "same namespace and type; not immutable",
            ));
        }
        Action::DeleteSecret => {
            let (ns, name) = (d.namespace.clone(), d.name.clone());
            let uid = d.secret.as_ref().and_then(|s| s.metadata.uid.clone());
            let rv = d.secret.as_ref().and_then(|s| s.metadata.resource_version.clone());
            let analysis = state.refs.index.analyze(&ns, &name, &crate::refs::SecretFacts::missing());
            let mut lines = vec![format!("Delete {name} in {ns}? This cannot be undone.")];
            let breaking: Vec<String> = analysis
                .findings
                .iter()
                .filter(|f| f.severity() == crate::refs::Severity::Error)
                .map(|f| {
                    format!(
                        "  • {} {}: {}",
                        f.reference.consumer.id.kind.as_str(),
                        f.reference.consumer.id.name,
                        f.message()
                    )
                })
                .collect();
            if breaking.is_empty() {
                lines.push("No Pod would fail to start without it.".into());
            } else {
                lines.push("These would break:".into());
                lines.extend(breaking);
            }
            state.modal = Some(Modal::Confirm(Confirm {
                kind: ConfirmKind::Delete { uid, resource_version: rv },
                title: format!("Delete {name}?"),
                lines,
            }));
        }
        _ => {}
    }
    let _ = fx;
    true
}

pub(super) fn on_paste(state: &mut State, text: &str) {
    match &mut state.modal {
        Some(Modal::Editor(e)) => e.area.insert_str(text),
        Some(Modal::Prompt(p)) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                p.input.insert(c);
            }
        }
        _ => {}
    }
    state.dirty = true;
}

pub(super) fn on_editor_key(state: &mut State, ev: KeyEvent, action: Option<Action>) {
    let redact = state.options.redact;
    let Some(Modal::Editor(e)) = &mut state.modal else { return };
    match action {
        Some(Action::Cancel) => state.modal = None,
        Some(Action::ToggleReveal) => {
            if redact {
                e.error = Some("Values stay hidden: keyhole runs with --redact".into());
            } else {
                e.revealed = !e.revealed;
            }
        }
        Some(Action::CycleFormat) => {
            let mut text = e.area.text();
            let parsed = editor::from_format(&text, e.format);
            zeroize::Zeroize::zeroize(&mut text);
            match parsed {
                Err(m) => e.error = Some(format!("cannot switch format: the {} is not valid: {m}", e.format.label())),
                Ok(mut bytes) => {
                    let mut next = e.format;
                    let converted = loop {
                        next = match next {
                            Format::Text => Format::Hex,
                            Format::Hex => Format::Base64,
                            Format::Base64 => Format::Text,
                        };
                        if let Some(t) = editor::to_format(&bytes, next) {
                            break t;
                        }
                    };
                    zeroize::Zeroize::zeroize(&mut bytes);
                    e.area = TextArea::new(&converted);
                    e.format = next;
                    e.error = None;
                }
            }
        }
        Some(Action::Save) if e.key.is_none() => {
            let text = e.area.text();
            match parse_metadata(&text) {
                Err(m) => e.error = Some(m),
                Ok((labels, annotations)) => {
                    state.modal = None;
                    if let Some(dr) = state.detail.as_mut().and_then(draft) {
                        dr.work.metadata.labels = (!labels.is_empty()).then_some(labels);
                        let last_applied = dr.work.annotation(LAST_APPLIED).map(str::to_string);
                        let mut annotations = annotations;
                        if let Some(la) = last_applied {
                            annotations.insert(LAST_APPLIED.to_string(), la);
                        }
                        dr.work.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
                    }
                    state.flash("Labels and annotations changed (not applied yet: A reviews and applies)", false);
                }
            }
        }
        Some(Action::Save) => {
            let mut text = e.area.text();
            let parsed = editor::from_format(&text, e.format);
            zeroize::Zeroize::zeroize(&mut text);
            match parsed {
                Err(m) => e.error = Some(format!("not valid {}: {m}", e.format.label())),
                Ok(bytes) => {
                    let key = e.key.clone().unwrap_or_default();
                    state.modal = None;
                    if let Some(d) = state.detail.as_mut() {
                        if let Some(dr) = draft(d) {
                            dr.set(&key, SecretValue::new(bytes));
                        }
                        if let Some(i) = d.keys().iter().position(|k| **k == key) {
                            d.selected_key = i;
                        }
                    }
                    state.flash(format!("{key} changed (not applied yet: A reviews and applies)"), false);
                }
            }
        }
        _ => {
            let a = &mut e.area;
            match ev.code {
                KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => a.insert_char(c),
                KeyCode::Enter => a.newline(),
                KeyCode::Tab => a.insert_char('\t'),
                KeyCode::Backspace => a.backspace(),
                KeyCode::Delete => a.delete(),
                KeyCode::Left => a.left(),
                KeyCode::Right => a.right(),
                KeyCode::Up => a.up(),
                KeyCode::Down => a.down(),
                KeyCode::Home => a.home(),
                KeyCode::End => a.end(),
                _ => {}
            }
            e.error = None;
        }
    }
}

/// Problems with a key name, as the server would say them, plus a duplicate check.
fn key_problems(state: &State, key: &str, except: Option<&str>) -> Option<String> {
    let mut msgs = crate::validate::check_data_key(key);
    let exists = state.detail.as_ref().and_then(|d| d.shown()).is_some_and(|s| s.get(key).is_some());
    if exists && except != Some(key) {
        msgs.push(format!("{key} already exists"));
    }
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

pub(super) fn on_prompt_key(state: &mut State, ev: KeyEvent, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Prompt(p)) = &mut state.modal else { return };
    match action {
        Some(Action::Cancel) => {
            state.modal = None;
            return;
        }
        Some(Action::Complete) => {
            match &p.kind {
                PromptKind::LoadFile(_) => {
                    // Reading a directory listing is local and quick; it is the one I/O here.
                    let (completed, names) = editor::complete_path(&p.input.text);
                    p.input.set(&completed);
                    p.candidates = names.into_iter().take(8).collect();
                }
                PromptKind::Generate(_) => {
                    p.alphabet = p.alphabet.next();
                    p.hint = format!("alphabet: {} (Tab changes it)", p.alphabet.label());
                }
                _ => {}
            }
            return;
        }
        Some(Action::Accept) => {
            let kind = p.kind.clone();
            let text = p.input.text.trim().to_string();
            let alphabet = p.alphabet;
            accept_prompt(state, kind, text, alphabet, fx);
            return;
        }
        _ => match ev.code {
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => p.input.insert(c),
            KeyCode::Backspace => p.input.backspace(),
            KeyCode::Left => p.input.left(),
            KeyCode::Right => p.input.right(),
            _ => {}
        },
    }
    // Check key names as they are typed.
    let (kind, text) = (p.kind.clone(), p.input.text.clone());
    let error = match &kind {
        PromptKind::AddKey => key_problems(state, &text, None),
        PromptKind::RenameKey(old) => key_problems(state, &text, Some(old)),
        _ => None,
    };
    if let Some(Modal::Prompt(p)) = &mut state.modal {
        p.error = if text.is_empty() { None } else { error };
    }
}

fn set_prompt_error(state: &mut State, error: String) {
    if let Some(Modal::Prompt(p)) = &mut state.modal {
        p.error = Some(error);
    }
}

fn accept_prompt(state: &mut State, kind: PromptKind, text: String, alphabet: Alphabet, fx: &mut Vec<Effect>) {
    match kind {
        PromptKind::AddKey | PromptKind::RenameKey(_) => {
            let except = if let PromptKind::RenameKey(old) = &kind { Some(old.as_str()) } else { None };
            if let Some(e) =
                key_problems(state, &text, except).or_else(|| text.is_empty().then(|| "a key name is required".into()))
            {
                set_prompt_error(state, e);
                return;
            }
            state.modal = None;
            let Some(d) = state.detail.as_mut() else { return };
            let Some(dr) = draft(d) else { return };
            match &kind {
                PromptKind::RenameKey(old) => {
                    dr.rename(old, &text);
                    state.flash(format!("Renamed {old} to {text} (not applied yet)"), false);
                }
                _ => {
                    dr.set(&text, SecretValue::default());
                    open_editor(state, &text);
                }
            }
            if let Some(d) = state.detail.as_mut()
                && let Some(i) = d.keys().iter().position(|k| **k == text)
            {
                d.selected_key = i;
            }
        }
        PromptKind::LoadFile(key) => {
            if text.is_empty() {
                set_prompt_error(state, "a path is required".into());
                return;
            }
            let then = match &state.modal {
                Some(Modal::Prompt(p)) => p.then.clone(),
                _ => None,
            };
            state.modal = None;
            fx.push(Effect::ReadFile { path: text, key });
            if let Some(PromptKind::LoadFile(next)) = then {
                state.modal = Some(prompt(
                    PromptKind::LoadFile(next.clone()),
                    &format!("Load {next} from file"),
                    "",
                    "Tab completes the path; Esc skips",
                ));
            }
        }
        PromptKind::Registry(mut form) => {
            let step = form.step;
            if step < 3 && text.is_empty() {
                set_prompt_error(state, "required (Esc leaves the template as it is)".into());
                return;
            }
            match step {
                0 => form.server = text,
                1 => form.username = text,
                2 => *form.password = text,
                _ => {
                    let json = docker_config(&form, &text);
                    state.modal = None;
                    if let Some(dr) = state.detail.as_mut().and_then(draft) {
                        dr.set(crate::secret::views::docker::CONFIG_JSON_KEY, SecretValue::from(json.as_str()));
                    }
                    state.flash(
                        format!("Registry credentials for {} set, with auth (not applied yet)", form.server),
                        false,
                    );
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
        PromptKind::Generate(key) => {
            let Ok(len) = text.parse::<usize>() else {
                set_prompt_error(state, "the length is a number, such as 32".into());
                return;
            };
            if !(1..=4096).contains(&len) {
                set_prompt_error(state, "choose a length between 1 and 4096".into());
                return;
            }
            state.modal = None;
            if let Some(dr) = state.detail.as_mut().and_then(draft) {
                let mut value = editor::generate(len, alphabet);
                dr.set(&key, SecretValue::from(value.as_str()));
                zeroize::Zeroize::zeroize(&mut value);
            }
            state.flash(format!("Generated {len} random {} for {key} (not applied yet)", alphabet.label()), false);
        }
        PromptKind::NewType => {
            if text.is_empty() {
                set_prompt_error(state, "a type is required, such as example.com/api-key".into());
                return;
            }
            new_secret_name(state, text);
        }
        PromptKind::NewName(type_) => {
            let (ns, name) = match (text.split_once('/'), &state.scope) {
                (Some((ns, n)), _) => (ns.to_string(), n.to_string()),
                (None, Scope::One(ns)) => (ns.clone(), text.clone()),
                (None, Scope::All) => {
                    set_prompt_error(state, "showing all namespaces: write namespace/name".into());
                    return;
                }
            };
            let secret = template(&type_, &ns, &name, state.now);
            if let Some(e) = name_problem(&secret) {
                set_prompt_error(state, e);
                return;
            }
            state.modal = None;
            let mut d = Detail::new(&ns, &name);
            d.draft = Some(Draft::create(secret));
            d.can_update = Some(true);
            state.detail = Some(d);
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
            if let Some(e) = name_problem(&secret) {
                set_prompt_error(state, e);
                return;
            }
            state.modal = None;
            let mut d = Detail::new(secret.namespace(), &text);
            d.draft = Some(Draft::create(secret));
            d.can_update = Some(true);
            state.detail = Some(d);
            state.flash(format!("A copy named {text}: not created until you apply (A)"), false);
        }
    }
}

/// `.dockerconfigjson` as `kubectl create secret docker-registry` writes it.
fn docker_config(form: &RegistryForm, email: &str) -> zeroize::Zeroizing<String> {
    use base64::Engine as _;
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", form.username, form.password.as_str()));
    let mut entry = serde_json::json!({"username": form.username, "password": form.password.as_str(), "auth": auth});
    if !email.is_empty() {
        entry["email"] = serde_json::Value::String(email.to_string());
    }
    let mut auths = serde_json::Map::new();
    auths.insert(form.server.clone(), entry);
    zeroize::Zeroizing::new(serde_json::json!({"auths": auths}).to_string())
}

fn name_problem(secret: &Secret) -> Option<String> {
    crate::validate::validate_create(secret)
        .into_iter()
        .find(|e| e.field.starts_with("metadata.name") || e.field.starts_with("metadata.namespace"))
        .map(|e| e.to_string())
}

pub(super) fn on_confirm_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Confirm(c)) = &state.modal else { return };
    let kind = c.kind.clone();
    match action {
        Some(Action::No) => state.modal = None,
        Some(Action::Yes) => {
            state.modal = None;
            match kind {
                ConfirmKind::DiscardAndClose { quit } => {
                    state.detail = None;
                    if quit {
                        state.quit = true;
                        fx.push(Effect::Quit);
                    }
                }
                ConfirmKind::DiscardEdits => {
                    if let Some(d) = state.detail.as_mut() {
                        if d.draft.as_ref().is_some_and(|x| x.creating) {
                            state.detail = None;
                        } else {
                            d.draft = None;
                            d.selected_key = 0;
                        }
                    }
                    state.flash("Edits undone", false);
                }
                ConfirmKind::MakeImmutable => {
                    if let Some(dr) = state.detail.as_mut().and_then(draft) {
                        dr.work.immutable = Some(true);
                    }
                    state.flash("Marked immutable (not applied yet: A reviews and applies)", false);
                }
                ConfirmKind::Delete { uid, resource_version } => {
                    if let Some(d) = &state.detail {
                        fx.push(Effect::Delete {
                            namespace: d.namespace.clone(),
                            name: d.name.clone(),
                            uid,
                            resource_version,
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

fn write_effect(d: &Detail, dry_run: bool) -> Option<Effect> {
    let dr = d.draft.as_ref()?;
    let mut secret = dr.work.clone();
    // The precondition: the resourceVersion of the version the user opened (or rebased onto).
    secret.metadata.resource_version = dr.base.metadata.resource_version.clone();
    let secret = Box::new(secret);
    Some(if dry_run {
        Effect::DryRun { secret, creating: dr.creating }
    } else {
        Effect::Apply { secret, creating: dr.creating }
    })
}

pub(super) fn on_review_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let redact = state.options.redact;
    let now = state.now;
    let Some(d) = state.detail.as_ref() else {
        state.modal = None;
        return;
    };
    let (errors, warnings) = match &d.draft {
        Some(dr) => (dr.errors(), dr.new_warnings(now)),
        None => (Vec::new(), Vec::new()),
    };
    let effect_dry = write_effect(d, true);
    let effect_apply = write_effect(d, false);
    let Some(Modal::Review(r)) = &mut state.modal else { return };
    match action {
        Some(Action::Back) => state.modal = None,
        Some(Action::Up) => r.scroll = r.scroll.saturating_sub(1),
        Some(Action::Down) => r.scroll = r.scroll.saturating_add(1),
        Some(Action::Reveal) => {
            if redact {
                state.flash("Values stay hidden: keyhole runs with --redact", true);
            } else {
                r.revealed = !r.revealed;
            }
        }
        Some(Action::Yes) => r.warnings_accepted = true,
        Some(Action::Accept) => match r.phase.clone() {
            Phase::Review | Phase::Failed { retry_apply: false, .. } => {
                if !errors.is_empty() {
                    state.flash("Fix the errors first: the API server would reject this", true);
                } else if !warnings.is_empty() && !r.warnings_accepted {
                    state.flash("There are warnings: press y to accept them, then Enter", true);
                } else if let Some(e) = effect_dry {
                    r.phase = Phase::DryRunning;
                    fx.push(e);
                }
            }
            Phase::DryRunOk { .. } | Phase::Failed { retry_apply: true, .. } => {
                if let Some(e) = effect_apply {
                    r.phase = Phase::Applying;
                    fx.push(e);
                }
            }
            Phase::DryRunning | Phase::Applying => {}
        },
        _ => {}
    }
}

pub(super) fn on_conflict_key(state: &mut State, action: Option<Action>) {
    let Some(Modal::Conflict(c)) = &mut state.modal else { return };
    match action {
        Some(Action::Back) => state.modal = None,
        Some(Action::Up) => c.selected = c.selected.saturating_sub(1),
        Some(Action::Down) => c.selected = (c.selected + 1).min(c.conflicts.len().saturating_sub(1)),
        Some(Action::ToggleChoice) => {
            if let Some(x) = c.conflicts.get_mut(c.selected) {
                x.take_theirs = !x.take_theirs;
            }
        }
        Some(Action::Accept) => {
            let Some(Modal::Conflict(view)) = state.modal.take() else { return };
            if let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) {
                dr.rebase(view.server, &view.conflicts);
            }
            state.modal = Some(Modal::Review(Review {
                phase: Phase::Review,
                warnings_accepted: false,
                revealed: false,
                scroll: 0,
            }));
            state.flash("Rebased onto the server's version: review and apply again", false);
        }
        _ => {}
    }
}

fn review_failed(state: &mut State, e: &ApplyError, retry_apply: bool) {
    let causes = match e {
        ApplyError::Invalid { causes, .. } => causes.clone(),
        _ => Vec::new(),
    };
    let phase = Phase::Failed { message: e.describe(), causes, retry_apply };
    match &mut state.modal {
        Some(Modal::Review(r)) => r.phase = phase,
        _ => state.modal = Some(Modal::Review(Review { phase, warnings_accepted: true, revealed: false, scroll: 0 })),
    }
}

/// Results of the edit effects.
pub(super) fn on_msg(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::DryRunDone(result) => match result {
            Ok(warnings) => {
                if let Some(Modal::Review(r)) = &mut state.modal {
                    r.phase = Phase::DryRunOk { warnings };
                }
            }
            Err(ApplyError::Conflict(_)) => fetch_latest(state, fx),
            Err(e) => review_failed(state, &e, false),
        },
        Msg::Applied(result) => match result {
            Ok(secret) => {
                let name = secret.name().to_string();
                let rv = secret.metadata.resource_version.clone().unwrap_or_default();
                if let Some(d) = state.detail.as_mut() {
                    let created = d.draft.as_ref().is_some_and(|x| x.creating);
                    d.draft = None;
                    d.revealed.clear();
                    d.secret = Some(*secret);
                    d.error = None;
                    state.flash(
                        if created {
                            format!("Created {name}")
                        } else {
                            format!("Applied: {name} is now at resourceVersion {rv}")
                        },
                        false,
                    );
                }
                if matches!(state.modal, Some(Modal::Review(_))) {
                    state.modal = None;
                }
            }
            Err(ApplyError::Conflict(_)) => fetch_latest(state, fx),
            Err(e) => review_failed(state, &e, true),
        },
        Msg::Latest(result) => match result {
            Ok(server) => {
                let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) else { return };
                let conflicts = dr.conflicts(&server);
                if conflicts.is_empty() {
                    // Only metadata moved on: rebase silently and review again.
                    dr.rebase(*server, &[]);
                    state.modal = Some(Modal::Review(Review {
                        phase: Phase::Review,
                        warnings_accepted: false,
                        revealed: false,
                        scroll: 0,
                    }));
                    state.flash(
                        "The Secret changed on the server (not its data): rebased; review and apply again",
                        false,
                    );
                } else {
                    state.modal = Some(Modal::Conflict(ConflictView { server: *server, conflicts, selected: 0 }));
                }
            }
            Err(e) => {
                let message = super::update::open_error_text(&e);
                review_failed(state, &ApplyError::Server { code: 409, message }, false);
            }
        },
        Msg::Deleted { namespace, name, result } => match result {
            Ok(()) => {
                if state.detail.as_ref().is_some_and(|d| d.namespace == namespace && d.name == name) {
                    state.detail = None;
                }
                state.flash(format!("Deleted {name}"), false);
            }
            Err(e) => state.flash(e.describe(), true),
        },
        Msg::FileRead { key, path, result } => match result {
            Ok(bytes) => {
                let n = bytes.len();
                if let Some(dr) = state.detail.as_mut().and_then(draft) {
                    dr.set(&key, SecretValue::new(bytes));
                }
                state.flash(
                    format!("Loaded {} from {path} into {key} (not applied yet)", crate::format::bytes(n)),
                    false,
                );
            }
            Err(e) => state.flash(format!("Cannot read {path}: {e}"), true),
        },
        _ => {}
    }
    state.dirty = true;
}

fn fetch_latest(state: &mut State, fx: &mut Vec<Effect>) {
    if let Some(d) = &state.detail {
        fx.push(Effect::FetchLatest { namespace: d.namespace.clone(), name: d.name.clone() });
    }
}

/// The types offered for a new Secret.
pub(super) fn new_secret_picker() -> Picker {
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

/// After the type is chosen: the name prompt (with the token id in the name for bootstrap).
pub(super) fn new_secret_name(state: &mut State, type_: String) {
    if type_ == "custom" {
        state.modal = Some(prompt(
            PromptKind::NewType,
            "Type of the new Secret",
            "",
            "by convention domain/name; it cannot change later",
        ));
        return;
    }
    let suggested = if type_ == types::BOOTSTRAP_TOKEN {
        format!("bootstrap-token-{}", editor::generate(6, Alphabet::Hex))
    } else {
        String::new()
    };
    let hint = match &state.scope {
        Scope::One(ns) => format!("in namespace {ns}; or write namespace/name"),
        Scope::All => "write namespace/name".to_string(),
    };
    let text = if type_ == types::BOOTSTRAP_TOKEN && state.scope == Scope::All {
        format!("kube-system/{suggested}")
    } else {
        suggested
    };
    state.modal =
        Some(prompt(PromptKind::NewName(type_.clone()), &format!("Name of the new {type_} Secret"), &text, &hint));
}

/// The starting point for each built-in type: its required keys, as in the Kubernetes
/// documentation's examples (values empty for the user to fill in).
pub fn template(type_: &str, namespace: &str, name: &str, now: Timestamp) -> Secret {
    let mut s = Secret::new(namespace, name, type_);
    let mut data: BTreeMap<String, SecretValue> = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        data.insert(k.to_string(), SecretValue::from(v));
    };
    match type_ {
        types::OPAQUE => {
            put("username", "");
            put("password", "");
        }
        types::BASIC_AUTH => {
            put("username", "");
            put("password", "");
        }
        types::SSH_AUTH => put("ssh-privatekey", ""),
        types::TLS => {
            put("tls.crt", "");
            put("tls.key", "");
        }
        types::DOCKER_CONFIG_JSON => put(
            ".dockerconfigjson",
            "{\"auths\":{\"registry.example.com\":{\"username\":\"\",\"password\":\"\",\"email\":\"\",\"auth\":\"\"}}}",
        ),
        types::DOCKERCFG => put(
            ".dockercfg",
            "{\"registry.example.com\":{\"username\":\"\",\"password\":\"\",\"email\":\"\",\"auth\":\"\"}}",
        ),
        types::SERVICE_ACCOUNT_TOKEN => {
            s.metadata.annotations =
                Some([("kubernetes.io/service-account.name".to_string(), "default".to_string())].into_iter().collect());
        }
        types::BOOTSTRAP_TOKEN => {
            let id = name.strip_prefix("bootstrap-token-").unwrap_or("abcdef").to_string();
            let expiration = crate::format::rfc3339(now + jiff::SignedDuration::from_hours(24));
            put("token-id", &id);
            let mut secret = editor::generate(16, Alphabet::Hex);
            put("token-secret", &secret);
            zeroize::Zeroize::zeroize(&mut secret);
            put("expiration", &expiration);
            put("usage-bootstrap-authentication", "true");
            put("usage-bootstrap-signing", "true");
            put("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token");
        }
        _ => {}
    }
    if !data.is_empty() {
        s.data = Some(data);
    }
    s
}
