#!/usr/bin/env bash
# Measures keyhole at cluster scale against kubectl (and kdash, when it can be installed) on the
# embedded cluster, and writes docs/performance.md (issue 7). Everything runs on loopback.
#
#   scripts/bench.sh                  # the full run (about 20 minutes on 2 cores, plus installs)
#   QUICK=1 scripts/bench.sh          # fewer runs and no 50,000 row, to try the script
#
# Environment: SCALE (20000), GROWTH ("1000 10000 50000"), RUNS (hyperfine runs, 10),
# TUI_RUNS (5), KUBECTL (the kubectl to compare with), OUT (docs/performance.md),
# CARGO_TARGET_DIR (target), SKIP_KDASH=1, SKIP_CRITERION=1, SKIP_PATCHED=1, RESULTS_OUT (keep
# the raw results there; `scripts/bench_report.py DIR OUT` rewrites the page from them).
#
# Needs: cargo, and kubectl for the kubectl rows (skipped with a note without it). Installs
# hyperfine and GNU time from Debian with apt-get, and kdash with `cargo install kdash --locked`,
# when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/docs/performance.md}
SCALE=${SCALE:-20000}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    GROWTH=${GROWTH:-"1000 10000"}
    RUNS=${RUNS:-3}
    TUI_RUNS=${TUI_RUNS:-2}
else
    GROWTH=${GROWTH:-"1000 10000 50000"}
    RUNS=${RUNS:-10}
    TUI_RUNS=${TUI_RUNS:-5}
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyhole-bench.XXXXXX")
RES=$WORK/results
mkdir -p "$RES"
NOTES=$RES/notes.txt
: >"$NOTES"
git rev-parse --short HEAD >"$RES/commit" 2>/dev/null || true
SERVER_PID=

log() { printf '\n== %s\n' "$*" >&2; }
note() { printf '%s\n' "$*" | tee -a "$NOTES" >&2; }

cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------
apt_install() {
    if command -v apt-get >/dev/null; then
        local sudo=
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >/dev/null
    else
        echo "bench: $* missing and no apt-get to install it" >&2
        return 1
    fi
}
command -v hyperfine >/dev/null || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
command -v python3 >/dev/null || apt_install python3

KUBECTL=${KUBECTL:-}
if [ -z "$KUBECTL" ] && command -v kubectl >/dev/null; then
    KUBECTL=$(command -v kubectl)
    # Google Cloud SDK's kubectl is a dispatcher that execs a versioned kubectl beside it:
    # measure the real one, not the extra exec.
    real=$(readlink -f "$KUBECTL")
    # grep without -q reads all of kubectl's output: -q stops at the first match, kubectl can
    # then die of SIGPIPE, and under pipefail the dispatcher went unnoticed.
    if "$KUBECTL" version --client 2>/dev/null | grep dispatcher >/dev/null; then
        v=$("$KUBECTL" version --client 2>/dev/null | sed -n 's/^Client Version: v\([0-9]*\.[0-9]*\).*/\1/p')
        [ -x "$(dirname "$real")/kubectl.$v" ] && KUBECTL="$(dirname "$real")/kubectl.$v"
    fi
fi
if [ -z "$KUBECTL" ]; then
    note "kubectl is not installed: the kubectl rows and ratios are left out."
fi

find_kdash() {
    KDASH=
    if [ "${SKIP_KDASH:-0}" != 1 ]; then
        if command -v kdash >/dev/null; then
            KDASH=$(command -v kdash)
        else
            log "installing kdash (cargo install kdash --locked)"
            if cargo install kdash --locked >"$WORK/kdash-install.log" 2>&1; then
                KDASH=$(command -v kdash || echo "$HOME/.cargo/bin/kdash")
            else
                note "kdash could not be installed (cargo install kdash --locked failed: $(tail -1 "$WORK/kdash-install.log")); the kdash rows are left out."
            fi
        fi
    fi
}

# --- build -----------------------------------------------------------------------------------
log "building keyhole, pty_probe and storm (release)"
cargo build --release --bin keyhole --example pty_probe --example storm >&2
cp "$CARGO_TARGET_DIR/release/keyhole" "$WORK/keyhole"
cp "$CARGO_TARGET_DIR/release/examples/pty_probe" "$CARGO_TARGET_DIR/release/examples/storm" "$WORK/"
KH=$WORK/keyhole
PROBE=$WORK/pty_probe
STORM=$WORK/storm

# Proposed fixes outside this branch's files (scripts/bench-patches/*.diff): the TUI is also
# measured with them applied to a copy of HEAD, so the report shows what they change.
KH_PATCHED=
if [ "${SKIP_PATCHED:-0}" != 1 ] && ls scripts/bench-patches/*.diff >/dev/null 2>&1; then
    log "building keyhole with scripts/bench-patches applied"
    mkdir -p "$WORK/patched"
    git archive HEAD | tar -x -C "$WORK/patched"
    if (cd "$WORK/patched" && for p in "$ROOT"/scripts/bench-patches/*.diff; do git apply "$p" || exit 1; done); then
        cargo build --release --bin keyhole --manifest-path "$WORK/patched/Cargo.toml" >&2
        cp "$CARGO_TARGET_DIR/release/keyhole" "$WORK/keyhole-patched"
        KH_PATCHED=$WORK/keyhole-patched
        cp "$WORK/keyhole" "$CARGO_TARGET_DIR/release/keyhole"
    else
        note "scripts/bench-patches no longer apply to HEAD (already merged?): the patched rows are left out."
    fi
fi

# --- the cluster -----------------------------------------------------------------------------
start_server() { # N
    local n=$1
    KC=$WORK/kubeconfig-$n
    "$KH" demo-server --scale "$n" --addr 127.0.0.1:0 --kubeconfig-out "$KC" >"$WORK/server-$n.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        grep -q "kubeconfig written" "$WORK/server-$n.log" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server-$n.log" >&2; exit 1; }
        sleep 0.2
    done
    export KUBECONFIG=$KC
    # kubectl caches discovery in ~/.kube/cache: warm it, as for a cluster one works with daily.
    [ -z "$KUBECTL" ] || "$KUBECTL" get secrets -n default >/dev/null 2>&1 || true
}
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# Peak RSS (KiB) of a command, median of 3 runs.
peak_rss() {
    local out=()
    for _ in 1 2 3; do
        /usr/bin/time -f '%M' -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/time.err" || true
        out+=("$(tail -1 "$WORK/time.out")")
    done
    printf '%s\n' "${out[@]}" | sort -n | sed -n 2p
}

# The TUI from launch to the complete list (all Secrets, Pod usage, missing Secrets) painted.
# A run that does not finish within 120 s or passes 2 GiB is recorded as failed, with why.
# The step before, "N Secrets" in the title, is when every Secret is listed (compared with kdash).
tui_launch() { # binary label runs
    local bin=$1 label=$2 runs=$3
    local total=$(( $("$KH" list -A | wc -l) - 1 ))
    for i in $(seq 1 "$runs"); do
        "$PROBE" --cols 200 --rows 60 --timeout 120 --max-rss-mb 2048 \
            "wait:$total Secrets" "wait:missing" rss:ready sleep:10000 rss:settled -- "$bin" -A \
            >"$RES/tui-$label-$i.json" || true
    done
}
storm() { # binary label
    "$PROBE" --cols 200 --rows 60 --timeout 120 --max-rss-mb 2048 \
        "wait:missing" sleep:10000 'keys:/zzstorm\r' "wait:Nothing matches" rss:before \
        "storm:$STORM --kubeconfig $KC --scale $SCALE --rate 500 --seconds 20" \
        rss:after_storm sleep:15000 rss:after -- "$1" -A >"$RES/storm-$2.json" || true
}

measure_list() { # N label runs
    local n=$1 label=$2 runs=$3
    local cmds=("$KH list -A")
    [ -z "$KUBECTL" ] || cmds+=("$KUBECTL get secrets -A")
    hyperfine --warmup 1 --runs "$runs" -N --export-json "$RES/list-$label.json" "${cmds[@]}" >&2 ||
        hyperfine --warmup 1 --runs "$runs" --export-json "$RES/list-$label.json" "${cmds[@]}" >&2
    echo "$(peak_rss "$KH" list -A)" >"$RES/rss-keyhole-$label"
    [ -z "$KUBECTL" ] || echo "$(peak_rss "$KUBECTL" get secrets -A)" >"$RES/rss-kubectl-$label"
    "$KH" list -A | wc -l >"$RES/lines-$label"
}

# --- criterion -------------------------------------------------------------------------------
if [ "${SKIP_CRITERION:-0}" != 1 ]; then
    log "criterion benches"
    rm -rf "$CARGO_TARGET_DIR/criterion"
    cargo bench --bench list_screen --bench refs_index -- --warm-up-time 1 --measurement-time 4 >&2
    cp -r "$CARGO_TARGET_DIR/criterion" "$RES/criterion"
fi

# --- the main scenario -----------------------------------------------------------------------
log "scale $SCALE: keyhole list -A vs kubectl get secrets -A"
start_server "$SCALE"
measure_list "$SCALE" main "$RUNS"
if [ -n "$KUBECTL" ]; then
    # For context: kubectl without paging (one request, so no client-side rate limit).
    hyperfine --warmup 1 --runs 3 -N --export-json "$RES/kubectl-nochunk.json" \
        "$KUBECTL get secrets -A --chunk-size=0" >&2 || true
fi

log "scale $SCALE: the TUI in a pseudo-terminal"
tui_launch "$KH" main "$TUI_RUNS"
[ -z "$KH_PATCHED" ] || tui_launch "$KH_PATCHED" patched "$TUI_RUNS"

log "scale $SCALE: watch storm, 500 updates/s for 20 s"
storm "$KH" main
[ -z "$KH_PATCHED" ] || storm "$KH_PATCHED" patched

find_kdash
if [ -n "$KDASH" ]; then
    log "scale $SCALE: kdash"
    # kdash opens on its overview (pods); its Secrets are under the "0:More" resources menu,
    # and the list's title carries the count once all of them are loaded.
    total=$(( $("$KH" list -A | wc -l) - 1 ))
    for i in $(seq 1 "$TUI_RUNS"); do
        "$PROBE" --cols 200 --rows 60 --timeout 300 \
            "wait:Pods" 'keys:0' "wait:Select Resource" 'keys:/Secrets\r' "wait:Secrets (ns: all) [$total]" rss:shown sleep:10000 rss:settled \
            -- "$KDASH" >"$RES/kdash-$i.json" || { note "kdash run $i failed: see the probe's error"; break; }
    done
fi
stop_server

# --- growth ----------------------------------------------------------------------------------
for n in $GROWTH; do
    log "growth: $n Secrets"
    start_server "$n"
    runs=$RUNS
    [ "$n" -lt 50000 ] || runs=3
    measure_list "$n" "g$n" "$runs"
    tui_launch "$KH" "g$n" 1
    [ -z "$KH_PATCHED" ] || tui_launch "$KH_PATCHED" "g$n-patched" 1
    stop_server
done

# --- the report ------------------------------------------------------------------------------
log "writing $OUT"
# `sed -n 1p` reads all its input: with `head -1` the writer can die of SIGPIPE, and under
# pipefail and `set -e` that ended the whole script here, before the report was written.
KUBECTL_VERSION=$([ -z "$KUBECTL" ] || "$KUBECTL" version --client 2>/dev/null | sed -n 1p || true)
KDASH_VERSION=$([ -z "$KDASH" ] || "$KDASH" --version 2>/dev/null | sed -n 1p || true)
export KUBECTL KUBECTL_VERSION KDASH KDASH_VERSION SCALE GROWTH RUNS TUI_RUNS KH_PATCHED
python3 scripts/bench_report.py "$RES" "$OUT"
[ -z "${RESULTS_OUT:-}" ] || { rm -rf "$RESULTS_OUT"; cp -r "$RES" "$RESULTS_OUT"; }
echo "wrote $OUT" >&2
