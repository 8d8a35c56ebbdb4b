//! Which proxy a cluster connection goes through, decided as kubectl decides it (client-go over
//! Go's `net/http`), not as kube-rs 5 does (docs/cluster-access.md has the differences):
//!
//! - the cluster's `proxy-url` in the kubeconfig, when it has one, for any server (`NO_PROXY`
//!   does not apply to it); `http://`, `https://` or `socks5://`, as kubectl accepts;
//! - else `HTTPS_PROXY` (or `https_proxy`) for an `https://` server and `HTTP_PROXY` (or
//!   `http_proxy`) for an `http://` one, never for `localhost` or a loopback address, and not
//!   when `NO_PROXY` (or `no_proxy`) covers the server: hosts and their subdomains, `.domain`,
//!   `*.domain`, IP addresses, CIDR ranges, optional `:port`s, and `*` for everything.
//!
//! keyhole puts the result in kube-rs's `Config::proxy_url` itself; kube-rs then connects through
//! it (HTTP CONNECT with basic auth from the URL's user and password, or SOCKS5).

use std::net::IpAddr;

/// The proxy variables of the environment, read once ([`ProxyEnv::from_process`]); tests give
/// their own. Each is the first of its two names that is set and not empty, as Go reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProxyEnv {
    /// The variable's name and value: `HTTPS_PROXY` or `https_proxy`.
    pub https: Option<(&'static str, String)>,
    /// `HTTP_PROXY` or `http_proxy`.
    pub http: Option<(&'static str, String)>,
    /// `NO_PROXY` or `no_proxy`.
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    pub(crate) fn from_process() -> ProxyEnv {
        let any = |names: [&'static str; 2]| {
            names.into_iter().find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()).map(|v| (n, v)))
        };
        ProxyEnv {
            https: any(["HTTPS_PROXY", "https_proxy"]),
            http: any(["HTTP_PROXY", "http_proxy"]),
            no_proxy: any(["NO_PROXY", "no_proxy"]).map(|(_, v)| v),
        }
    }
}

/// The proxy a connection goes through.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// What kube-rs connects with: scheme `http`, `https` or `socks5`, always with a port, and
    /// the user and password when the URL has them (kube-rs sends them to an HTTP proxy).
    pub uri: http::Uri,
    /// Where it was set: the environment variable's name, or [`KUBECONFIG_PROXY_URL`].
    pub source: &'static str,
}

/// [`Proxy::source`] of a kubeconfig's `proxy-url`.
pub(crate) const KUBECONFIG_PROXY_URL: &str = "proxy-url";

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("Proxy").field("uri", &self.shown()).field("source", &self.source).finish()
    }
}

impl Proxy {
    /// The proxy as messages name it: scheme, host and port, without the user or password.
    pub(crate) fn shown(&self) -> String {
        let scheme = self.uri.scheme_str().unwrap_or("http");
        let host = self.uri.host().unwrap_or_default();
        match self.uri.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }

    /// Where the proxy was set, for messages: "HTTPS_PROXY", "the cluster's proxy-url in the
    /// kubeconfig".
    pub(crate) fn origin(&self) -> String {
        if self.source == KUBECONFIG_PROXY_URL {
            "the cluster's proxy-url in the kubeconfig".to_string()
        } else {
            self.source.to_string()
        }
    }

    /// What to change to fix or avoid the proxy, for messages.
    pub(crate) fn where_to_fix(&self) -> String {
        if self.source == KUBECONFIG_PROXY_URL {
            "Check the cluster's proxy-url (kubectl config view --minify), or remove it to connect directly".to_string()
        } else {
            format!(
                "Check {}, or list the cluster's host in NO_PROXY to connect directly (kubectl reads the same variables)",
                self.source
            )
        }
    }

    /// Whether the URL carries a user name (and so credentials the proxy may reject).
    pub(crate) fn has_credentials(&self) -> bool {
        self.uri.authority().is_some_and(|a| a.as_str().contains('@'))
    }

    /// `text` with the proxy URL's user and password taken out, wherever they appear.
    pub(crate) fn scrub(&self, text: &str) -> String {
        match self.uri.authority().and_then(|a| a.as_str().rsplit_once('@')) {
            Some((userinfo, _)) if !userinfo.is_empty() => text.replace(&format!("{userinfo}@"), ""),
            _ => text.to_string(),
        }
    }
}

/// The proxy for a connection to `server`, given the cluster's `proxy-url` (if any) and the
/// environment. An error is a message for people: the kubeconfig's `proxy-url` or a proxy
/// variable that cannot be used.
pub(crate) fn choose(proxy_url: Option<&str>, server: &http::Uri, env: &ProxyEnv) -> Result<Option<Proxy>, String> {
    if let Some(url) = proxy_url.filter(|u| !u.is_empty()) {
        return from_kubeconfig(url).map(Some);
    }
    let var = match server.scheme_str() {
        Some("https") => env.https.as_ref(),
        Some("http") => env.http.as_ref(),
        _ => None,
    };
    let Some((name, value)) = var else { return Ok(None) };
    let host = server.host().unwrap_or_default();
    let port = server.port_u16().unwrap_or(if server.scheme_str() == Some("http") { 80 } else { 443 });
    if !use_proxy(host, port, env.no_proxy.as_deref()) {
        return Ok(None);
    }
    from_environment(name, value).map(Some)
}

/// A kubeconfig `proxy-url`, checked as kubectl checks it: a URL with scheme `http`, `https` or
/// `socks5` (kubectl refuses anything else, `socks5h` included).
fn from_kubeconfig(url: &str) -> Result<Proxy, String> {
    let shown = without_userinfo(url);
    let unusable = |why: &str| {
        format!(
            "The cluster's proxy-url in the kubeconfig ({shown}) {why}. kubectl accepts http://, https:// and socks5:// \
             proxy URLs; fix it or remove it (kubectl config view --minify shows it)."
        )
    };
    let uri: http::Uri = url.parse().map_err(|_| unusable("is not a URL"))?;
    let scheme = match uri.scheme_str() {
        Some(s @ ("http" | "https" | "socks5")) => s,
        Some(_) => return Err(unusable("has a scheme kubectl does not support")),
        None => return Err(unusable("has no scheme")),
    };
    if uri.host().is_none_or(str::is_empty) {
        return Err(unusable("has no host"));
    }
    Ok(Proxy { uri: with_port(&uri, scheme)?, source: KUBECONFIG_PROXY_URL })
}

/// A proxy variable's value, read as Go reads it: without a scheme it is `http://` (so
/// `proxy.example:3128` works); `socks5` and `socks5h` are SOCKS5 with the host name resolved by
/// the proxy; `https` is TLS to the proxy; any other scheme is taken as an HTTP proxy, as Go
/// does.
fn from_environment(name: &'static str, value: &str) -> Result<Proxy, String> {
    let parsed = value
        .parse::<http::Uri>()
        .ok()
        .filter(|u| u.scheme().is_some() && u.host().is_some_and(|h| !h.is_empty()))
        .or_else(|| {
            format!("http://{value}").parse::<http::Uri>().ok().filter(|u| u.host().is_some_and(|h| !h.is_empty()))
        });
    let Some(uri) = parsed else {
        return Err(format!(
            "{name} is set to {}, which is not a proxy URL keyhole can use. Set it to a URL such as \
             http://proxy.example:3128, or unset it to connect directly.",
            without_userinfo(value)
        ));
    };
    let scheme = match uri.scheme_str() {
        Some("socks5" | "socks5h") => "socks5",
        Some("https") => "https",
        _ => "http",
    };
    Ok(Proxy { uri: with_port(&uri, scheme)?, source: name })
}

/// `uri` with `scheme` and an explicit port: Go's defaults for proxies are 80 for http, 443 for
/// https and 1080 for socks5 (kube-rs would use 80 for all but https).
fn with_port(uri: &http::Uri, scheme: &str) -> Result<http::Uri, String> {
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    let userinfo = authority.rsplit_once('@').map(|(u, _)| format!("{u}@")).unwrap_or_default();
    let host = uri.host().unwrap_or_default();
    let port = uri.port_u16().unwrap_or(match scheme {
        "https" => 443,
        "socks5" => 1080,
        _ => 80,
    });
    format!("{scheme}://{userinfo}{host}:{port}").parse().map_err(|_| {
        format!("The proxy {scheme}://{host}:{port} is not a URL keyhole can use. Check the proxy settings.")
    })
}

/// A URL as text with any `user:password@` taken out, for messages about URLs that may not
/// even parse.
pub(crate) fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}{authority}{tail}")
}

/// Whether a proxy from the environment applies to `host:port`, as Go's
/// `httpproxy.Config.useProxy`: never for `localhost` and loopback addresses, else unless
/// `NO_PROXY` covers it.
pub(crate) fn use_proxy(host: &str, port: u16, no_proxy: Option<&str>) -> bool {
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host == "localhost" {
        return false;
    }
    let ip = host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
    if ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    let host = host.trim().to_ascii_lowercase();
    let port = port.to_string();
    !no_proxy.is_some_and(|list| NoProxy::parse(list).covers(&host, ip, &port))
}

/// `NO_PROXY` as Go's `httpproxy` parses it: comma-separated, case-insensitive, empty and
/// malformed entries skipped (kube-rs refuses the whole variable for one of them).
#[derive(Debug, Default)]
struct NoProxy {
    all: bool,
    ips: Vec<IpRule>,
    domains: Vec<DomainRule>,
}

#[derive(Debug)]
enum IpRule {
    /// An address, with an optional port.
    Addr(IpAddr, Option<String>),
    /// A CIDR range (any port).
    Net(IpAddr, u8),
}

/// `.example.com` matches subdomains; `example.com` also the host itself (`exact`).
#[derive(Debug)]
struct DomainRule {
    suffix: String,
    exact: bool,
    port: Option<String>,
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for entry in list.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                return NoProxy { all: true, ..NoProxy::default() };
            }
            if let Some(net) = parse_cidr(&entry) {
                out.ips.push(net);
                continue;
            }
            let (host, port) = match split_host_port(&entry) {
                Some((h, p)) => (h.to_string(), Some(p.to_string()).filter(|p| !p.is_empty())),
                None => (entry.clone(), None),
            };
            if host.is_empty() {
                continue;
            }
            if let Ok(ip) = host.parse::<IpAddr>() {
                out.ips.push(IpRule::Addr(ip.to_canonical(), port));
                continue;
            }
            let host = host.strip_prefix('*').filter(|h| h.starts_with('.')).unwrap_or(&host);
            let (suffix, exact) =
                if host.starts_with('.') { (host.to_string(), false) } else { (format!(".{host}"), true) };
            out.domains.push(DomainRule { suffix, exact, port });
        }
        out
    }

    /// Whether the list covers `host` (lower case; `ip` when it is an address) on `port`.
    fn covers(&self, host: &str, ip: Option<IpAddr>, port: &str) -> bool {
        if self.all {
            return true;
        }
        let port_ok = |p: &Option<String>| p.as_deref().is_none_or(|p| p == port);
        if let Some(ip) = ip {
            let by_ip = self.ips.iter().any(|rule| match rule {
                IpRule::Addr(a, p) => *a == ip && port_ok(p),
                IpRule::Net(net, bits) => in_net(ip, *net, *bits),
            });
            if by_ip {
                return true;
            }
        }
        self.domains
            .iter()
            .any(|d| (host.ends_with(&d.suffix) || (d.exact && host == &d.suffix[1..])) && port_ok(&d.port))
    }
}

/// `10.0.0.0/8` or `fd00::/8`, as Go's `net.ParseCIDR`.
fn parse_cidr(s: &str) -> Option<IpRule> {
    let (addr, bits) = s.split_once('/')?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ip = addr.parse::<IpAddr>().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some(IpRule::Net(ip.to_canonical(), bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Go's `net.SplitHostPort`: `host:port` or `[v6]:port`; `None` without a port or with a
/// colon too many.
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')?));
    }
    let (host, port) = s.rsplit_once(':')?;
    (!host.contains(':')).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: Option<&str>, no_proxy: Option<&str>) -> ProxyEnv {
        ProxyEnv {
            https: https.map(|v| ("HTTPS_PROXY", v.to_string())),
            http: None,
            no_proxy: no_proxy.map(str::to_string),
        }
    }

    fn chosen(proxy_url: Option<&str>, server: &str, env: &ProxyEnv) -> Option<String> {
        choose(proxy_url, &server.parse().unwrap(), env).unwrap().map(|p| p.uri.to_string())
    }

    /// Each case was checked against kubectl 1.32 with a logging proxy (docs/cluster-access.md).
    #[test]
    fn no_proxy_is_read_as_go_reads_it() {
        let cases: &[(&str, &str, bool)] = &[
            // (NO_PROXY, server host:port, proxied)
            ("", "k8s.example.com:6443", true),
            ("example.com", "k8s.example.com:6443", false),
            ("example.com", "example.com:6443", false),
            ("example.com", "notexample.com:6443", true),
            (".example.com", "example.com:6443", true),
            (".example.com", "k8s.example.com:6443", false),
            ("*.example.com", "k8s.example.com:6443", false),
            ("*.example.com", "example.com:6443", true),
            ("EXAMPLE.COM", "k8s.Example.com:6443", false),
            ("default.svc", "kubernetes.default.svc:443", false),
            ("kubernetes.default.svc:443", "kubernetes.default.svc:18443", true),
            ("kubernetes.default.svc:18443", "kubernetes.default.svc:18443", false),
            ("10.0.0.0/8", "10.96.0.1:443", false),
            ("10.0.0.0/8", "11.0.0.1:443", true),
            ("0.0.0.0/0", "k8s.example.com:443", true),
            ("10.96.0.1", "10.96.0.1:443", false),
            ("10.96.0.1:6443", "10.96.0.1:443", true),
            ("10.96.0.1:443", "10.96.0.1:443", false),
            ("fd00::/8", "[fd00::1]:443", false),
            ("[fd00::1]:443", "[fd00::1]:443", false),
            ("fd00::1", "[fd00::1]:443", false),
            // Empty entries are skipped, and `*` anywhere means everything (kube-rs fails on both).
            (",foo,,*,", "k8s.example.com:6443", false),
            ("example.com,", "k8s.example.com:6443", false),
            (" a.test , example.com ", "k8s.example.com:6443", false),
            ("*", "anything:1", false),
            // Loopback never goes through a proxy from the environment.
            ("", "localhost:6443", false),
            ("", "127.0.0.1:6443", false),
            ("", "127.1.2.3:6443", false),
            ("", "[::1]:6443", false),
            ("", "[::ffff:127.0.0.1]:6443", false),
            ("", "localhost.example.com:6443", true),
        ];
        for (no_proxy, target, proxied) in cases {
            let (host, port) = target.rsplit_once(':').unwrap();
            let got = use_proxy(host, port.parse().unwrap(), Some(no_proxy));
            assert_eq!(got, *proxied, "NO_PROXY={no_proxy:?} server {target}");
        }
    }

    #[test]
    fn the_environment_applies_by_the_server_scheme_and_the_kubeconfig_wins() {
        let e = env(Some("http://proxy.example:3128"), None);
        assert_eq!(chosen(None, "https://k8s.example.com:6443", &e).as_deref(), Some("http://proxy.example:3128/"));
        // HTTP_PROXY is for http:// servers only, as in Go.
        let only_http = ProxyEnv { http: Some(("HTTP_PROXY", "http://p:1".into())), ..ProxyEnv::default() };
        assert_eq!(chosen(None, "https://k8s.example.com", &only_http), None);
        assert_eq!(chosen(None, "http://k8s.example.com", &only_http).as_deref(), Some("http://p:1/"));
        // A kubeconfig proxy-url is used for every server, loopback and NO_PROXY notwithstanding.
        let all = env(Some("http://proxy.example:3128"), Some("*"));
        assert_eq!(
            chosen(Some("socks5://127.0.0.1:1081"), "https://127.0.0.1:6443", &all).as_deref(),
            Some("socks5://127.0.0.1:1081/")
        );
        assert_eq!(chosen(Some(""), "https://127.0.0.1:6443", &ProxyEnv::default()), None, "empty is unset");
        assert_eq!(chosen(None, "https://k8s.example.com", &all), None);
    }

    #[test]
    fn proxy_values_are_read_as_go_reads_them() {
        let cases = [
            ("proxy.example:3128", "http://proxy.example:3128/"),
            ("127.0.0.1:3128", "http://127.0.0.1:3128/"),
            ("http://proxy.example", "http://proxy.example:80/"),
            ("https://proxy.example", "https://proxy.example:443/"),
            ("socks5://proxy.example", "socks5://proxy.example:1080/"),
            ("socks5h://proxy.example:1081", "socks5://proxy.example:1081/"),
            ("ftp://proxy.example:21", "http://proxy.example:21/"),
            ("http://alice:s3cret@proxy.example:3128/", "http://alice:s3cret@proxy.example:3128/"),
        ];
        for (value, want) in cases {
            let p = from_environment("HTTPS_PROXY", value).unwrap();
            assert_eq!(p.uri.to_string(), want, "{value}");
        }
        let err = from_environment("https_proxy", "http://alice:s3cret@proxy example").unwrap_err();
        assert!(
            err.starts_with("https_proxy is set to http://proxy example, which") && !err.contains("s3cret"),
            "{err}"
        );
    }

    #[test]
    fn a_kubeconfig_proxy_url_is_checked_as_kubectl_checks_it() {
        for (url, why) in [
            ("socks5h://127.0.0.1:1080", "has a scheme kubectl does not support"),
            ("ftp://bob:pw@127.0.0.1:21", "has a scheme kubectl does not support"),
            ("127.0.0.1:3128", "has no scheme"),
            ("http://bob:pw@[bad", "is not a URL"),
        ] {
            let err = from_kubeconfig(url).unwrap_err();
            assert!(err.contains(why) && err.contains("kubectl config view --minify"), "{url}: {err}");
            assert!(!err.contains("pw"), "no password: {err}");
        }
        assert_eq!(from_kubeconfig("socks5://127.0.0.1").unwrap().uri.to_string(), "socks5://127.0.0.1:1080/");
    }

    #[test]
    fn messages_never_show_the_proxy_password() {
        let p = from_environment("HTTPS_PROXY", "http://alice:s3cret@proxy.example:3128").unwrap();
        assert_eq!(p.shown(), "http://proxy.example:3128");
        assert!(p.has_credentials());
        assert!(!format!("{p:?}").contains("s3cret"));
        assert_eq!(
            p.scrub("proxy http://alice:s3cret@proxy.example:3128/ failed"),
            "proxy http://proxy.example:3128/ failed"
        );
        assert_eq!(without_userinfo("http://a:b@c@host:1/x?y"), "http://host:1/x?y");
        assert_eq!(without_userinfo("host:1"), "host:1");
        let plain = from_environment("HTTPS_PROXY", "http://proxy.example:3128").unwrap();
        assert!(!plain.has_credentials());
        assert_eq!(plain.scrub("as is"), "as is");
    }
}
