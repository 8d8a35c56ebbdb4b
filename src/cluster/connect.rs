//! Connecting like kubectl: `--kubeconfig`, `KUBECONFIG`, `~/.kube/config`, `--context`, and
//! in a Pod without any of them the Pod's service account (context `in-cluster`); proxies as
//! kubectl picks them (`proxy-url`, `HTTPS_PROXY`, `NO_PROXY`: [`super::proxy`]); exec
//! credential plugins run here, before the terminal is taken over. Every failure becomes one
//! paragraph that names the cause and the fix. docs/cluster-access.md lists what is honoured.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::proxy::{self, Proxy, ProxyEnv};

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
    /// The kubeconfig, kept to switch contexts without reading files again. In a Pod without
    /// one, a kubeconfig of one context, `in-cluster`, for the service account.
    pub kubeconfig: Kubeconfig,
    /// The Pod's service account, when that is what keyhole connected with.
    pub(crate) in_cluster: Option<InCluster>,
    /// The proxy the client goes through, if any (as kubectl chooses it).
    pub(crate) proxy: Option<Proxy>,
    /// The proxy variables, kept to switch contexts as the first connection was made.
    pub(crate) proxy_env: ProxyEnv,
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("context", &self.context)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// Where the kubelet mounts a Pod's service account (the path client-go and kube-rs read).
pub(crate) const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// The context name keyhole shows when it uses the Pod's service account.
pub const IN_CLUSTER_CONTEXT: &str = "in-cluster";

impl Connected {
    /// One paragraph about a failed request to this cluster ([`describe`]).
    pub(crate) fn describe(&self, e: &kube::Error) -> String {
        describe(&self.server, self.proxy.as_ref(), e)
    }

    /// Connects to another context of the same configuration (a context switch).
    pub async fn switch_context(&self, context: &str) -> Result<Connected, ConnectError> {
        connect_kubeconfig(self.kubeconfig.clone(), Some(context), self.in_cluster.clone(), &self.proxy_env).await
    }
}

/// Why keyhole could not connect, as a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// What kubectl looks at to decide how to connect, read from the process once
/// ([`Environment::from_process`]); tests give their own.
#[derive(Debug, Clone, Default)]
pub(crate) struct Environment {
    /// The files `KUBECONFIG` lists (empty names dropped, as kubectl drops them).
    pub kubeconfig_paths: Vec<PathBuf>,
    /// The home directory, for `~/.kube/config`.
    pub home: Option<PathBuf>,
    /// `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`, when set and not empty: the
    /// kubelet sets them in every container.
    pub service_host: Option<String>,
    pub service_port: Option<String>,
    /// Where the Pod's service account is mounted: `token`, `ca.crt`, `namespace`.
    pub service_account_dir: PathBuf,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` and their lower-case spellings.
    pub proxy: ProxyEnv,
    /// For the TUI: keyhole's own path and the socket through which exec credential plugins
    /// that may prompt borrow the terminal (`cluster::exec`).
    pub lend: Option<(PathBuf, PathBuf)>,
}

impl Environment {
    pub(crate) fn from_process() -> Environment {
        let kubeconfig_paths = std::env::var_os("KUBECONFIG")
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Environment {
            kubeconfig_paths,
            home: std::env::home_dir(),
            service_host: var("KUBERNETES_SERVICE_HOST"),
            service_port: var("KUBERNETES_SERVICE_PORT"),
            service_account_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
            proxy: ProxyEnv::from_process(),
            lend: None,
        }
    }

    /// `~/.kube/config`, when the home directory is known.
    fn home_kubeconfig(&self) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(".kube").join("config"))
    }
}

fn load_kubeconfig(env: &Environment, path: Option<&Path>) -> Result<Kubeconfig, ConnectError> {
    if let Some(p) = path {
        return Kubeconfig::read_from(p).map_err(|e| {
            ConnectError(format!(
                "Cannot read the kubeconfig {}: {e}. Check the path given to --kubeconfig.",
                p.display()
            ))
        });
    }
    // As `Kubeconfig::read`: the files of KUBECONFIG merged, else ~/.kube/config.
    let read = if env.kubeconfig_paths.is_empty() {
        env.home_kubeconfig().ok_or(KubeconfigError::FindPath).and_then(Kubeconfig::read_from)
    } else {
        env.kubeconfig_paths
            .iter()
            .try_fold(Kubeconfig::default(), |merged, p| Kubeconfig::read_from(p).and_then(|c| merged.merge(c)))
    };
    read.map_err(|e| {
        if let Some(missing) = nothing_there(env, &e) {
            return ConnectError(first_run(&missing));
        }
        let where_ = if env.kubeconfig_paths.is_empty() {
            "~/.kube/config".to_string()
        } else {
            let joined = std::env::join_paths(&env.kubeconfig_paths).unwrap_or_default();
            format!("$KUBECONFIG ({})", joined.to_string_lossy())
        };
        ConnectError(format!(
            "No usable kubeconfig: keyhole looked at {where_}, as kubectl does, and got: {e}. \
             Point --kubeconfig or KUBECONFIG at a kubeconfig file, or try keyhole without a cluster: keyhole --demo"
        ))
    })
}

/// The file that is not there when no kubeconfig exists at all (`~/.kube/config`, or the first
/// of `KUBECONFIG`'s files): a first run, or a machine that has never been given a cluster.
/// `None` when something is there but cannot be used (a broken file, no permission), which is
/// reported as it is.
fn nothing_there(env: &Environment, e: &KubeconfigError) -> Option<String> {
    match e {
        KubeconfigError::FindPath => {
            Some("there is no home directory for ~/.kube/config, and this is not a Pod".into())
        }
        KubeconfigError::ReadConfig(io, path) if io.kind() == std::io::ErrorKind::NotFound => {
            if env.kubeconfig_paths.is_empty() {
                Some(format!("{} does not exist, and this is not a Pod", path.display()))
            } else if env.kubeconfig_paths.iter().all(|p| !p.exists()) {
                let joined = std::env::join_paths(&env.kubeconfig_paths).unwrap_or_default();
                Some(format!("KUBECONFIG is {}, and nothing is there", joined.to_string_lossy()))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What a user with no kubeconfig reads (`keyhole`, `keyhole list`): that there is none, where
/// keyhole looked, how to point it at one, and how to try keyhole on the embedded demo cluster.
fn first_run(missing: &str) -> String {
    format!(
        "No kubeconfig found: {missing}.\n\
         keyhole looks where kubectl does: --kubeconfig, then the files in $KUBECONFIG, then \
         ~/.kube/config, then a Pod's service account.\n\
         To use a cluster, point --kubeconfig or KUBECONFIG at its kubeconfig (the file kubectl uses for it).\n\
         To try keyhole without a cluster:\n  \
           keyhole --demo         the terminal UI on an embedded demo cluster (also: keyhole list --demo)\n  \
           keyhole demo-server    serve the demo cluster on 127.0.0.1 and write a kubeconfig for it; then, \
         in another terminal,\n                         \
         KUBECONFIG=<the file it names> keyhole   (kubectl and keyhole list work with it too)"
    )
}

/// Loads the kubeconfig, picks the context, builds a client and makes one request, so that a
/// wrong address, a TLS problem or bad credentials are reported before the UI starts.
pub(crate) async fn connect(kubeconfig_path: Option<&Path>, context: Option<&str>) -> Result<Connected, ConnectError> {
    connect_in(&Environment::from_process(), kubeconfig_path, context).await
}

/// [`connect`] for the TUI: exec credential plugins that may prompt borrow the terminal
/// through `socket` (`cluster::exec`).
pub(crate) async fn connect_lending(
    kubeconfig_path: Option<&Path>,
    context: Option<&str>,
    socket: &Path,
) -> Result<Connected, ConnectError> {
    let mut env = Environment::from_process();
    let keyhole = std::env::current_exe().map_err(|e| ConnectError(format!("cannot find keyhole's own path: {e}")))?;
    env.lend = Some((keyhole, socket.to_path_buf()));
    connect_in(&env, kubeconfig_path, context).await
}

/// [`connect`] in a given environment.
pub(crate) async fn connect_in(
    env: &Environment,
    kubeconfig_path: Option<&Path>,
    context: Option<&str>,
) -> Result<Connected, ConnectError> {
    // kubectl (client-go's deferred loading) uses the Pod's service account only when no
    // kubeconfig was given or found.
    let no_kubeconfig = kubeconfig_path.is_none()
        && env.kubeconfig_paths.is_empty()
        && env.home_kubeconfig().is_none_or(|p| std::fs::symlink_metadata(p).is_err());
    if no_kubeconfig && let Some(in_cluster) = InCluster::detect(env)? {
        return connect_kubeconfig(in_cluster.kubeconfig(), context, Some(in_cluster), &env.proxy).await;
    }
    let mut kubeconfig = load_kubeconfig(env, kubeconfig_path)?;
    if let Some((keyhole, socket)) = &env.lend {
        super::exec::route_through(&mut kubeconfig, keyhole, socket);
    }
    connect_kubeconfig(kubeconfig, context, None, &env.proxy).await
}

/// The kubeconfig as `connect` would read it (`--kubeconfig`, `KUBECONFIG`, ~/.kube/config), for
/// commands that connect to several of its contexts, and for shell completion of `--context`.
pub(crate) fn read_kubeconfig(kubeconfig_path: Option<&Path>) -> Result<Kubeconfig, ConnectError> {
    load_kubeconfig(&Environment::from_process(), kubeconfig_path)
}

/// Connects to one context of a kubeconfig already read ([`read_kubeconfig`]).
pub(crate) async fn connect_context(kubeconfig: Kubeconfig, context: &str) -> Result<Connected, ConnectError> {
    connect_kubeconfig(kubeconfig, Some(context), None, &Environment::from_process().proxy).await
}

/// A Pod's service account, as client-go's `InClusterConfig` and kube-rs's
/// `Config::incluster_env` read it: the API server at `KUBERNETES_SERVICE_HOST` and
/// `KUBERNETES_SERVICE_PORT`, the token file (read again as the kubelet rotates it), the CA
/// file (read again as the CA rotates), and the namespace file (`default` without it, as
/// kubectl does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InCluster {
    pub server: String,
    pub token_file: PathBuf,
    pub ca_file: PathBuf,
    pub namespace: String,
}

impl InCluster {
    /// `None` outside a Pod (either variable unset or empty, as client-go decides); an error
    /// when keyhole is in a Pod whose service account cannot be used.
    fn detect(env: &Environment) -> Result<Option<InCluster>, ConnectError> {
        let (Some(host), Some(port)) = (&env.service_host, &env.service_port) else { return Ok(None) };
        let dir = &env.service_account_dir;
        let unusable = |what: String| {
            ConnectError(format!(
                "No kubeconfig (keyhole looked at ~/.kube/config and KUBECONFIG, as kubectl does), and the Pod's \
                 service account cannot be used: {what}. Mount the service account token \
                 (automountServiceAccountToken), point --kubeconfig or KUBECONFIG at a kubeconfig file, or try \
                 keyhole without a cluster: keyhole --demo"
            ))
        };
        let port: u16 =
            port.parse().map_err(|_| unusable(format!("KUBERNETES_SERVICE_PORT is {port:?}, not a port number")))?;
        let server = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(ip)) => format!("https://[{ip}]:{port}"),
            _ => format!("https://{host}:{port}"),
        };
        let token_file = dir.join("token");
        let ca_file = dir.join("ca.crt");
        // Only whether they can be opened: kube-rs reads them itself.
        for file in [&token_file, &ca_file] {
            std::fs::File::open(file).map_err(|e| unusable(format!("cannot read {}: {e}", file.display())))?;
        }
        let namespace = std::fs::read_to_string(dir.join("namespace"))
            .ok()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        Ok(Some(InCluster { server, token_file, ca_file, namespace }))
    }

    /// A kubeconfig of one context, `in-cluster`, that says the same: for the context list and
    /// for connecting like any other context.
    fn kubeconfig(&self) -> Kubeconfig {
        use kube::config::{AuthInfo, Cluster, Context, NamedAuthInfo, NamedCluster, NamedContext};
        let name = IN_CLUSTER_CONTEXT.to_string();
        Kubeconfig {
            clusters: vec![NamedCluster {
                name: name.clone(),
                cluster: Some(Cluster {
                    server: Some(self.server.clone()),
                    certificate_authority: Some(self.ca_file.to_string_lossy().into_owned()),
                    ..Cluster::default()
                }),
                ..NamedCluster::default()
            }],
            auth_infos: vec![NamedAuthInfo {
                name: name.clone(),
                auth_info: Some(AuthInfo {
                    token_file: Some(self.token_file.to_string_lossy().into_owned()),
                    ..AuthInfo::default()
                }),
                ..NamedAuthInfo::default()
            }],
            contexts: vec![NamedContext {
                name: name.clone(),
                context: Some(Context {
                    cluster: name.clone(),
                    user: Some(name.clone()),
                    namespace: Some(self.namespace.clone()),
                    ..Context::default()
                }),
                ..NamedContext::default()
            }],
            current_context: Some(name),
            ..Kubeconfig::default()
        }
    }

    /// What `Config::incluster_env` sets and a kubeconfig does not: the CA file read again as
    /// it rotates. (kube-rs also never uses a proxy in a Pod; client-go, and so kubectl, uses
    /// `HTTPS_PROXY` there too unless `NO_PROXY` covers the API server, and so does keyhole.)
    fn adjust(&self, config: &mut kube::Config) {
        config.root_cert_file = Some(self.ca_file.clone());
    }
}

/// Connects with an already loaded kubeconfig (for `--demo`).
pub async fn connect_with(kubeconfig: Kubeconfig, context: Option<&str>) -> Result<Connected, ConnectError> {
    connect_kubeconfig(kubeconfig, context, None, &ProxyEnv::from_process()).await
}

async fn connect_kubeconfig(
    kubeconfig: Kubeconfig,
    context: Option<&str>,
    in_cluster: Option<InCluster>,
    proxy_env: &ProxyEnv,
) -> Result<Connected, ConnectError> {
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
    let cannot_use = |e: &dyn std::fmt::Display| match &in_cluster {
        Some(ic) => ConnectError(format!(
            "The Pod's service account cannot be used: {e}. Check {} and {}.",
            ic.ca_file.display(),
            ic.token_file.display()
        )),
        None => ConnectError(format!(
            "The context {chosen:?} cannot be used: {e}. Check its cluster and user entries in the kubeconfig (kubectl config view)."
        )),
    };
    let mut config = match kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options).await {
        Ok(config) => config,
        // kube-rs also looks for a proxy, in the process's HTTPS_PROXY and NO_PROXY, and gives up
        // on values kubectl takes (an empty entry in NO_PROXY, `*` among others). Its choice is
        // replaced below anyway, and everything else it reads had been read without error.
        Err(KubeconfigError::ParseNoProxy(_) | KubeconfigError::ParseProxyUrl(_)) => {
            config_without_proxy(&kubeconfig, &chosen).map_err(|e| cannot_use(&e))?
        }
        Err(e) => return Err(cannot_use(&e)),
    };
    if let Some(ic) = &in_cluster {
        ic.adjust(&mut config);
    }
    let proxy_url = cluster_entry(&kubeconfig, &chosen).and_then(|c| c.proxy_url.as_deref());
    let proxy = proxy::choose(proxy_url, &config.cluster_url, proxy_env).map_err(ConnectError)?;
    config.proxy_url = proxy.as_ref().map(|p| p.uri.clone());
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    let server = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config).map_err(|e| ConnectError(describe(&server, proxy.as_ref(), &e)))?;
    let version = match tokio::time::timeout(FIRST_REQUEST_TIMEOUT, client.apiserver_version()).await {
        Err(_) => {
            let through = proxy.as_ref().map(|p| format!(" through the proxy {} ({})", p.shown(), p.origin()));
            return Err(ConnectError(format!(
                "The cluster at {server} did not answer within {} seconds{}. Is it running and reachable from here (VPN, bastion, firewall{})? Check with: kubectl {}get --raw /version",
                FIRST_REQUEST_TIMEOUT.as_secs(),
                through.unwrap_or_default(),
                if proxy.is_some() { ", proxy" } else { "" },
                if in_cluster.is_some() { String::new() } else { format!("--context {chosen} ") }
            )));
        }
        Ok(Ok(info)) => info.git_version,
        // Some clusters forbid /version to some users; the connection itself works.
        Ok(Err(kube::Error::Api(s))) if s.code == 403 => "unknown".to_string(),
        Ok(Err(e)) => return Err(ConnectError(describe(&server, proxy.as_ref(), &e))),
    };
    Ok(Connected {
        client,
        context: chosen,
        contexts,
        namespace,
        server,
        version,
        kubeconfig,
        in_cluster,
        proxy,
        proxy_env: proxy_env.clone(),
    })
}

/// The cluster entry of a context, as kube-rs's loader finds it.
fn cluster_entry<'a>(kubeconfig: &'a Kubeconfig, context: &str) -> Option<&'a kube::config::Cluster> {
    let cluster = &kubeconfig.contexts.iter().find(|c| c.name == context)?.context.as_ref()?.cluster;
    kubeconfig.clusters.iter().find(|c| &c.name == cluster)?.cluster.as_ref()
}

/// What `kube::Config::from_custom_kubeconfig` builds, field by field, without its look at the
/// proxy variables: for when that look fails on values kubectl accepts. The unit test
/// `config_without_proxy_is_what_kube_builds` holds the two together.
fn config_without_proxy(kubeconfig: &Kubeconfig, context: &str) -> Result<kube::Config, String> {
    use base64::Engine as _;
    let ctx = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.clone())
        .ok_or_else(|| format!("failed to load current context: {context}"))?;
    let cluster = cluster_entry(kubeconfig, context)
        .cloned()
        .ok_or_else(|| format!("failed to load the cluster of context: {}", ctx.cluster))?;
    // A missing user is no user, as in client-go and kube-rs.
    let mut user = ctx
        .user
        .as_ref()
        .and_then(|u| kubeconfig.auth_infos.iter().find(|a| &a.name == u))
        .and_then(|a| a.auth_info.clone())
        .unwrap_or_default();
    if let Some(exec) = &mut user.exec
        && exec.provide_cluster_info
    {
        exec.cluster = Some(kube::config::ExecAuthCluster::try_from(&cluster).map_err(|e| e.to_string())?);
    }
    let server = cluster.server.as_deref().ok_or("cluster url is missing on selected cluster")?;
    let mut config = kube::Config::new(server.parse().map_err(|e| format!("failed to parse cluster url: {e}"))?);
    config.default_namespace = ctx.namespace.clone().unwrap_or_else(|| "default".to_string());
    config.accept_invalid_certs = cluster.insecure_skip_tls_verify.unwrap_or(false);
    config.disable_compression = cluster.disable_compression.unwrap_or(false);
    config.tls_server_name = cluster.tls_server_name.clone();
    // certificate-authority-data wins over certificate-authority; the certificates in it, in order.
    let ca = match (&cluster.certificate_authority_data, &cluster.certificate_authority) {
        (Some(data), _) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| format!("failed to load certificate authority: {e}"))?,
        ),
        (None, Some(file)) => {
            Some(std::fs::read(file).map_err(|e| format!("failed to load certificate authority {file}: {e}"))?)
        }
        (None, None) => None,
    };
    config.root_cert = ca.map(|pem| {
        keyhole_core::secret::views::pem::decode_all(&pem)
            .into_iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| b.der.to_vec())
            .collect()
    });
    config.auth_info = user;
    Ok(config)
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
            in_cluster: None,
            proxy: None,
            proxy_env: ProxyEnv::default(),
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}

/// One paragraph about a failed request: the cause and what to do. With a proxy, a failure
/// at the proxy names it (never with the user and password of its URL).
pub(crate) fn describe(server: &str, proxy: Option<&Proxy>, e: &kube::Error) -> String {
    match proxy {
        Some(p) => p.scrub(&describe_proxy_failure(server, p, e).unwrap_or_else(|| describe_direct(server, e))),
        None => describe_direct(server, e),
    }
}

/// A failure to get through the proxy, from hyper-util's tunnel (HTTP CONNECT) and SOCKS errors
/// (`None` when the proxy was not the problem).
fn describe_proxy_failure(server: &str, p: &Proxy, e: &kube::Error) -> Option<String> {
    let text = error_chain(e);
    let lower = text.to_lowercase();
    let (shown, origin, fix) = (p.shown(), p.origin(), p.where_to_fix());
    // hyper-util's messages: "SOCKS error: ..." and "tunnel error: ...".
    if let Some(at) = text.find("SOCKS error: ") {
        let socks = &text[at + "SOCKS error: ".len()..];
        if socks.starts_with("failed to create underlying connection") {
            return Some(format!(
                "Cannot reach the SOCKS5 proxy {shown} ({origin}) to connect to the cluster at {server}. Is the proxy running, and is this its address? {fix}."
            ));
        }
        if socks.starts_with("server does not support user/pass authentication") {
            return Some(format!(
                "The SOCKS5 proxy {shown} ({origin}) wants a user and password: keyhole (through kube-rs) connects to SOCKS5 proxies without authentication, unlike kubectl. Use a proxy that needs none, or an HTTP proxy (http://USER:PASSWORD@host:port). {fix}."
            ));
        }
        return Some(format!(
            "The SOCKS5 proxy {shown} ({origin}) could not connect to the cluster at {server}: {socks}. Check the server address, and that the proxy may reach it. {fix}."
        ));
    }
    let timed_out = lower.contains("timed out") || lower.contains("timeout") || lower.contains("elapsed");
    let Some(at) = text.find("tunnel error: ") else {
        // The connect timeout covers the proxy's handshake too, and then says only that.
        let kind = if p.uri.scheme_str() == Some("socks5") { "a SOCKS5" } else { "an HTTP" };
        return (timed_out && lower.contains("client error (connect)")).then(|| {
            format!(
                "No connection to the cluster at {server} through the proxy {shown} ({origin}) within {} seconds: the proxy, or the cluster behind it, did not answer. Is {shown} {kind} proxy, and running? {fix}.",
                CONNECT_TIMEOUT.as_secs()
            )
        });
    };
    let tunnel = &text[at + "tunnel error: ".len()..];
    Some(if tunnel.starts_with("failed to create underlying connection") {
        let why = if lower.contains("connection refused") {
            "connection refused".to_string()
        } else if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
            "its host name does not resolve".to_string()
        } else if timed_out {
            "no answer in time".to_string()
        } else {
            text.clone()
        };
        format!(
            "Cannot reach the proxy {shown} ({origin}) to connect to the cluster at {server}: {why}. Is the proxy running, and is this its address? {fix}."
        )
    } else if tunnel.starts_with("proxy authorization required") {
        if p.has_credentials() {
            format!(
                "The proxy {shown} ({origin}) did not accept the user and password in its URL (407 Proxy Authentication Required). {fix}."
            )
        } else {
            format!(
                "The proxy {shown} ({origin}) requires a user and password (407 Proxy Authentication Required). Put them in the proxy URL, as for kubectl: {}://USER:PASSWORD@{}. {fix}.",
                p.uri.scheme_str().unwrap_or("http"),
                shown.split_once("://").map_or(shown.as_str(), |(_, rest)| rest)
            )
        }
    } else if tunnel.starts_with("unsuccessful") {
        format!(
            "The proxy {shown} ({origin}) refused to open a connection to the cluster at {server} (it answered CONNECT with an error): it may not allow this host or port. {fix}."
        )
    } else {
        format!(
            "The connection to the cluster at {server} through the proxy {shown} ({origin}) failed: {text}. Is it an HTTP proxy (a SOCKS5 proxy needs socks5://)? {fix}."
        )
    })
}

fn describe_direct(server: &str, e: &kube::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A Pod's service account directory with the embedded cluster's CA and a token of one of
    /// its users, and the environment of a Pod without a kubeconfig.
    fn pod(server: &keyhole_apiserver::DemoServer, sa: &Path, home: &Path) -> Environment {
        std::fs::create_dir_all(sa).unwrap();
        std::fs::write(sa.join("ca.crt"), &server.ca_pem).unwrap();
        std::fs::write(sa.join("token"), &server.users.admin().token).unwrap();
        std::fs::write(sa.join("namespace"), "shop\n").unwrap();
        Environment {
            kubeconfig_paths: Vec::new(),
            home: Some(home.to_path_buf()),
            service_host: Some(server.addr.ip().to_string()),
            service_port: Some(server.addr.port().to_string()),
            service_account_dir: sa.to_path_buf(),
            proxy: ProxyEnv::default(),
            lend: None,
        }
    }

    #[tokio::test]
    async fn in_a_pod_without_a_kubeconfig_the_service_account_is_used() {
        let server = keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let env = pod(&server, &dir.path().join("sa"), dir.path());
        let connected = connect_in(&env, None, None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connected.context, IN_CLUSTER_CONTEXT);
        assert_eq!(connected.contexts, vec![IN_CLUSTER_CONTEXT.to_string()]);
        assert_eq!(connected.namespace, "shop", "the service account's namespace, trimmed");
        assert_eq!(connected.server, format!("{}/", server.url()));
        assert!(connected.version.starts_with('v'), "{}", connected.version);
        // The client really talks to the cluster with the token.
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(connected.client.clone(), "default");
        assert!(secrets.get("mysecret").await.is_ok());
        // A context switch (to the one context there is) connects the same way.
        let again = connected.switch_context(IN_CLUSTER_CONTEXT).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.namespace, "shop");
    }

    #[tokio::test]
    async fn a_kubeconfig_wins_over_the_service_account() {
        let server = keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut env = pod(&server, &dir.path().join("sa"), dir.path());
        let kube_dir = dir.path().join(".kube");
        std::fs::create_dir_all(&kube_dir).unwrap();
        std::fs::write(kube_dir.join("config"), server.kubeconfig()).unwrap();
        let connected = connect_in(&env, None, None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connected.context, server.users.admin().context, "~/.kube/config");
        assert!(connected.in_cluster.is_none());

        std::fs::remove_file(kube_dir.join("config")).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, server.kubeconfig()).unwrap();
        env.kubeconfig_paths = vec![elsewhere.clone()];
        let connected = connect_in(&env, None, None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connected.context, server.users.admin().context, "KUBECONFIG");

        env.kubeconfig_paths.clear();
        let connected = connect_in(&env, Some(&elsewhere), None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connected.context, server.users.admin().context, "--kubeconfig");
    }

    #[test]
    fn outside_a_pod_without_a_kubeconfig_the_message_suggests_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment { home: Some(dir.path().to_path_buf()), ..Environment::default() };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let err = rt.block_on(connect_in(&env, None, None)).unwrap_err();
        let missing = dir.path().join(".kube/config");
        assert!(err.0.starts_with("No kubeconfig found: "), "{err}");
        let first = format!("No kubeconfig found: {} does not exist, and this is not a Pod.\n", missing.display());
        assert!(err.0.starts_with(&first), "{err}");
        assert!(err.0.contains("keyhole --demo") && err.0.contains("keyhole demo-server"), "{err}");
        // One of the two variables alone is not a Pod (client-go wants both).
        let env = Environment { service_host: Some("10.0.0.1".into()), ..env };
        let err = rt.block_on(connect_in(&env, None, None)).unwrap_err();
        assert!(err.0.starts_with("No kubeconfig found: "), "{err}");
        // KUBECONFIG naming files none of which exists: nothing there either.
        let env = Environment { kubeconfig_paths: vec![dir.path().join("a"), dir.path().join("b")], ..env };
        let err = rt.block_on(connect_in(&env, None, None)).unwrap_err();
        assert!(err.0.starts_with("No kubeconfig found: ") && err.0.contains("and nothing is there"), "{err}");
        // A file that is there but broken is reported as it is.
        let broken = dir.path().join("broken");
        std::fs::write(&broken, "clusters: [").unwrap();
        let env = Environment { kubeconfig_paths: vec![broken], ..env };
        let err = rt.block_on(connect_in(&env, None, None)).unwrap_err();
        assert!(err.0.starts_with("No usable kubeconfig: keyhole looked at $KUBECONFIG"), "{err}");
    }

    #[test]
    fn a_pod_whose_service_account_cannot_be_used_is_told_why() {
        let dir = tempfile::tempdir().unwrap();
        let sa = dir.path().join("sa");
        std::fs::create_dir_all(&sa).unwrap();
        std::fs::write(sa.join("ca.crt"), "ca").unwrap();
        let env = Environment {
            home: Some(dir.path().to_path_buf()),
            service_host: Some("10.96.0.1".into()),
            service_port: Some("443".into()),
            service_account_dir: sa.clone(),
            ..Environment::default()
        };
        let err = InCluster::detect(&env).unwrap_err();
        assert!(err.0.contains(&format!("cannot read {}", sa.join("token").display())), "{err}");
        assert!(err.0.contains("automountServiceAccountToken") && err.0.contains("keyhole --demo"), "{err}");
        let err = InCluster::detect(&Environment { service_port: Some("https".into()), ..env.clone() }).unwrap_err();
        assert!(err.0.contains("KUBERNETES_SERVICE_PORT is \"https\", not a port number"), "{err}");

        // No namespace file: default, as kubectl.
        std::fs::write(sa.join("token"), "t").unwrap();
        let ic = InCluster::detect(&env).unwrap().unwrap();
        assert_eq!(ic.namespace, "default");
        assert_eq!(ic.server, "https://10.96.0.1:443");
        let v6 = Environment { service_host: Some("fd00::1".into()), ..env };
        assert_eq!(InCluster::detect(&v6).unwrap().unwrap().server, "https://[fd00::1]:443");
    }

    /// kube-rs's builder and [`config_without_proxy`] give the same `Config` for every field a
    /// kubeconfig can set, so the fallback stays true when kube-rs changes.
    #[tokio::test]
    async fn config_without_proxy_is_what_kube_builds() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let server = keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.crt");
        // Two certificates, and something that is not one.
        let bundle = format!(
            "{}{}-----BEGIN X-----\nYQ==\n-----END X-----\n",
            server.ca_pem,
            include_str!("../../assets/pki/ca.crt")
        );
        std::fs::write(&ca_file, &bundle).unwrap();
        let yaml = format!(
            r#"apiVersion: v1
kind: Config
clusters:
- name: data
  cluster:
    server: https://k8s.example.com:6443/prefix
    certificate-authority-data: {ca}
    tls-server-name: api.example.com
    disable-compression: true
    proxy-url: http://proxy.example:3128
- name: file
  cluster:
    server: https://10.0.0.1
    certificate-authority: {ca_file}
    insecure-skip-tls-verify: true
- name: none
  cluster:
    server: http://127.0.0.1:8080
contexts:
- name: a
  context: {{cluster: data, user: token, namespace: shop}}
- name: b
  context: {{cluster: file, user: exec}}
- name: c
  context: {{cluster: none, user: nobody}}
- name: d
  context: {{cluster: none}}
users:
- name: token
  user:
    token: t0ken
    as: someone
    as-groups: [g1, g2]
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /bin/true
      args: [a, b]
      provideClusterInfo: true
      interactiveMode: Never
"#,
            ca = b64(&server.ca_pem),
            ca_file = ca_file.display()
        );
        let kubeconfig = Kubeconfig::from_yaml(&yaml).unwrap();
        for context in ["a", "b", "c", "d"] {
            let options = KubeConfigOptions { context: Some(context.to_string()), ..Default::default() };
            let mut theirs = match kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("skipped: kube-rs cannot read this environment's proxy variables ({e})");
                    return;
                }
            };
            let mut ours = config_without_proxy(&kubeconfig, context).unwrap();
            theirs.proxy_url = None;
            ours.proxy_url = None;
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "context {context}");
        }
        assert_eq!(config_without_proxy(&kubeconfig, "b").unwrap().root_cert.unwrap().len(), 2);
    }

    /// kubectl asks for gzip and reads gzipped answers; with kube's `gzip` feature so does keyhole.
    #[tokio::test]
    async fn answers_are_asked_for_and_read_gzipped() {
        use std::io::Write as _;
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                head.push(conn.read_u8().await.unwrap());
            }
            let head = String::from_utf8_lossy(&head).to_lowercase();
            let gzip = head.lines().any(|l| l.starts_with("accept-encoding:") && l.contains("gzip"));
            let body = serde_json::json!({
                "major": "1", "minor": "36", "gitVersion": "v1.36.0-gzipped", "gitCommit": "0",
                "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go",
                "compiler": "gc", "platform": "linux/amd64",
            })
            .to_string();
            let (body, encoding) = if gzip {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(body.as_bytes()).unwrap();
                (gz.finish().unwrap(), "Content-Encoding: gzip\r\n")
            } else {
                (body.into_bytes(), "")
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{encoding}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            conn.write_all(head.as_bytes()).await.unwrap();
            conn.write_all(&body).await.unwrap();
            gzip
        });
        let yaml = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://{addr}\ncontexts:\n- name: c\n  context:\n    cluster: c\ncurrent-context: c\n"
        );
        let connected =
            connect_with(Kubeconfig::from_yaml(&yaml).unwrap(), None).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(server.await.unwrap(), "the request asked for gzip");
        assert_eq!(connected.version, "v1.36.0-gzipped");
    }

    /// A tiny HTTP CONNECT proxy on loopback that sends every tunnel to `to` and counts them.
    async fn connect_proxy(
        to: std::net::SocketAddr,
    ) -> (std::net::SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    while !head.ends_with(b"\r\n\r\n") {
                        let Ok(b) = client.read_u8().await else { return };
                        head.push(b);
                    }
                    if !head.starts_with(b"CONNECT ") {
                        return;
                    }
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(to).await else { return };
                    let _ = client.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        (addr, count)
    }

    /// In a Pod, HTTPS_PROXY applies as in client-go (kube-rs alone ignores it there), unless
    /// NO_PROXY covers the API server.
    #[tokio::test]
    async fn in_a_pod_https_proxy_applies_unless_no_proxy_covers_the_api_server() {
        let server = keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut env = pod(&server, &dir.path().join("sa"), dir.path());
        // A name in the serving certificate that only the proxy resolves (to the embedded cluster).
        env.service_host = Some("kubernetes.default.svc".to_string());
        let (proxy, tunnels) = connect_proxy(server.addr).await;
        env.proxy = ProxyEnv { https: Some(("HTTPS_PROXY", format!("http://{proxy}"))), ..ProxyEnv::default() };
        let connected = connect_in(&env, None, None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connected.proxy.as_ref().map(Proxy::shown), Some(format!("http://{proxy}")));
        assert!(tunnels.load(std::sync::atomic::Ordering::SeqCst) > 0);
        // A context switch keeps the same proxy variables.
        let again = connected.switch_context(IN_CLUSTER_CONTEXT).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(again.proxy.is_some());

        env.proxy.no_proxy = Some(".svc".to_string());
        let before = tunnels.load(std::sync::atomic::Ordering::SeqCst);
        let err = connect_in(&env, None, None).await.unwrap_err();
        assert!(!err.0.contains("proxy"), "direct, so the error is not the proxy's: {err}");
        assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), before);
    }
}
