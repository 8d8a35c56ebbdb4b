//! The names under which clients reach the server. A server bound to a wildcard address
//! (0.0.0.0, ::) cannot be reached at that address from another host, and a certificate for
//! loopback names only fails verification there: the kubeconfig names a reachable address, and
//! the serving certificate carries every name given out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// The hosts to put in the kubeconfig (the first is the server URL's) and in the certificate,
/// for a server bound to `ip`: that address itself, unless it is a wildcard; then the host's
/// outbound addresses (of the interface with the default route, IPv4 first) and its name,
/// falling back to loopback when the host has neither.
pub fn advertised(ip: IpAddr) -> Vec<String> {
    if !ip.is_unspecified() {
        return vec![ip.to_string()];
    }
    let mut hosts: Vec<String> = Vec::new();
    // `::` takes IPv4 connections too on dual-stack systems (Linux's default).
    let families: &[IpAddr] = match ip {
        IpAddr::V4(_) => &[IpAddr::V4(Ipv4Addr::UNSPECIFIED)],
        IpAddr::V6(_) => &[IpAddr::V4(Ipv4Addr::UNSPECIFIED), IpAddr::V6(Ipv6Addr::UNSPECIFIED)],
    };
    for family in families {
        if let Some(found) = outbound_address(*family) {
            hosts.push(found.to_string());
        }
    }
    if let Some(name) = host_name() {
        hosts.push(name);
    }
    if hosts.is_empty() {
        hosts.push(if ip.is_ipv4() { Ipv4Addr::LOCALHOST.to_string() } else { Ipv6Addr::LOCALHOST.to_string() });
    }
    hosts
}

/// `https://host:port`, with brackets around an IPv6 address.
pub fn url(host: &str, port: u16) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("https://{}", SocketAddr::from((v6, port))),
        _ => format!("https://{host}:{port}"),
    }
}

/// The local address the kernel would send from to a documentation address (RFC 5737 /
/// RFC 3849): the interface of the default route. Connecting a UDP socket sends nothing.
fn outbound_address(family: IpAddr) -> Option<IpAddr> {
    let probe: SocketAddr = match family {
        IpAddr::V4(_) => SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 9)),
        IpAddr::V6(_) => SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9)),
    };
    let socket = UdpSocket::bind(SocketAddr::from((family, 0))).ok()?;
    socket.connect(probe).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    let usable = match ip {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified() && !v4.is_link_local(),
        // Link-local IPv6 needs a zone in a URL; skip it.
        IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unspecified() && !v6.is_unicast_link_local(),
    };
    usable.then_some(ip)
}

/// The host's name, when it is a valid DNS name (`/proc/sys/kernel/hostname`, `$HOSTNAME`, or
/// the `hostname` command), lowercased.
fn host_name() -> Option<String> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| {
            let out = std::process::Command::new("hostname").output().ok()?;
            out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })?;
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name != "localhost"
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_address_is_its_own_name() {
        assert_eq!(advertised("127.0.0.1".parse().unwrap()), ["127.0.0.1"]);
        assert_eq!(advertised("192.0.2.7".parse().unwrap()), ["192.0.2.7"]);
    }

    #[test]
    fn a_wildcard_is_never_advertised() {
        for ip in ["0.0.0.0", "::"] {
            let hosts = advertised(ip.parse().unwrap());
            assert!(!hosts.is_empty());
            assert!(hosts.iter().all(|h| h.parse::<IpAddr>().map_or(true, |ip| !ip.is_unspecified())), "{hosts:?}");
        }
    }

    #[test]
    fn urls_bracket_ipv6() {
        assert_eq!(url("fd00::2", 8001), "https://[fd00::2]:8001");
        assert_eq!(url("192.0.2.2", 8001), "https://192.0.2.2:8001");
        assert_eq!(url("vm", 8001), "https://vm:8001");
    }
}
