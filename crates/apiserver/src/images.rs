//! Container images as the embedded cluster's kubelet meets them when it starts a new
//! container: whether it pulls (the pull policy), and whether the registry still has the image.
//!
//! Every image can be pulled, except the tags in [`DELETED_TAGS`]: they were deleted from their
//! registry after the demo's running Pods had pulled them. Those Pods keep running from the
//! node's copy; a new container of such an image pulls only when its policy says `Always`, and
//! that pull fails as containerd reports a missing tag through CRI (`NotFound`). With
//! `IfNotPresent` the node's copy is used, as a kubelet does.

use serde_json::Value;

use crate::kubelet::normalize_image;

/// Image references (as containerd names them) whose tags no longer exist in their registry.
/// `shop/orders-worker` runs `ghcr.io/example/orders-worker:1.8.2` with `imagePullPolicy:
/// Always`: its running Pods are fine, every new one fails to pull.
pub const DELETED_TAGS: &[&str] = &["ghcr.io/example/orders-worker:1.8.2"];

/// The container's pull policy: as written, else `SetDefaults_Container`'s
/// (`pkg/apis/core/v1/defaults.go`): `Always` for the tag `latest` or no tag (and no digest),
/// `IfNotPresent` otherwise.
pub fn pull_policy(container: &Value) -> &str {
    match container.get("imagePullPolicy").and_then(Value::as_str) {
        Some(p) if !p.is_empty() => p,
        _ => {
            let image = container.get("image").and_then(Value::as_str).unwrap_or("");
            if image.contains('@') {
                return "IfNotPresent";
            }
            let last = image.rsplit('/').next().unwrap_or("");
            match last.split_once(':') {
                Some((_, tag)) if tag != "latest" => "IfNotPresent",
                _ => "Always",
            }
        }
    }
}

/// Why the kubelet cannot pull the image of `container` for a new Pod, in the words the
/// container status carries (`ErrImagePull`'s message: the CRI error as gRPC prints it, from
/// containerd's resolver), or `None` when the image is there or no pull is needed.
pub fn pull_error(container: &Value) -> Option<String> {
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let (reference, _) = normalize_image(image);
    if pull_policy(container) != "Always" || !DELETED_TAGS.contains(&reference.as_str()) {
        return None;
    }
    Some(format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pull_policies_default_as_the_api_server_sets_them() {
        assert_eq!(pull_policy(&json!({"image": "nginx"})), "Always");
        assert_eq!(pull_policy(&json!({"image": "nginx:latest"})), "Always");
        assert_eq!(pull_policy(&json!({"image": "nginx:1.27"})), "IfNotPresent");
        assert_eq!(pull_policy(&json!({"image": "my-registry:5000/app"})), "Always");
        assert_eq!(pull_policy(&json!({"image": "nginx@sha256:abc"})), "IfNotPresent");
        assert_eq!(pull_policy(&json!({"image": "nginx", "imagePullPolicy": "Never"})), "Never");
    }

    #[test]
    fn only_a_pull_of_a_deleted_tag_fails() {
        let gone = "ghcr.io/example/orders-worker:1.8.2";
        let always = json!({"image": gone, "imagePullPolicy": "Always"});
        let message = pull_error(&always).expect("the tag is gone");
        assert_eq!(
            message,
            "rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/example/orders-worker:1.8.2\": failed to resolve reference \"ghcr.io/example/orders-worker:1.8.2\": ghcr.io/example/orders-worker:1.8.2: not found"
        );
        // The node's copy serves a policy that does not insist on pulling.
        assert_eq!(pull_error(&json!({"image": gone})), None);
        assert_eq!(pull_error(&json!({"image": "nginx", "imagePullPolicy": "Always"})), None);
    }
}
