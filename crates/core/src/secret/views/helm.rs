//! `helm.sh/release.v1`: the release a Helm storage Secret holds. The `release` value is Helm's
//! own encoding: base64 (standard) of gzip of JSON. Only the release's identity and status are
//! read; `config` (the values, often with passwords) and the manifests are skipped unread.

use std::io::Read;

use base64::Engine as _;
use flate2::read::GzDecoder;
use serde::Deserialize;

use crate::secret::Secret;

pub const RELEASE_KEY: &str = "release";
/// Decompressed JSON larger than this is not read (a release is rarely over a few MiB).
const MAX_JSON: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HelmReleaseView {
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    pub revision: Option<u64>,
    pub status: Option<String>,
    pub chart_name: Option<String>,
    pub chart_version: Option<String>,
    pub app_version: Option<String>,
    pub first_deployed: Option<String>,
    pub last_deployed: Option<String>,
    pub description: Option<String>,
    /// The `owner` label (`helm`).
    pub owner: Option<String>,
    /// True when the fields came from the `release` value; false when only from labels.
    pub decoded: bool,
    pub problems: Vec<String>,
}

// Only these fields are deserialized: serde skips `config`, `manifest`, `hooks` and `chart.values`
// without building them.
#[derive(Deserialize)]
struct Release {
    name: Option<String>,
    namespace: Option<String>,
    version: Option<u64>,
    info: Option<Info>,
    chart: Option<Chart>,
}

#[derive(Deserialize)]
struct Info {
    status: Option<String>,
    first_deployed: Option<String>,
    last_deployed: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct Chart {
    metadata: Option<ChartMetadata>,
}

#[derive(Deserialize)]
struct ChartMetadata {
    name: Option<String>,
    version: Option<String>,
    #[serde(rename = "appVersion")]
    app_version: Option<String>,
}

pub fn view(secret: &Secret) -> HelmReleaseView {
    let mut v = HelmReleaseView::default();
    match secret.get(RELEASE_KEY) {
        None => v.problems.push(format!("{RELEASE_KEY} is missing")),
        Some(raw) => match decode(raw) {
            Ok(r) => {
                v.decoded = true;
                v.release_name = r.name;
                v.namespace = r.namespace;
                v.revision = r.version;
                if let Some(info) = r.info {
                    v.status = info.status;
                    v.first_deployed = info.first_deployed;
                    v.last_deployed = info.last_deployed;
                    v.description = info.description;
                }
                if let Some(meta) = r.chart.and_then(|c| c.metadata) {
                    v.chart_name = meta.name;
                    v.chart_version = meta.version;
                    v.app_version = meta.app_version;
                }
            }
            Err(msg) => v.problems.push(format!("{RELEASE_KEY} cannot be read: {msg}")),
        },
    }
    // Helm also writes name, status, version and owner as labels: the fallback.
    let label = |k: &str| secret.metadata.labels.as_ref().and_then(|l| l.get(k)).cloned();
    v.release_name = v.release_name.or_else(|| label("name"));
    v.status = v.status.or_else(|| label("status"));
    v.revision = v.revision.or_else(|| label("version").and_then(|s| s.parse().ok()));
    v.namespace = v.namespace.or_else(|| secret.metadata.namespace.clone());
    v.owner = label("owner");
    v
}

fn decode(raw: &[u8]) -> Result<Release, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "not base64 text".to_string())?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "not base64 (Helm stores base64 of gzip of JSON)".to_string())?;
    // Helm gunzips when the gzip magic is there and reads plain JSON otherwise.
    let json = if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .take(MAX_JSON)
            .read_to_end(&mut out)
            .map_err(|_| "not valid gzip".to_string())?;
        out
    } else {
        bytes
    };
    serde_json::from_slice::<Release>(&json).map_err(|_| "not a Helm release JSON".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    const RELEASE: &str = r#"{"name":"web","namespace":"apps","version":3,
        "info":{"status":"deployed","first_deployed":"2025-01-01T00:00:00Z","last_deployed":"2025-02-01T00:00:00Z",
                "description":"Upgrade complete"},
        "chart":{"metadata":{"name":"nginx","version":"15.0.1","appVersion":"1.27.0"},"values":{"pw":"chart-default"}},
        "config":{"password":"hunter2"},"manifest":"apiVersion: v1\nkind: Secret\n"}"#;

    fn encode(json: &str) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(json.as_bytes()).unwrap();
        base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap()).into_bytes()
    }

    fn secret(release: Option<Vec<u8>>) -> Secret {
        let mut s = Secret::new("apps", "sh.helm.release.v1.web.v3", types::HELM_RELEASE);
        s.metadata.labels = Some(
            [("name", "web"), ("owner", "helm"), ("status", "deployed"), ("version", "3")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        s.data = Some(release.map(|r| (RELEASE_KEY.to_string(), r.into())).into_iter().collect());
        s
    }

    #[test]
    fn reads_release_identity_and_never_values() {
        let v = view(&secret(Some(encode(RELEASE))));
        assert!(v.decoded && v.problems.is_empty(), "{:?}", v.problems);
        assert_eq!(v.release_name.as_deref(), Some("web"));
        assert_eq!(v.revision, Some(3));
        assert_eq!(v.status.as_deref(), Some("deployed"));
        assert_eq!(
            (v.chart_name.as_deref(), v.chart_version.as_deref(), v.app_version.as_deref()),
            (Some("nginx"), Some("15.0.1"), Some("1.27.0"))
        );
        assert_eq!(v.last_deployed.as_deref(), Some("2025-02-01T00:00:00Z"));
        assert_eq!(v.description.as_deref(), Some("Upgrade complete"));
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains("chart-default") && !dbg.contains("kind: Secret"));
    }

    #[test]
    fn plain_json_without_gzip_is_read_too() {
        let raw = base64::engine::general_purpose::STANDARD.encode(RELEASE).into_bytes();
        assert_eq!(view(&secret(Some(raw))).chart_name.as_deref(), Some("nginx"));
    }

    #[test]
    fn falls_back_to_labels_when_the_release_is_unreadable() {
        for bad in [b"%%%".to_vec(), b"H4sIAAAA".to_vec(), encode("[1,2]")] {
            let v = view(&secret(Some(bad)));
            assert!(!v.decoded);
            assert!(v.problems[0].contains("cannot be read"), "{:?}", v.problems);
            assert_eq!((v.release_name.as_deref(), v.revision), (Some("web"), Some(3)));
            assert_eq!(v.owner.as_deref(), Some("helm"));
        }
        assert!(view(&secret(None)).problems[0].contains("missing"));
    }
}
