//! TLS for the embedded cluster. client-go (kubectl) never sends a bearer token over plain
//! HTTP, and real clusters are TLS anyway: each start makes a fresh CA and a server
//! certificate for the loopback names (plus the names other hosts use, when the server listens
//! beyond loopback), and the kubeconfig carries the CA.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The server's TLS material.
pub struct ServerTls {
    /// PEM of the CA that signed the serving certificate (goes into the kubeconfig).
    pub ca_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

fn err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("cannot set up TLS for the demo cluster: {e}"))
}

impl ServerTls {
    /// A new CA and a serving certificate for localhost, 127.0.0.1, ::1 and `extra_hosts`
    /// (IP addresses or DNS names; loopback and wildcard addresses are skipped).
    pub fn generate(extra_hosts: &[String]) -> std::io::Result<ServerTls> {
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "keyhole demo cluster CA");
        ca_params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
        params.distinguished_name.push(DnType::CommonName, "keyhole-demo-apiserver");
        params.subject_alt_names.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params.subject_alt_names.push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        params.subject_alt_names.push(SanType::DnsName("kubernetes.default.svc".try_into().map_err(err)?));
        for host in extra_hosts {
            let san = match host.parse::<IpAddr>() {
                Ok(ip) if ip.is_loopback() || ip.is_unspecified() => continue,
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) if host == "localhost" => continue,
                Err(_) => SanType::DnsName(host.as_str().try_into().map_err(err)?),
            };
            if !params.subject_alt_names.contains(&san) {
                params.subject_alt_names.push(san);
            }
        }
        let server_cert = params.signed_by(&server_key, &issuer).map_err(err)?;

        let chain = vec![CertificateDer::from(server_cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(err)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(ServerTls { ca_pem: ca_cert.pem(), config: Arc::new(config) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::ServerName;
    use rustls::pki_types::pem::PemObject as _;

    /// A TLS handshake over an in-memory pipe, the client verifying the server as `name`.
    async fn verifies_as(tls: &ServerTls, name: &str) -> bool {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(tls.ca_pem.as_bytes()) {
            roots.add(cert.expect("CA PEM")).expect("CA");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let Ok(builder) = rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions()
        else {
            return false;
        };
        let config = builder.with_root_certificates(roots).with_no_client_auth();
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
        let server = tokio::spawn(async move { acceptor.accept(server_io).await.is_ok() });
        let Ok(name) = ServerName::try_from(name.to_string()) else { return false };
        let ok = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, client_io).await.is_ok();
        drop(server);
        ok
    }

    #[tokio::test]
    async fn the_certificate_names_loopback_and_the_given_hosts() {
        let tls = ServerTls::generate(&["192.0.2.9".into(), "demo-host.example".into(), "0.0.0.0".into()])
            .expect("TLS material");
        for name in ["localhost", "127.0.0.1", "::1", "192.0.2.9", "demo-host.example"] {
            assert!(verifies_as(&tls, name).await, "{name} is in the certificate");
        }
        for name in ["0.0.0.0", "192.0.2.10", "other.example"] {
            assert!(!verifies_as(&tls, name).await, "{name} is not in the certificate");
        }
    }
}
