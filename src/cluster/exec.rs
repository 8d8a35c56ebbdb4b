//! Exec credential plugins that may ask the user something (a device code, SSO, MFA), while
//! the TUI holds the terminal. kube-rs runs a kubeconfig's plugin itself, in the middle of a
//! request, with the terminal as its stdin and stderr; under the TUI its prompt would land in
//! the drawn screen and race the TUI for the keyboard. So for the TUI each such plugin is run
//! through `keyhole exec-credential -- PLUGIN ARGS`, which asks the running keyhole for the
//! terminal over a private Unix socket (`terminal::lend`), runs the plugin with it, and gives
//! it back. Plugins marked `interactiveMode: Never` are left as they are: they never prompt.

use std::path::Path;

use kube::config::{ExecInteractiveMode, Kubeconfig};

/// The environment variable that tells `keyhole exec-credential` where the TUI's socket is.
pub const SOCKET_ENV: &str = "KEYHOLE_TERMINAL";

/// Points every exec credential plugin of `kubeconfig` that may prompt at
/// `<keyhole> exec-credential -- <plugin> <args>`, with [`SOCKET_ENV`] naming `socket`. The
/// plugin's own environment entries, API version and settings stay as they are.
pub fn route_through(kubeconfig: &mut Kubeconfig, keyhole: &Path, socket: &Path) {
    for named in &mut kubeconfig.auth_infos {
        let Some(exec) = named.auth_info.as_mut().and_then(|a| a.exec.as_mut()) else { continue };
        if matches!(exec.interactive_mode, Some(ExecInteractiveMode::Never)) {
            continue;
        }
        let Some(command) = exec.command.take() else { continue };
        let mut args = vec!["exec-credential".to_string(), "--".to_string(), command];
        args.extend(exec.args.take().unwrap_or_default());
        exec.command = Some(keyhole.to_string_lossy().into_owned());
        exec.args = Some(args);
        let entry = [("name".to_string(), SOCKET_ENV.to_string()), ("value".to_string(), socket.display().to_string())];
        exec.env.get_or_insert_with(Vec::new).push(entry.into_iter().collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(interactive: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(&format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n      args: [eks, get-token]\n      env: [{{name: AWS_PROFILE, value: prod}}]\n{interactive}- name: t\n  user:\n    token: abc\n"
        ))
        .unwrap()
    }

    #[test]
    fn a_plugin_that_may_prompt_runs_through_keyhole_with_its_arguments_and_environment() {
        let mut k = config("");
        route_through(&mut k, Path::new("/bin/keyhole"), Path::new("/run/k/terminal.sock"));
        let exec = k.auth_infos[0].auth_info.as_ref().unwrap().exec.as_ref().unwrap();
        assert_eq!(exec.command.as_deref(), Some("/bin/keyhole"));
        assert_eq!(exec.args.as_deref().unwrap(), ["exec-credential", "--", "aws", "eks", "get-token"]);
        let env = exec.env.as_ref().unwrap();
        assert_eq!(env[0]["name"], "AWS_PROFILE");
        assert_eq!(env[1]["name"], SOCKET_ENV);
        assert_eq!(env[1]["value"], "/run/k/terminal.sock");
        assert!(k.auth_infos[1].auth_info.as_ref().unwrap().exec.is_none(), "a user without a plugin is untouched");
    }

    #[test]
    fn a_plugin_that_never_prompts_is_left_alone() {
        let mut k = config("      interactiveMode: Never\n");
        route_through(&mut k, Path::new("/bin/keyhole"), Path::new("/run/k/terminal.sock"));
        let exec = k.auth_infos[0].auth_info.as_ref().unwrap().exec.as_ref().unwrap();
        assert_eq!(exec.command.as_deref(), Some("aws"));
    }
}
