//! The command line. Flags follow kubectl (DESIGN.md decision 1).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

/// keyhole: a terminal UI for Kubernetes Secrets.
///
/// Lists Secrets by namespace and type, decodes and edits their values in place (masked until
/// asked for; binary values as hex), shows which Pods, ServiceAccounts and Ingresses use each
/// Secret down to the key, and validates every change before it is applied.
///
/// Run without a subcommand to open the terminal UI on the current kubeconfig context.
#[derive(Debug, Parser)]
#[command(name = "keyhole", version = crate::VERSION, about, long_about, propagate_version = true)]
pub(crate) struct Cli {
    /// Before a subcommand, these apply to it (`keyhole -n shop list`); after it they win.
    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(flatten)]
    pub ui: UiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The cluster flags in one place: a cluster subcommand's own (after it) win over those
    /// given before it, and land in `self.cluster`, which the commands read. Cluster flags
    /// before a subcommand that reaches no cluster are refused, as clap refuses an unknown flag.
    pub(crate) fn resolve(mut self) -> Result<Cli, clap::Error> {
        let name = match &mut self.command {
            None => return Ok(self),
            Some(
                Command::List { cluster, .. } | Command::Restart { cluster, .. } | Command::Access { cluster, .. },
            ) => {
                self.cluster = std::mem::take(cluster).or(&self.cluster);
                return Ok(self);
            }
            Some(Command::Compare { cluster, .. }) => {
                // compare chooses its contexts with --contexts: of the cluster flags before it,
                // only --kubeconfig and -n apply.
                let before = std::mem::take(&mut self.cluster);
                let rest = ClusterArgs { kubeconfig: None, namespace: None, ..before.clone() }.given();
                if !rest.is_empty() {
                    return Err(conflict(&rest, "compare"));
                }
                let cluster = std::mem::take(cluster);
                self.cluster = ClusterArgs {
                    kubeconfig: cluster.kubeconfig.or(before.kubeconfig),
                    namespace: cluster.namespace.or(before.namespace),
                    ..ClusterArgs::default()
                };
                return Ok(self);
            }
            Some(Command::Validate(_)) => "validate",
            Some(Command::DemoServer(_)) => "demo-server",
            Some(Command::Completions { .. }) => "completions",
            Some(Command::Man { .. }) => "man",
            Some(Command::ExecCredential { .. }) => "exec-credential",
        };
        let given = self.cluster.given();
        if given.is_empty() { Ok(self) } else { Err(conflict(&given, name)) }
    }
}

/// The error for cluster flags given before a subcommand that does not take them.
fn conflict(given: &[&str], name: &str) -> clap::Error {
    use clap::CommandFactory as _;
    let flags = given.join(", ");
    let says = if given.len() > 1 { format!("{flags} say") } else { format!("{flags} says") };
    let takers = if name == "compare" {
        " (compare chooses contexts with --contexts, and takes --kubeconfig and -n)"
    } else {
        " (the cluster flags are for keyhole itself, list, restart, access and compare)"
    };
    let what = if name == "compare" { "which context to reach" } else { "how to reach a cluster" };
    Cli::command().error(
        clap::error::ErrorKind::ArgumentConflict,
        format!("{says} {what}, which `keyhole {name}` does not take{takers}"),
    )
}

/// For `keyhole compare`, which reads one Secret in several contexts: the kubeconfig and the
/// namespace, and no --context, -A or --demo.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Cluster")]
pub(crate) struct KubeconfigArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, as kubectl).
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,
    /// The namespace to read the Secret in (default: each context's namespace).
    #[arg(short = 'n', long, value_name = "NS", add = ArgValueCompleter::new(crate::cmd::complete::namespaces))]
    pub namespace: Option<String>,
}

/// How to reach a cluster: the same flags as kubectl. Taken by the TUI and by the subcommands
/// that talk to a cluster (list, restart, access), each flattening it, so that the help of the
/// others (validate, demo-server, completions, man) does not offer flags that mean nothing to
/// them.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Cluster")]
pub(crate) struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in a Pod its
    /// service account, as kubectl).
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME", add = ArgValueCompleter::new(crate::cmd::complete::contexts))]
    pub context: Option<String>,
    /// The namespace to show (default: the context's namespace).
    #[arg(short = 'n', long, value_name = "NS", add = ArgValueCompleter::new(crate::cmd::complete::namespaces))]
    pub namespace: Option<String>,
    /// Show Secrets in all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Start the embedded demo cluster in-process and connect to it (no cluster needed).
    #[arg(long)]
    pub demo: bool,
}

impl ClusterArgs {
    /// The flags given after a subcommand, with those given before it where it gave none.
    pub(crate) fn or(self, before: &ClusterArgs) -> ClusterArgs {
        ClusterArgs {
            kubeconfig: self.kubeconfig.or_else(|| before.kubeconfig.clone()),
            context: self.context.or_else(|| before.context.clone()),
            namespace: self.namespace.or_else(|| before.namespace.clone()),
            all_namespaces: self.all_namespaces || before.all_namespaces,
            demo: self.demo || before.demo,
        }
    }

    /// The flags given, as typed (`--context`), for a message; empty when none was.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if self.kubeconfig.is_some() {
            given.push("--kubeconfig");
        }
        if self.context.is_some() {
            given.push("--context");
        }
        if self.namespace.is_some() {
            given.push("-n/--namespace");
        }
        if self.all_namespaces {
            given.push("-A/--all-namespaces");
        }
        if self.demo {
            given.push("--demo");
        }
        given
    }
}

/// How the TUI behaves.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Terminal UI")]
pub(crate) struct UiArgs {
    /// Never show or copy a value (for recordings and screen sharing). Also KEYHOLE_REDACT=1.
    #[arg(long, env = "KEYHOLE_REDACT", value_parser = clap::builder::FalseyValueParser::new())]
    pub redact: bool,
    /// Remove every write action.
    #[arg(long)]
    pub readonly: bool,
    /// Colour theme: ansi (the 16 terminal colours) or mono. NO_COLOR selects mono.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Capture the mouse (off by default, so that terminal selection keeps working).
    #[arg(long)]
    pub mouse: bool,
    /// Write a log (never containing values) to this file.
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Keep a debug log in the XDG state directory (~/.local/state/keyhole/keyhole.log).
    #[arg(long)]
    pub debug: bool,
    /// Read this config file instead of ~/.config/keyhole/config.toml (see assets/config.toml).
    #[arg(long, env = "KEYHOLE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open on the fleet view of these contexts: `all`, names (`a,b`) or globs (`prod-*`);
    /// F shows it again (docs/fleet.md). Without it, F shows every context.
    #[arg(long, value_name = "all|GLOB|A,B")]
    pub contexts: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate Secret manifests offline, with the API server's rules plus extra warnings.
    Validate(ValidateArgs),
    /// Serve the embedded demo cluster on loopback and write a kubeconfig for it.
    ///
    /// A Kubernetes-compatible API server (kubectl and kube-rs work against it unchanged) with
    /// the Kubernetes documentation's Secret examples and the Pods that use them. Runs until
    /// Ctrl-C. The kubeconfig has a context per demo user: keyhole-demo (admin, current),
    /// keyhole-demo-readonly (get/list/watch only), keyhole-demo-team (namespace shop only) and
    /// users with the permissions real clusters hand out (no watch, get only, no Pods...): it
    /// prints them all, and docs/embedded-cluster.md says what each may do.
    DemoServer(DemoServerArgs),
    /// List Secrets without their values, with usage counts; a linter with --unused, --broken,
    /// --expiring, --plaintext-copies.
    ///
    /// The columns of `kubectl get secrets` (NAMESPACE with -A, NAME, TYPE, DATA, AGE) plus
    /// USED-BY, the number of consumers of each Secret: a workload (its Pods and its pod
    /// template) counts once, as do each ServiceAccount, Ingress, Gateway, PersistentVolume and
    /// StorageClass; `?` where not every kind could be listed. Values are never downloaded,
    /// except for the Secrets that --broken, --expiring and -o wide check (key names and
    /// certificate dates are kept, values are dropped at once).
    ///
    /// With --unused, --broken, --expiring or --plaintext-copies only the Secrets found are
    /// listed (those found by any of the given checks) and the exit code says whether there were
    /// any: 0 none, 1 some, 2 an error (no connection, no permission, a check that could not be
    /// made). --unused finds
    /// only Secrets proven unused: where a kind that could use a Secret cannot be listed (403),
    /// its use is unknown, it is not listed, and the exit code is 2 with a note saying which
    /// kind, where; a kind the cluster does not serve (404, e.g. no Gateway API) has nothing to
    /// list and does not make anything unknown.
    List {
        #[command(flatten)]
        args: ListArgs,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Restart the workloads that read a Secret only at start, after it changed.
    ///
    /// Deployments, StatefulSets and DaemonSets whose running Pods read the Secret through
    /// environment variables (env, envFrom) or a subPath mount are restarted as `kubectl rollout
    /// restart` does (the pod template's kubectl.kubernetes.io/restartedAt annotation, field
    /// manager keyhole), each after asking the server whether you may patch it. Pods that mount
    /// the Secret as a volume see changes in place and are left alone. Bare Pods, Jobs, CronJobs
    /// and ReplicaSets without a Deployment have no rollout: they are listed with what happens to
    /// them instead. Exit codes: 0 done (or nothing to do), 1 a workload was refused or failed,
    /// 2 an error (no connection, no such Secret, Pods that cannot be listed).
    Restart {
        #[command(flatten)]
        args: RestartArgs,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Who can read a Secret's values, and how (docs/access.md).
    ///
    /// Every User, Group and ServiceAccount that may get, list or watch the Secret, through which
    /// RoleBinding or ClusterRoleBinding, Role or ClusterRole (aggregated ClusterRoles resolved)
    /// and rule; those who can read it indirectly (create Pods or workloads in its namespace,
    /// impersonate someone who can read it, exec into Pods that mount it, create a token for a
    /// service account that reads it, bind itself to a role that reads it or escalate one bound
    /// to it); the service accounts whose Pods read it today.
    /// Broad grants (everyone, wildcards, list where get would do, every namespace) are flagged;
    /// Kubernetes' own subjects are grouped last. Without permission to list the RBAC objects,
    /// only your own access is shown (SelfSubjectAccessReview). Exit codes: 0 answered, 2 an
    /// error (no connection, no such Secret).
    Access {
        #[command(flatten)]
        args: AccessArgs,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Compare one Secret across kubeconfig contexts, key by key, for drift (docs/fleet.md).
    ///
    /// For each key: in which contexts it is present, and which contexts hold the same value
    /// (a letter per distinct value). Values are compared by HMAC-SHA256 under a key drawn for
    /// this comparison alone, inside keyhole: never printed, never sent to another cluster.
    /// The Secret is read in -n NAMESPACE, else each context's namespace. Exit codes: 0 the
    /// same everywhere, 1 drift (a value differs, a key or the Secret is missing somewhere), 2
    /// an error, 3 some contexts could not be read.
    Compare {
        #[command(flatten)]
        args: CompareArgs,
        #[command(flatten)]
        cluster: KubeconfigArgs,
    },
    /// Print a shell's completion script: bash, zsh or fish (docs/packaging.md).
    ///
    /// Load it in the shell's startup file, e.g. `source <(keyhole completions bash)` in
    /// ~/.bashrc, `source <(keyhole completions zsh)` in ~/.zshrc, `keyhole completions fish |
    /// source` in ~/.config/fish/config.fish. The script asks keyhole for each completion: flags,
    /// subcommands, --context from the kubeconfig, -n from the cluster (within 2 seconds, and
    /// silently nothing when it cannot be reached). Generate it anew after an upgrade.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff), or write one per command into a directory.
    ///
    /// `keyhole man | man -l -` reads it; `keyhole man --out-dir /usr/local/share/man/man1`
    /// installs keyhole.1 and keyhole-SUBCOMMAND.1 (docs/packaging.md). The KEYS section is
    /// the TUI's keymap, from the same table as the help screen and docs/keys.md.
    Man {
        /// Write keyhole.1 and a page per subcommand into this directory instead.
        #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        out_dir: Option<PathBuf>,
    },
    /// Runs a kubeconfig exec credential plugin with the terminal borrowed from a running
    /// keyhole (how the TUI runs plugins that may prompt; not for people).
    #[command(hide = true)]
    ExecCredential {
        /// The plugin and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<std::ffi::OsString>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only Secrets of this type: in full (kubernetes.io/tls) or short (tls, opaque, helm-release).
    #[arg(long = "type", value_name = "TYPE")]
    pub type_: Option<String>,
    /// Find Secrets that nothing uses: no Pod, workload template (Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, Job, CronJob), ServiceAccount, Ingress, Gateway, PersistentVolume
    /// or StorageClass (Helm records, bootstrap and service-account tokens are used by other
    /// means and never reported). docs/usage.md lists every field read.
    #[arg(long)]
    pub unused: bool,
    /// Find Secrets that consumers need but that do not exist, or that lack a key a consumer
    /// reads (optional references, which Kubernetes skips, are not reported), and Secrets whose
    /// content is inconsistent: a TLS key that is not its certificate's (KEY-MISMATCH), a
    /// ca.crt that did not issue the chain (CA-MISMATCH), a docker `auth` that disagrees with
    /// its username and password (AUTH-MISMATCH), an expired bootstrap token (TOKEN-EXPIRED),
    /// keys envFrom skips on this cluster (ENVFROM-SKIPS). docs/flags.md.
    #[arg(long)]
    pub broken: bool,
    /// Find TLS Secrets whose certificate has expired or expires within DAYS days.
    #[arg(long, value_name = "DAYS")]
    pub expiring: Option<u32>,
    /// Find Secrets whose kubectl.kubernetes.io/last-applied-configuration annotation holds a
    /// copy of values (client-side `kubectl apply` writes it; stringData in plaintext), which
    /// every client that lists Secrets receives, and which keeps old values after a rotation.
    /// Read from the list's metadata: no value is downloaded. docs/plaintext-copies.md.
    #[arg(long)]
    pub plaintext_copies: bool,
    /// Output format: table (kubectl's columns plus USED-BY), wide (plus FLAGS) or json.
    #[arg(short = 'o', long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
    /// List several kubeconfig contexts at once: `all`, names (`a,b,c`) or globs (`prod-*`).
    /// Adds a CONTEXT column; the contexts are read concurrently (--parallel), each in its own
    /// namespace unless -n or -A says otherwise. A context that cannot be reached or refuses is
    /// reported on a line of its own (stderr; `contexts` in JSON) and never fails the others:
    /// exit code 3 then says that some contexts could not be read.
    #[arg(long, value_name = "all|GLOB|A,B", add = ArgValueCompleter::new(crate::cmd::complete::context_list))]
    pub contexts: Option<String>,
    /// With --contexts: how many contexts are read at a time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Objects per list request, as kubectl's --chunk-size (default: 5000 Secrets, 500 Pods,
    /// ServiceAccounts or Ingresses; 0 lists everything in one request).
    #[arg(long, value_name = "N")]
    pub chunk_size: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct RestartArgs {
    /// The Secret that changed (in the namespace of -n, else the context's).
    pub secret: String,
    /// Ask the server to check each restart without making it (dryRun=All).
    #[arg(long)]
    pub dry_run: bool,
    /// Output format: table or json.
    #[arg(short = 'o', long, value_enum, default_value_t = RestartFormat::Table)]
    pub output: RestartFormat,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The Secret's name.
    pub secret: String,
    /// The contexts: `all`, names (`a,b,c`) or globs (`prod-*`).
    #[arg(long, value_name = "all|GLOB|A,B", default_value = "all", add = ArgValueCompleter::new(crate::cmd::complete::context_list))]
    pub contexts: String,
    /// How many contexts are read at a time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Output format: table or json.
    #[arg(short = 'o', long, value_enum, default_value_t = RestartFormat::Table)]
    pub output: RestartFormat,
}

#[derive(Debug, Args)]
pub(crate) struct AccessArgs {
    /// The Secret (in the namespace of -n, else the context's).
    pub secret: String,
    /// Output format: table or json.
    #[arg(short = 'o', long, value_enum, default_value_t = RestartFormat::Table)]
    pub output: RestartFormat,
}

/// The shells `keyhole completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RestartFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    Table,
    Wide,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct DemoServerArgs {
    /// Address to listen on. Must be loopback unless --allow-remote is given.
    #[arg(long, default_value = "127.0.0.1:8001")]
    pub addr: std::net::SocketAddr,
    /// Where to write the kubeconfig, created 0600; a symlink there is refused (default:
    /// $XDG_RUNTIME_DIR/keyhole-demo.kubeconfig, else ~/.kube/keyhole-demo.kubeconfig).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Add N generated Secrets and N Pods over many namespaces, for benchmarks.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub scale: usize,
    /// Allow a non-loopback address. The demo server has a throwaway self-signed CA and demo
    /// credentials anyone can read from the kubeconfig: never expose it to a network you do not trust.
    #[arg(long)]
    pub allow_remote: bool,
    /// The Kubernetes version to report (1.MINOR): clients that follow the server's version
    /// behave as against it (keyhole applies the envFrom name rule of that version).
    #[arg(long, value_name = "1.MINOR", default_value = CURRENT_KUBERNETES, value_parser = parse_minor)]
    pub kubernetes_version: u32,
    /// Leave out a demo CustomResourceDefinition, by name (certificates.cert-manager.io) or by
    /// group (cert-manager.io), with its objects: a cluster without that operator. Repeatable.
    #[arg(long = "without-crd", value_name = "NAME|GROUP", value_delimiter = ',')]
    pub without_crds: Vec<String>,
    /// Serve a fleet of N demo clusters, each on its own port (counting up from --addr's port;
    /// port 0 gives each a free one), with one kubeconfig: contexts fleet-1 ... fleet-N (the
    /// first current), fleet-down (a port nothing listens on) and fleet-forbidden (a user who may
    /// not list Secrets). Their Secrets overlap and drift (docs/embedded-cluster.md, Fleet);
    /// --scale applies to each cluster.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub clusters: u16,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Files to check (YAML or JSON, several documents per file, `kind: List`); `-` reads stdin.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// The Kubernetes version to check against (1.MINOR): rules that changed between versions
    /// follow it (envFrom keeps keys that are not C-identifier-like names from 1.32 on).
    #[arg(long, value_name = "1.MINOR", default_value = CURRENT_KUBERNETES, value_parser = parse_minor)]
    pub kubernetes_version: u32,
}

/// The Kubernetes version keyhole checks against when not told (the API keyhole is built for).
pub(crate) const CURRENT_KUBERNETES: &str = "1.36";

/// `1.26` → 26.
fn parse_minor(v: &str) -> Result<u32, String> {
    v.strip_prefix("1.")
        .or_else(|| v.strip_prefix("v1."))
        .and_then(|m| m.split('.').next())
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("{v:?} is not a Kubernetes version such as 1.26"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Text,
    Json,
}
