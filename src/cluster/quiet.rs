//! Reading responses that can hold Secret values (a Secret, a Table page whose rows carry the
//! last-applied annotation) without any library logging them. kube-client's `Client::request`
//! logs the whole response body at WARN when it does not parse; here the body is parsed by us,
//! never logged, and its bytes are zeroized once parsed.

use http_body_util::BodyExt;
use kube::core::Status;
use serde::de::DeserializeOwned;
use zeroize::Zeroize;

/// Sends a request and parses the JSON answer; an error status becomes `kube::Error::Api` as
/// kube-client makes it. A body that does not parse is reported by position, never quoted.
pub(crate) async fn request_json<T: DeserializeOwned>(
    client: &kube::Client,
    request: http::Request<Vec<u8>>,
) -> Result<T, kube::Error> {
    let body = request_body(client, request).await?;
    parse(&body)
}

/// A successful answer's bytes, wiped when dropped: what [`request_json`] parses, for a caller
/// that reads part of it first (the next page's continue token) and the rest later.
pub(crate) struct Body(Vec<u8>);

impl Body {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Sends a request and returns the answer's bytes; an error status becomes `kube::Error::Api`.
pub(crate) async fn request_body(client: &kube::Client, request: http::Request<Vec<u8>>) -> Result<Body, kube::Error> {
    let response = client.send(request.map(kube::client::Body::from)).await?;
    let code = response.status();
    // Into a Vec without a copy when the body came in one piece (the usual case).
    let body = Body(Vec::from(response.into_body().collect().await?.to_bytes()));
    if code.is_client_error() || code.is_server_error() {
        // Status bodies hold no values; anything else is described, not quoted.
        let status = serde_json::from_slice::<Status>(body.bytes()).unwrap_or_else(|_| {
            Status::failure(&format!("the server answered {code} without a Status"), "Failed to parse error data")
                .with_code(code.as_u16())
        });
        return Err(kube::Error::Api(status.boxed()));
    }
    Ok(body)
}

/// Parses an answer. serde's messages can quote what did not parse: the error says where, and
/// what kind of problem, never the text.
pub(crate) fn parse<T: DeserializeOwned>(body: &Body) -> Result<T, kube::Error> {
    serde_json::from_slice::<T>(body.bytes()).map_err(|e| {
        let what = format!(
            "the server's answer could not be read ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        );
        kube::Error::Service(what.into())
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-answer HTTP server on loopback: every request gets `body` with status 200.
    async fn serve(body: &'static str) -> kube::Client {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(body.as_bytes()).await;
            }
        });
        let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
        kube::Client::try_from(config).unwrap()
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Everything logged at any level by any crate while `f` runs.
    async fn logged<F: Future>(f: F) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        f.await;
        drop(guard);
        String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned()
    }

    /// A Secret that does not parse: kube-client's own `request` logs the body, values and all;
    /// keyhole's reads log nothing of it, at any level.
    #[tokio::test]
    async fn a_secret_that_does_not_parse_is_never_logged() {
        let body = r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s"},"data":{"k":"czNjcjN0"},"type":7,"stringData":{"p":"s3cr3t-value"}}"#;
        let client = serve(body).await;
        let theirs = logged(async {
            let req = http::Request::get("/api/v1/namespaces/ns/secrets/s").body(Vec::new()).unwrap();
            let r: Result<k8s_openapi::api::core::v1::Secret, _> = client.request(req).await;
            assert!(r.is_err());
        })
        .await;
        assert!(theirs.contains("s3cr3t-value"), "kube-client logs what it cannot parse:\n{theirs}");
        let ours = logged(async {
            let r = super::super::ops::open(&client, "ns", "s").await;
            let e = r.expect_err("the body does not parse");
            assert!(!format!("{e:?}").contains("s3cr3t"), "{e:?}");
        })
        .await;
        assert!(!ours.contains("s3cr3t"), "keyhole's read logged a value:\n{ours}");
    }

    /// The message of an answer that does not parse names the place, never the text.
    #[test]
    fn parse_errors_do_not_quote_the_body() {
        #[derive(Debug, serde::Deserialize)]
        struct Needs {
            #[allow(dead_code)]
            count: u32,
        }
        let body = br#"{"count": "s3cr3t-value"}"#;
        let e = serde_json::from_slice::<Needs>(body).unwrap_err();
        assert!(e.to_string().contains("s3cr3t-value"), "serde quotes it: {e}");
        let what = format!("({:?} error at line {} column {})", e.classify(), e.line(), e.column());
        assert!(!what.contains("s3cr3t"));
    }
}
