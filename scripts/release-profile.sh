#!/usr/bin/env bash
# Builds keyhole with release-profile variants and measures what each buys: binary size (as
# built and stripped), build time, and the time of two CPU-bound runs. docs/packaging.md has the
# numbers of a run and the profile chosen from them (issue 17 item 5). Not part of CI.
#
#   scripts/release-profile.sh build [VARIANT...]   # build the variants (default: all)
#   scripts/release-profile.sh measure [VARIANT...] # size and timings of the built ones
#
# Variants: default (the release profile cargo gives), thin (lto = "thin"), fat (lto = "fat",
# codegen-units = 1), fat-s (fat with opt-level = "s"), chosen ([profile.release] of Cargo.toml
# as committed). Each is a full build of the dependency tree: several minutes on 2 cores, so
# build them one at a time, with nothing else building.
#
# The runs: `keyhole validate` on a generated manifest of N Secrets (tls with a certificate and
# key, docker registry, basic-auth, opaque; N=${SECRETS:-8000}), and `keyhole list -A -o wide`
# against `keyhole demo-server --scale ${SCALE:-20000}` on loopback (the server is always the
# default variant's, so only the client differs). hyperfine (apt-get install hyperfine).
#
# Environment: CARGO_TARGET_DIR (target), SECRETS, SCALE, RUNS (hyperfine runs, 10).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SECRETS=${SECRETS:-8000}
SCALE=${SCALE:-20000}
RUNS=${RUNS:-10}
ALL="default thin fat fat-s"

# cargo --config arguments per variant: each a profile of its own, so the builds sit side by
# side in $CARGO_TARGET_DIR/rp-VARIANT and none overwrites another.
flags() {
    local p="profile.rp-$1"
    local base=(--config "$p.inherits=\"release\"")
    case $1 in
        default | chosen) echo "${base[@]}" ;;
        thin) echo "${base[@]}" --config "$p.lto=\"thin\"" ;;
        fat) echo "${base[@]}" --config "$p.lto=\"fat\"" --config "$p.codegen-units=1" ;;
        fat-s) echo "${base[@]}" --config "$p.lto=\"fat\"" --config "$p.codegen-units=1" --config "$p.opt-level=\"s\"" ;;
        *) echo "unknown variant $1" >&2; exit 2 ;;
    esac
}

# `default` must not pick up what Cargo.toml's [profile.release] now sets: its settings are
# cargo's own defaults, stated.
defaults() {
    local p="profile.rp-$1"
    [ "$1" = chosen ] && return 0
    echo --config "$p.lto=false" --config "$p.codegen-units=16" --config "$p.opt-level=3" \
        --config "$p.strip=\"debuginfo\"" --config "$p.panic=\"unwind\""
}

bin() { echo "$CARGO_TARGET_DIR/rp-$1/keyhole"; }

build() {
    for v in "$@"; do
        echo "== build $v" >&2
        local start end
        start=$(date +%s)
        # shellcheck disable=SC2046 # word splitting of the --config list is wanted
        cargo build --locked -p keyhole --bin keyhole --profile "rp-$v" $(defaults "$v") $(flags "$v") >&2
        end=$(date +%s)
        echo "$v $((end - start))" >>"$CARGO_TARGET_DIR/rp-build-times"
        echo "   $v built in $((end - start)) s" >&2
    done
}

# N Secrets of four types, the TLS ones with the demo PKI's certificate and key.
manifest() {
    python3 - "$1" "$SECRETS" <<'EOF'
import base64, sys
out, n = sys.argv[1], int(sys.argv[2])
crt = base64.b64encode(open("assets/pki/example.com.crt", "rb").read()).decode()
key = base64.b64encode(open("assets/pki/example.com.key", "rb").read()).decode()
b = lambda s: base64.b64encode(s.encode()).decode()
docker = b('{"auths":{"registry.example.com":{"username":"u","password":"p","auth":"%s"}}}' % b("u:p"))
with open(out, "w") as f:
    for i in range(n):
        kind = i % 4
        f.write("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s-%d\n  namespace: ns-%d\n" % (i, i % 50))
        if kind == 0:
            f.write("type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n" % (crt, key))
        elif kind == 1:
            f.write("type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n" % docker)
        elif kind == 2:
            f.write("type: kubernetes.io/basic-auth\nstringData:\n  username: admin\n  password: pw-%d\n" % i)
        else:
            f.write("type: Opaque\ndata:\n  API_KEY: %s\n  config.yaml: %s\n" % (b("k-%d" % i), b("a: 1\nb: [x, y]\n" * 5)))
EOF
}

# A hyperfine result: `wall` (median ± stddev) or `cpu` (user + system, mean).
stat_of() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
if sys.argv[2] == "wall":
    print("%.0f ± %.0f ms" % (r["median"] * 1000, r["stddev"] * 1000))
else:
    print("%.0f ms" % ((r["user"] + r["system"]) * 1000))
EOF
}

measure() {
    command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
    work=$(mktemp -d "${TMPDIR:-/tmp}/keyhole-rp.XXXXXX")
    server=
    # The server drops ~3 GB of state on SIGTERM: wait for it, so the next run starts on a quiet machine.
    trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi; rm -rf "$work"' EXIT
    manifest "$work/secrets.yaml"
    echo "manifest: $SECRETS Secrets, $(du -h "$work/secrets.yaml" | cut -f1)" >&2
    "$(bin default)" demo-server --scale "$SCALE" --addr 127.0.0.1:0 --kubeconfig-out "$work/kc" >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        grep -q "kubeconfig written" "$work/server.log" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.2
    done
    printf '| variant | size | stripped | build s | validate %s Secrets: wall | validate: CPU | list -A -o wide, %s Secrets: wall | list: keyhole CPU |\n' "$SECRETS" "$SCALE"
    printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
    for v in "$@"; do
        local b size stripped built
        b=$(bin "$v")
        [ -x "$b" ] || { echo "$v is not built: $0 build $v" >&2; continue; }
        size=$(stat -c %s "$b")
        strip -s -o "$work/stripped" "$b"
        stripped=$(stat -c %s "$work/stripped")
        built=$(awk -v v="$v" '$1 == v { t = $2 } END { print t }' "$CARGO_TARGET_DIR/rp-build-times" 2>/dev/null || true)
        # validate exits 1 when it finds warnings; that is not a failure of the run.
        hyperfine -N -i --warmup 2 --runs "$((RUNS * 3))" --export-json "$work/v.json" \
            "$b validate -o json $work/secrets.yaml" >/dev/null
        KUBECONFIG=$work/kc hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/l.json" \
            "$b list -A -o wide" >/dev/null
        # Wall time: median ± stddev. The list's wall time includes the server's work and the
        # loopback; keyhole's own CPU time (user + system, mean) is what the profile changes, and
        # moves less than wall time when other work shares the machine.
        printf '| %s | %.1f MiB | %.1f MiB | %s | %s | %s | %s | %s |\n' "$v" \
            "$(echo "$size / 1048576" | bc -l)" "$(echo "$stripped / 1048576" | bc -l)" "${built:-?}" \
            "$(stat_of "$work/v.json" wall)" "$(stat_of "$work/v.json" cpu)" "$(stat_of "$work/l.json" wall)" "$(stat_of "$work/l.json" cpu)"
    done
}

what=${1:-}
shift || true
[ $# -gt 0 ] || set -- $ALL
case $what in
    build) build "$@" ;;
    measure) measure "$@" ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
