#!/usr/bin/env python3
"""Writes assets/examples/: one valid manifest of each built-in Secret type, taken from the
examples of the Kubernetes Secret documentation (reference/kubernetes-v1.26-secret-docs.ja.txt),
invalid variants of each under invalid/, and unreadable inputs under broken/.

The TLS and ssh examples embed the demo keys of assets/pki and assets/ssh (demo only, they
protect nothing). Run from anywhere; the outputs are committed and tests/validate_cli.rs checks
exact lines in them, so re-run the tests after changing this script."""
import base64, os, textwrap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets")
OUT = os.path.join(ROOT, "examples")
for d in ("", "invalid", "broken"):
    os.makedirs(os.path.join(OUT, d), exist_ok=True)


def write(rel, text):
    with open(os.path.join(OUT, rel), "w", newline="\n") as f:
        f.write(text)


def b64(data):
    return base64.b64encode(data).decode()


def block(data, indent=4):
    """Base64 of data as a YAML literal block, wrapped at 76 columns (the API server ignores the
    line breaks, as Go's base64 decoder does)."""
    lines = textwrap.wrap(b64(data), 76)
    return "|\n" + "".join(" " * indent + line + "\n" for line in lines)


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


MYSECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
data:
  username: YWRtaW4=
  password: MWYyZDFlMmU2N2Rm
"""

BASIC_AUTH = """\
apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
"""

DOCKER_JSON = b'{"auths":{"my-registry:5000":{"username":"tiger","password":"pass113","email":"tiger@acme.com","auth":"dGlnZXI6cGFzczExMw=="}}}'
DOCKERCFG = b'{"my-registry.example:5000":{"username":"tiger","password":"pass113","email":"tiger@acme.com","auth":"dGlnZXI6cGFzczExMw=="}}'

# ---------------------------------------------------------------------------------------------
# Valid examples: `keyhole validate assets/examples/*.yaml assets/examples/*.json` exits 0.

write("opaque.yaml", "# The Opaque example of the Secret documentation: admin / 1f2d1e2e67df.\n" + MYSECRET)

write("basic-auth.yaml", "# kubernetes.io/basic-auth, written with stringData.\n" + BASIC_AUTH)

write("ssh-auth.yaml", f"""\
# kubernetes.io/ssh-auth with the demo key assets/ssh/id_ed25519.
apiVersion: v1
kind: Secret
metadata:
  name: secret-ssh-auth
type: kubernetes.io/ssh-auth
data:
  ssh-privatekey: {block(read("ssh/id_ed25519"))}""")

write("tls.yaml", f"""\
# kubernetes.io/tls with the demo certificate and key assets/pki/example.com.crt and .key.
apiVersion: v1
kind: Secret
metadata:
  name: secret-tls
type: kubernetes.io/tls
data:
  tls.crt: {block(read("pki/example.com.crt"))}  tls.key: {block(read("pki/example.com.key"))}""")

write("dockerconfigjson.json", """\
{
    "apiVersion": "v1",
    "data": {
        ".dockerconfigjson": "%s"
    },
    "kind": "Secret",
    "metadata": {
        "creationTimestamp": "2021-07-01T07:30:59Z",
        "name": "secret-tiger-docker",
        "namespace": "default",
        "resourceVersion": "566718",
        "uid": "e15c1d7b-9071-4100-8681-f3a7a2ce89ca"
    },
    "type": "kubernetes.io/dockerconfigjson"
}
""" % b64(DOCKER_JSON))

write("dockercfg.yaml", f"""\
# kubernetes.io/dockercfg: the legacy ~/.dockercfg format (registry -> credentials, no "auths").
apiVersion: v1
kind: Secret
metadata:
  name: secret-dockercfg
type: kubernetes.io/dockercfg
data:
  .dockercfg: {b64(DOCKERCFG)}
""")

write("service-account-token.yaml", """\
# kubernetes.io/service-account-token: only the service-account.name annotation is required;
# the token controller adds the uid annotation and data.token.
apiVersion: v1
kind: Secret
metadata:
  name: secret-sa-sample
  annotations:
    kubernetes.io/service-account.name: "sa-name"
type: kubernetes.io/service-account-token
data:
  # You can include additional key value pairs as you do with Opaque Secrets
  extra: YmFyCg==
""")

write("bootstrap-token.yaml", """\
# bootstrap.kubernetes.io/token, twice: with base64 data, then the same token with stringData.
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-5emitj
  namespace: kube-system
type: bootstrap.kubernetes.io/token
data:
  auth-extra-groups: c3lzdGVtOmJvb3RzdHJhcHBlcnM6a3ViZWFkbTpkZWZhdWx0LW5vZGUtdG9rZW4=
  expiration: MjAyMC0wOS0xM1QwNDozOToxMFo=
  token-id: NWVtaXRq
  token-secret: a3E0Z2lodnN6emduMXAwcg==
  usage-bootstrap-authentication: dHJ1ZQ==
  usage-bootstrap-signing: dHJ1ZQ==
---
apiVersion: v1
kind: Secret
metadata:
  # Note how the Secret is named
  name: bootstrap-token-5emitj
  # A bootstrap token Secret usually resides in the kube-system namespace
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  auth-extra-groups: "system:bootstrappers:kubeadm:default-node-token"
  expiration: "2020-09-13T04:39:10Z"
  # This token ID is used in the name
  token-id: "5emitj"
  token-secret: "kq4gihvszzgn1p0r"
  # This token can be used for authentication
  usage-bootstrap-authentication: "true"
  # and it can be used for signing
  usage-bootstrap-signing: "true"
""")

write("empty-secret.yaml", """\
# What `kubectl create secret generic empty-secret` creates: an Opaque Secret with no data.
apiVersion: v1
kind: Secret
metadata:
  name: empty-secret
type: Opaque
""")

write("dotfile-secret.yaml", """\
# A key that starts with one dot is a hidden file in the volume; the Pod is skipped.
apiVersion: v1
kind: Secret
metadata:
  name: dotfile-secret
data:
  .secret-file: dmFsdWUtMg0KDQo=
---
apiVersion: v1
kind: Pod
metadata:
  name: secret-dotfiles-pod
spec:
  volumes:
  - name: secret-volume
    secret:
      secretName: dotfile-secret
  containers:
  - name: dotfile-test-container
    image: registry.k8s.io/busybox
    command:
    - ls
    - "-l"
    - "/etc/secret-volume"
    volumeMounts:
    - name: secret-volume
      readOnly: true
      mountPath: "/etc/secret-volume"
""")

write("immutable.yaml", """\
# immutable: true. The data can never change again; only delete and recreate.
apiVersion: v1
kind: Secret
metadata:
  name: immutable-secret
  namespace: default
data:
  username: YWRtaW4=
immutable: true
""")

write("list.yaml", """\
# A kind: List, as `kubectl get secrets,configmaps -o yaml` prints it. The ConfigMap is skipped.
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata:
    name: mysecret
    namespace: default
  type: Opaque
  data:
    username: YWRtaW4=
    password: MWYyZDFlMmU2N2Rm
- apiVersion: v1
  kind: Secret
  metadata:
    name: secret-basic-auth
    namespace: default
  type: kubernetes.io/basic-auth
  stringData:
    username: admin
    password: t0p-Secret
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: app-config
    namespace: default
  data:
    mode: production
""")

write("mixed.yaml", """\
# Secrets mixed with other kinds: the ConfigMap and the Pod are skipped.
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: production
---
""" + MYSECRET + """\
---
apiVersion: v1
kind: Pod
metadata:
  name: secret-env-pod
spec:
  containers:
  - name: mycontainer
    image: redis
    env:
      - name: SECRET_USERNAME
        valueFrom:
          secretKeyRef:
            name: mysecret
            key: username
      - name: SECRET_PASSWORD
        valueFrom:
          secretKeyRef:
            name: mysecret
            key: password
  restartPolicy: Never
""")

CHUNK = "x" * (16 * 1024)
write("size-exactly-1mib.yaml", """\
# 64 values of 16 KiB: exactly 1048576 bytes, the most a Secret may hold (the limit is "more
# than 1 MiB"). The aliases repeat one 16 KiB string, as kubectl would expand them.
apiVersion: v1
kind: Secret
metadata:
  name: exactly-one-mebibyte
stringData:
  k00: &chunk %s
""" % CHUNK + "".join(f"  k{i:02d}: *chunk\n" for i in range(1, 64)))

write("warnings.yaml", """\
# Valid, with warnings: a key that starts with a digit (envFrom skips it) and an unquoted `on`
# key, which YAML 1.1 (and so kubectl) reads as the boolean true: the key becomes "true".
apiVersion: v1
kind: Secret
metadata:
  name: app-env
stringData:
  DATABASE_URL: postgres://app@db/app
  1password-token: abc
  on: "yes"
""")

# ---------------------------------------------------------------------------------------------
# Invalid variants: each file alone makes `keyhole validate` exit 1.

write("invalid/opaque-bad-key.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
data:
  user name: YWRtaW4=
  password: MWYyZDFlMmU2N2Rm
""")

write("invalid/bad-name.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: My_Secret
type: Opaque
""")

write("invalid/bad-namespace.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
  namespace: team.a
type: Opaque
""")

write("invalid/bad-base64.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
data:
  username: YWRtaW4=
  password: MWYyZDFlMmU2N2R
""")

write("invalid/basic-auth-no-keys.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
type: kubernetes.io/basic-auth
stringData:
  user: admin
  pass: t0p-Secret
""")

write("invalid/ssh-auth-empty-key.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: secret-ssh-auth
type: kubernetes.io/ssh-auth
data:
  ssh-privatekey: ""
""")

write("invalid/tls-missing-key.yaml", f"""\
apiVersion: v1
kind: Secret
metadata:
  name: secret-tls
type: kubernetes.io/tls
data:
  tls.crt: {block(read("pki/example.com.crt"))}""")

write("invalid/dockerconfigjson-not-object.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: secret-tiger-docker
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '["my-registry:5000", "tiger", "pass113"]'
""")

write("invalid/dockercfg-missing-key.yaml", f"""\
apiVersion: v1
kind: Secret
metadata:
  name: secret-dockercfg
type: kubernetes.io/dockercfg
data:
  config.json: {b64(DOCKER_JSON)}
""")

write("invalid/service-account-token-no-annotation.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: secret-sa-sample
type: kubernetes.io/service-account-token
data:
  extra: YmFyCg==
""")

write("invalid/bootstrap-token-bad-name.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-5EMITJ
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  token-id: "5emitj"
  token-secret: "kq4gihvszzgn1p0r"
  usage-bootstrap-authentication: "true"
""")

write("invalid/empty-secret-no-name.yaml", """\
apiVersion: v1
kind: Secret
metadata: {}
type: Opaque
""")

write("invalid/dotfile-bad-key.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: dotfile-secret
data:
  ..secret-file: dmFsdWUtMg0KDQo=
""")

write("invalid/immutable-not-bool.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: immutable-secret
data:
  username: YWRtaW4=
immutable: "true"
""")

write("invalid/string-data-bool.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: feature-flags
stringData:
  enabled: yes
""")

write("invalid/unknown-field.yaml", """\
# A typo: the Secret type has no field "stringdata". kubectl asks the server for strict field
# validation, so this is rejected instead of creating a Secret without the data.
apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
type: Opaque
stringdata:
  username: admin
""")

write("invalid/too-large.yaml", """\
# 65 values of 16 KiB: 1064960 bytes, more than the 1048576 a Secret may hold.
apiVersion: v1
kind: Secret
metadata:
  name: too-large
stringData:
  k00: &chunk %s
""" % CHUNK + "".join(f"  k{i:02d}: *chunk\n" for i in range(1, 65)))

write("invalid/list.yaml", """\
# A List whose second item is invalid: the error points at the item's line.
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata:
    name: mysecret
  data:
    username: YWRtaW4=
- apiVersion: v1
  kind: Secret
  metadata:
    name: secret-tls
  type: kubernetes.io/tls
  data:
    tls.key: ""
""")

# ---------------------------------------------------------------------------------------------
# Broken inputs: `keyhole validate` exits 2 and says where.

write("broken/malformed.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
 namespace: default
data:
  username: YWRtaW4=
""")

write("broken/malformed.json", """\
{
  "apiVersion": "v1",
  "kind": "Secret",
  "metadata": {"name": "mysecret"},
  "data": {"username": "YWRtaW4=",}
}
""")

write("broken/no-kind.yaml", """\
apiVersion: v1
metadata:
  name: mysecret
data:
  username: YWRtaW4=
""")
