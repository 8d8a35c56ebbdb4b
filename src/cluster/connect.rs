//! Connecting like kubectl: `--kubeconfig`, `KUBECONFIG`, `~/.kube/config`, `--context`; exec
//! credential plugins run here, before the terminal is taken over. Every failure becomes one
//! paragraph that names the cause and the fix.

use std::path::Path;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// How long to wait for a cluster to answer before saying so.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub(crate) const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Clone)]
pub struct Connected {
    pub client: kube::Client,
    pub context: String,
    pub contexts: Vec<String>,
    /// The context's namespace (or `default`).
    pub namespace: String,
    pub server: String,
    pub version: String,
    /// The kubeconfig, kept to switch contexts without reading files again.
    pub kubeconfig: Kubeconfig,
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("context", &self.context)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// Why keyhole could not connect, as a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

fn load_kubeconfig(path: Option<&Path>) -> Result<Kubeconfig, ConnectError> {
    match path {
        Some(p) => Kubeconfig::read_from(p).map_err(|e| {
            ConnectError(format!(
                "Cannot read the kubeconfig {}: {e}. Check the path given to --kubeconfig.",
                p.display()
            ))
        }),
        None => Kubeconfig::read().map_err(|e| {
            let where_ = match std::env::var("KUBECONFIG") {
                Ok(v) if !v.is_empty() => format!("$KUBECONFIG ({v})"),
                _ => "~/.kube/config".to_string(),
            };
            ConnectError(format!(
                "No usable kubeconfig: keyhole looked at {where_}, as kubectl does, and got: {e}. \
                 Point --kubeconfig or KUBECONFIG at a kubeconfig file, or try keyhole without a cluster: keyhole --demo"
            ))
        }),
    }
}

/// Loads the kubeconfig, picks the context, builds a client and makes one request, so that a
/// wrong address, a TLS problem or bad credentials are reported before the UI starts.
pub(crate) async fn connect(kubeconfig_path: Option<&Path>, context: Option<&str>) -> Result<Connected, ConnectError> {
    let kubeconfig = load_kubeconfig(kubeconfig_path)?;
    connect_with(kubeconfig, context).await
}

/// Connects with an already loaded kubeconfig (for `--demo` and context switches).
pub async fn connect_with(kubeconfig: Kubeconfig, context: Option<&str>) -> Result<Connected, ConnectError> {
    let contexts: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let chosen = context.map(str::to_string).or_else(|| kubeconfig.current_context.clone());
    let Some(chosen) = chosen.filter(|c| !c.is_empty()) else {
        return Err(ConnectError(format!(
            "The kubeconfig has no current context. Choose one with --context ({}), or set one with kubectl config use-context NAME.",
            list(&contexts)
        )));
    };
    if !contexts.contains(&chosen) {
        return Err(ConnectError(format!(
            "There is no context named {chosen:?} in the kubeconfig. The contexts are: {}. Use --context with one of them.",
            list(&contexts)
        )));
    }
    let options = KubeConfigOptions { context: Some(chosen.clone()), ..Default::default() };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options).await.map_err(|e| {
        ConnectError(format!(
            "The context {chosen:?} cannot be used: {e}. Check its cluster and user entries in the kubeconfig (kubectl config view)."
        ))
    })?;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    let server = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config).map_err(|e| ConnectError(describe(&server, &e)))?;
    let version = match tokio::time::timeout(FIRST_REQUEST_TIMEOUT, client.apiserver_version()).await {
        Err(_) => {
            return Err(ConnectError(format!(
                "The cluster at {server} did not answer within {} seconds. Is it running and reachable from here (VPN, bastion, firewall)? Check with: kubectl --context {chosen} get --raw /version",
                FIRST_REQUEST_TIMEOUT.as_secs()
            )));
        }
        Ok(Ok(info)) => info.git_version,
        // Some clusters forbid /version to some users; the connection itself works.
        Ok(Err(kube::Error::Api(s))) if s.code == 403 => "unknown".to_string(),
        Ok(Err(e)) => return Err(ConnectError(describe(&server, &e))),
    };
    Ok(Connected { client, context: chosen, contexts, namespace, server, version, kubeconfig })
}

impl Connected {
    /// A connection that is never used, for tests of what the app does with one.
    #[cfg(test)]
    pub(crate) fn for_tests(context: &str, kubeconfig: Kubeconfig) -> Connected {
        let config = kube::Config::new("http://127.0.0.1:9".parse().expect("a URL"));
        Connected {
            client: kube::Client::try_from(config).expect("a client"),
            context: context.to_string(),
            contexts: vec![context.to_string()],
            namespace: "default".to_string(),
            server: "http://127.0.0.1:9".to_string(),
            version: "v1.0.0".to_string(),
            kubeconfig,
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}

/// One paragraph about a failed request: the cause and what to do.
pub(crate) fn describe(server: &str, e: &kube::Error) -> String {
    let text = error_chain(e);
    let lower = text.to_lowercase();
    if let kube::Error::Api(s) = e {
        return match s.code {
            401 => format!(
                "The cluster at {server} rejected the credentials (401 Unauthorized). Log in again or refresh the token in your kubeconfig."
            ),
            403 => format!(
                "The cluster at {server} refused: {} (403 Forbidden). Ask for access, or use another context.",
                s.message
            ),
            _ => format!("The cluster at {server} answered with an error: {} ({}).", s.message, s.code),
        };
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
    {
        return format!(
            "TLS with {server} failed: {text}. The server's certificate is not trusted by the kubeconfig's certificate-authority, or the address is wrong. Check the cluster entry (kubectl config view --minify)."
        );
    }
    if lower.contains("connection refused") {
        return format!(
            "Cannot reach the cluster at {server}: connection refused. Is the cluster running, and is this the right context (kubectl config current-context)?"
        );
    }
    if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
        return format!(
            "Cannot resolve the cluster address {server}: {text}. Check the server address in the kubeconfig and your DNS or VPN."
        );
    }
    if lower.contains("timed out") || lower.contains("timeout") || lower.contains("elapsed") {
        return format!(
            "The cluster at {server} did not answer in time: {text}. Is it reachable from here (VPN, bastion, firewall)?"
        );
    }
    format!("Cannot talk to the cluster at {server}: {text}.")
}

/// The error and its sources, joined: hyper's top-level messages alone are vague.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}
