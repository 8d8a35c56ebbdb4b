#!/usr/bin/env python3
"""Writes assets/demo/*.yaml: the embedded cluster's demo data. The Secrets are the examples
of the Kubernetes Secret documentation (reference/kubernetes-v1.26-secret-docs.ja.txt), with
their names and values; the Pods use them in every way a Pod can. Certificates and keys come
from assets/pki and assets/ssh (scripts/gen-pki.py). Run it after changing either; the output
is committed and is plain Kubernetes YAML (`kubectl apply -f assets/demo/` works on a real
cluster, except for the parts the demo server generates at start: Helm release records and the
certificate that always expires within 30 days)."""
import base64, os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets")
OUT = os.path.join(ROOT, "demo")

def read(p):
    with open(os.path.join(ROOT, p), "rb") as f:
        return f.read()

def block(text, indent):
    pad = " " * indent
    return "|\n" + "".join(pad + line + "\n" for line in text.decode().rstrip("\n").split("\n"))

def b64(b):
    return base64.b64encode(b).decode()

ssh_rsa, ssh_rsa_pub, ssh_ed = read("ssh/id_rsa"), read("ssh/id_rsa.pub"), read("ssh/id_ed25519")
crt, key = read("pki/example.com.crt"), read("pki/example.com.key")
exp_crt, exp_key = read("pki/expired.crt"), read("pki/expired.key")
mm_crt, mm_key = read("pki/mismatch.crt"), read("pki/mismatch.key")
ca_crt = read("pki/ca.crt")
jwt = read("tokens/sa-token.jwt").decode().strip()
sa_uid = read("tokens/sa-uid.txt").decode().strip()
ca_der = base64.b64decode("".join(l for l in ca_crt.decode().splitlines() if not l.startswith("-----")))

secrets = f"""# The Secret examples of the Kubernetes documentation (concepts/configuration/secret), with
# the names and values it uses, plus a few that show what keyhole warns about.
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
  namespace: default
  labels:
    app.kubernetes.io/part-of: docs-examples
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {{"apiVersion":"v1","data":{{"password":"MWYyZDFlMmU2N2Rm","username":"YWRtaW4="}},"kind":"Secret","metadata":{{"annotations":{{}},"name":"mysecret","namespace":"default"}},"type":"Opaque"}}
type: Opaque
data:
  username: YWRtaW4=
  password: MWYyZDFlMmU2N2Rm
  # Not valid environment variable names: envFrom consumers skip them.
  1badkey: dmFsdWUtMQ==
  2alsobad: dmFsdWUtMg==
---
apiVersion: v1
kind: Secret
metadata:
  name: empty-secret
  namespace: default
type: Opaque
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-sa-sample
  namespace: default
  annotations:
    kubernetes.io/service-account.name: build-robot
    kubernetes.io/service-account.uid: {sa_uid}
type: kubernetes.io/service-account-token
data:
  # You can include additional key value pairs as you do with Opaque Secrets
  extra: YmFyCg==
  namespace: {b64(b"default")}
  ca.crt: {b64(ca_crt)}
stringData:
  token: {jwt}
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-dockercfg
  namespace: default
type: kubernetes.io/dockercfg
stringData:
  .dockercfg: |
    {{"my-registry.example:5000":{{"username":"tiger","password":"pass113","email":"tiger@acme.com","auth":"dGlnZXI6cGFzczExMw=="}}}}
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-tiger-docker
  namespace: default
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJteS1yZWdpc3RyeTo1MDAwIjp7InVzZXJuYW1lIjoidGlnZXIiLCJwYXNzd29yZCI6InBhc3MxMTMiLCJlbWFpbCI6InRpZ2VyQGFjbWUuY29tIiwiYXV0aCI6ImRHbG5aWEk2Y0dGemN6RXhNdz09In19fQ==
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
  namespace: default
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-ssh-auth
  namespace: default
type: kubernetes.io/ssh-auth
stringData:
  ssh-privatekey: {block(ssh_ed, 4)}---
apiVersion: v1
kind: Secret
metadata:
  name: secret-tls
  namespace: default
type: kubernetes.io/tls
stringData:
  tls.crt: {block(crt, 4)}  tls.key: {block(key, 4)}---
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
  name: ssh-key-secret
  namespace: default
type: Opaque
stringData:
  ssh-privatekey: {block(ssh_rsa, 4)}  ssh-publickey: {ssh_rsa_pub.decode().strip()}
---
apiVersion: v1
kind: Secret
metadata:
  name: prod-db-secret
  namespace: default
type: Opaque
stringData:
  username: produser
  password: Y4nys7f11
---
apiVersion: v1
kind: Secret
metadata:
  name: test-db-secret
  namespace: default
type: Opaque
stringData:
  username: testuser
  password: iluvtests
---
apiVersion: v1
kind: Secret
metadata:
  name: dotfile-secret
  namespace: default
data:
  .secret-file: dmFsdWUtMg0KDQo=
---
# Immutable: data cannot change, only delete and recreate (or clone under a new name).
apiVersion: v1
kind: Secret
metadata:
  name: app-config-v1
  namespace: default
type: Opaque
immutable: true
stringData:
  API_URL: https://api.example.com/v1
  FEATURE_FLAGS: '{{"newCheckout":true,"darkMode":false}}'
---
# Binary: a DER certificate. Shown as a hex dump, never through a lossy UTF-8 conversion.
apiVersion: v1
kind: Secret
metadata:
  name: binary-truststore
  namespace: default
type: Opaque
data:
  truststore.der: {b64(ca_der)}
---
# Expired certificate: keyhole flags it.
apiVersion: v1
kind: Secret
metadata:
  name: legacy-tls
  namespace: default
type: kubernetes.io/tls
stringData:
  tls.crt: {block(exp_crt, 4)}  tls.key: {block(exp_key, 4)}---
# The key does not belong to the certificate: the API server accepts it with a warning.
apiVersion: v1
kind: Secret
metadata:
  name: mismatched-tls
  namespace: default
type: kubernetes.io/tls
stringData:
  tls.crt: {block(mm_crt, 4)}  tls.key: {block(mm_key, 4)}---
apiVersion: v1
kind: Secret
metadata:
  name: shop-db
  namespace: shop
type: Opaque
stringData:
  DATABASE_URL: postgres://shop:s3cr3t-sh0p@db.shop.svc:5432/shop
  DB_PASSWORD: s3cr3t-sh0p
---
apiVersion: v1
kind: Secret
metadata:
  name: grafana-admin
  namespace: monitoring
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: gr4fana-Adm1n
"""

def pod(name, ns, spec, labels=None, owner=None):
    lines = [f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n"]
    if labels:
        lines.append("  labels:\n" + "".join(f"    {k}: {v}\n" for k, v in labels.items()))
    if owner:
        lines.append(f"  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n    name: {owner}\n"
                     f"    uid: {owner}-uid\n    controller: true\n    blockOwnerDeletion: true\n")
    lines.append("spec:\n" + spec)
    return "".join(lines)

pods = [
    "# Pods that use the Secrets in every way a Pod can (reference section 6.1).\n" + pod("mypod", "default", """\
  containers:
  - name: mypod
    image: redis
    volumeMounts:
    - name: foo
      mountPath: "/etc/foo"
      readOnly: true
  volumes:
  - name: foo
    secret:
      secretName: mysecret
      defaultMode: 0400
      items:
      - key: username
        path: my-group/my-username
        mode: 0777
"""),
    pod("dapi-test-pod", "default", """\
  containers:
  - name: test-container
    image: registry.k8s.io/busybox
    command: [ "/bin/sh", "-c", "env" ]
    envFrom:
    - secretRef:
        name: mysecret
  restartPolicy: Never
"""),
    pod("secret-test-pod", "default", """\
  volumes:
  - name: secret-volume
    secret:
      secretName: ssh-key-secret
  containers:
  - name: ssh-test-container
    image: mySshImage
    volumeMounts:
    - name: secret-volume
      readOnly: true
      mountPath: "/etc/secret-volume"
""", labels={"name": "secret-test"}),
    pod("prod-db-client-pod", "default", """\
  serviceAccountName: prod-db-client
  volumes:
  - name: secret-volume
    secret:
      secretName: prod-db-secret
  containers:
  - name: db-client-container
    image: myClientImage
    volumeMounts:
    - name: secret-volume
      readOnly: true
      mountPath: "/etc/secret-volume"
""", labels={"name": "prod-db-client"}),
    pod("test-db-client-pod", "default", """\
  serviceAccountName: test-db-client
  volumes:
  - name: secret-volume
    secret:
      secretName: test-db-secret
  containers:
  - name: db-client-container
    image: myClientImage
    volumeMounts:
    - name: secret-volume
      readOnly: true
      mountPath: "/etc/secret-volume"
""", labels={"name": "test-db-client"}),
    pod("secret-dotfiles-pod", "default", """\
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
"""),
    pod("private-image-pod", "default", """\
  containers:
  - name: app
    image: my-registry.example:5000/tiger/app:1.4
  imagePullSecrets:
  - name: secret-tiger-docker
"""),
    pod("projected-secrets-pod", "default", """\
  containers:
  - name: app
    image: registry.k8s.io/busybox
    volumeMounts:
    - name: all-in-one
      mountPath: /projected-volume
      readOnly: true
  volumes:
  - name: all-in-one
    projected:
      sources:
      - secret:
          name: mysecret
          items:
          - key: username
            path: my-group/my-username
      - secret:
          name: secret-basic-auth
          items:
          - key: password
            path: basic/password
          optional: true
"""),
    pod("subpath-pod", "default", """\
  initContainers:
  - name: wait-for-config
    image: busybox:1.36
    command: ["sh", "-c", "echo waiting for the configuration"]
  containers:
  - name: app
    image: nginx
    volumeMounts:
    - name: creds
      mountPath: /etc/app/password
      subPath: password
      readOnly: true
  volumes:
  - name: creds
    secret:
      secretName: secret-basic-auth
"""),
    pod("csi-secrets-pod", "default", """\
  containers:
  - name: app
    image: nginx
    volumeMounts:
    - name: vault
      mountPath: /mnt/secrets-store
      readOnly: true
  volumes:
  - name: vault
    csi:
      driver: secrets-store.csi.k8s.io
      readOnly: true
      volumeAttributes:
        secretProviderClass: vault-db
      nodePublishSecretRef:
        name: secret-basic-auth
"""),
    "# References a Secret that does not exist: not optional, so the Pod cannot start.\n" + pod("missing-secret-pod", "default", """\
  containers:
  - name: app
    image: nginx
    env:
    - name: API_TOKEN
      valueFrom:
        secretKeyRef:
          name: api-token
          key: token
    - name: OPTIONAL_FLAG
      valueFrom:
        secretKeyRef:
          name: feature-flags
          key: beta
          optional: true
"""),
    "# References a key that mysecret does not have.\n" + pod("missing-key-pod", "default", """\
  containers:
  - name: app
    image: nginx
    env:
    - name: API_KEY
      valueFrom:
        secretKeyRef:
          name: mysecret
          key: api-key
"""),
]

def workload(ns, name, rs_hash, pod_suffixes, spec, labels, comment="", deploy_spec=""):
    """A Deployment at its first revision, its ReplicaSet and its Pods, with the annotations the
    Deployment controller writes (the embedded cluster's controller rolls them from there)."""
    lab = "".join(f"      {k}: {v}\n" for k, v in labels.items())
    lab4 = "".join(f"    {k}: {v}\n" for k, v in labels.items())
    tmpl = "".join("      " + l + "\n" for l in spec.rstrip("\n").split("\n"))
    replicas = len(pod_suffixes)
    surge = -(-replicas // 4)  # maxSurge 25%, rounded up
    out = [f"""{comment}apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  uid: {name}-deploy-uid
  labels:
{lab4}  annotations:
    deployment.kubernetes.io/revision: "1"
spec:
  replicas: {replicas}
{deploy_spec}  selector:
    matchLabels:
{lab}  template:
    metadata:
      labels:
{"".join(f"        {k}: {v}" + chr(10) for k, v in labels.items())}    spec:
{"".join("  " + l + chr(10) for l in tmpl.rstrip(chr(10)).split(chr(10)))}""",
           f"""apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: {name}-{rs_hash}
  namespace: {ns}
  uid: {name}-{rs_hash}-uid
  labels:
{lab4}    pod-template-hash: {rs_hash}
  annotations:
    deployment.kubernetes.io/desired-replicas: "{replicas}"
    deployment.kubernetes.io/max-replicas: "{replicas + surge}"
    deployment.kubernetes.io/revision: "1"
  ownerReferences:
  - apiVersion: apps/v1
    kind: Deployment
    name: {name}
    uid: {name}-deploy-uid
    controller: true
    blockOwnerDeletion: true
spec:
  replicas: {replicas}
  selector:
    matchLabels:
{lab}      pod-template-hash: {rs_hash}
  template:
    metadata:
      labels:
{"".join(f"        {k}: {v}" + chr(10) for k, v in labels.items())}        pod-template-hash: {rs_hash}
    spec:
{"".join("  " + l + chr(10) for l in tmpl.rstrip(chr(10)).split(chr(10)))}"""]
    for s in pod_suffixes:
        # The Pods' spec is the template's, indented under `spec:` as pod() expects.
        pod_spec = "".join("  " + l + "\n" for l in spec.rstrip("\n").split("\n"))
        out.append(pod(f"{name}-{rs_hash}-{s}", ns, pod_spec, labels={**labels, "pod-template-hash": rs_hash},
                       owner=f"{name}-{rs_hash}"))
    return out

web_spec = """\
containers:
- name: web
  image: nginx:1.27
  env:
  - name: DB_USER
    valueFrom:
      secretKeyRef:
        name: prod-db-secret
        key: username
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: prod-db-secret
        key: password
  volumeMounts:
  - name: tls
    mountPath: /etc/nginx/tls
    readOnly: true
volumes:
- name: tls
  secret:
    secretName: secret-tls
"""
shop_spec = """\
serviceAccountName: shop-frontend
containers:
- name: frontend
  image: ghcr.io/example/shop-frontend:2.3.1
  envFrom:
  - secretRef:
      name: shop-db
  volumeMounts:
  - name: tls
    mountPath: /tls
    readOnly: true
volumes:
- name: tls
  secret:
    secretName: shop-tls
"""
grafana_spec = """\
containers:
- name: grafana
  image: grafana/grafana:11.3.0
  env:
  - name: GF_SECURITY_ADMIN_USER
    valueFrom:
      secretKeyRef:
        name: grafana-admin
        key: username
  - name: GF_SECURITY_ADMIN_PASSWORD
    valueFrom:
      secretKeyRef:
        name: grafana-admin
        key: password
"""
# The documentation's secret-env-pod (its spec, minus `restartPolicy: Never`, which a
# Deployment's template may not have), run by a Deployment so that it can be restarted after
# mysecret changes: env values are read when a container starts.
secret_env_spec = """\
containers:
- name: mycontainer
  image: redis
  env:
  - name: SECRET_USERNAME
    valueFrom:
      secretKeyRef:
        name: mysecret
        key: username
        optional: false
  - name: SECRET_PASSWORD
    valueFrom:
      secretKeyRef:
        name: mysecret
        key: password
        optional: false
"""
orders_spec = """\
containers:
- name: orders-worker
  image: ghcr.io/example/orders-worker:1.8.2
  imagePullPolicy: Always
  env:
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: shop-db
        key: DATABASE_URL
"""
orders_comment = """# A rollout that fails: the tag 1.8.2 was deleted from the registry after these Pods pulled it.
# They keep running from the node's copy, but with imagePullPolicy Always every new Pod pulls,
# and the pull fails (ErrImagePull, then ImagePullBackOff): after a restart the Deployment
# exceeds its progress deadline (30 s) and its old Pods keep serving (docs/embedded-cluster.md).
"""
workloads = (workload("default", "web", "7d4b9c8f6", ["x2k9p", "m4q7z"], web_spec, {"app": "web"})
             + workload("default", "secret-env", "6d9c7b8f5", ["v7rzx"], secret_env_spec, {"app": "secret-env"})
             + workload("shop", "orders-worker", "9c4d7f6b5", ["qs2wz", "t6hnm"], orders_spec,
                        {"app": "orders-worker"}, comment=orders_comment, deploy_spec="  progressDeadlineSeconds: 30\n")
             + workload("shop", "shop-frontend", "5c8d7b9f4", ["h7t2w", "r9n3c"], shop_spec,
                        {"app.kubernetes.io/name": "shop-frontend", "app.kubernetes.io/managed-by": "Helm"})
             + workload("monitoring", "grafana", "6f9c4d8b7", ["q2w8e"], grafana_spec,
                        {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/managed-by": "Helm"}))

others = f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: build-robot
  namespace: default
  uid: {sa_uid}
secrets:
- name: secret-sa-sample
imagePullSecrets:
- name: secret-tiger-docker
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: prod-db-client
  namespace: default
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: test-db-client
  namespace: default
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop-frontend
  namespace: shop
imagePullSecrets:
- name: shop-registry
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: example-ingress
  namespace: default
spec:
  ingressClassName: nginx
  tls:
  - hosts:
    - example.com
    - www.example.com
    secretName: secret-tls
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  ingressClassName: nginx
  tls:
  - hosts:
    - shop.example.com
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop-frontend
            port:
              number: 80
"""

namespaces = "".join(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\n---\n"
                     for n in ["default", "kube-system", "kube-public", "shop", "monitoring"]).rstrip("-\n") + "\n"

os.makedirs(OUT, exist_ok=True)
for fname, body in [("00-namespaces.yaml", namespaces), ("10-secrets.yaml", secrets),
                    ("20-pods.yaml", "---\n".join(pods)), ("30-workloads.yaml", "---\n".join(workloads)),
                    ("40-serviceaccounts-ingresses.yaml", others)]:
    with open(os.path.join(OUT, fname), "w") as f:
        f.write(body)
print("wrote", OUT)
