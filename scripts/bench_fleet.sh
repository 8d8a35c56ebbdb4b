#!/usr/bin/env bash
# The fleet benchmark (issue 18): `keyhole list --contexts` over N contexts of S Secrets each,
# against `kubectl get secrets -A` once per context, in sequence and in parallel, all in this
# script on this machine (ratios, not absolute times, are the result). Memory: keyhole's peak
# resident size over 1, N/2 and N contexts, to show it grows with rows, not contexts times
# something larger.
#
#   scripts/bench_fleet.sh            # 10 contexts x 5,000 Secrets, 10 runs
#   CLUSTERS=4 SCALE=1000 RUNS=3 scripts/bench_fleet.sh   # a quick try
#
# Needs: cargo, hyperfine and GNU time (apt-get install hyperfine time), kubectl for its rows.
# Prints a Markdown section for docs/performance.md on stdout; details on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTERS=${CLUSTERS:-10}
SCALE=${SCALE:-5000}
RUNS=${RUNS:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target-bench}
cargo build --release --bin keyhole >&2
KH=$CARGO_TARGET_DIR/release/keyhole
WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyhole-fleet.XXXXXX")
KC=$WORK/kubeconfig
"$KH" demo-server --clusters "$CLUSTERS" --scale "$SCALE" --addr 127.0.0.1:0 --kubeconfig-out "$KC" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 600); do
    [ -s "$KC" ] && grep -q "Press Ctrl-C" "$WORK/server.log" && break
    sleep 1
done
export KUBECONFIG=$KC
CONTEXTS=$(seq -s, -f 'fleet-%g' 1 "$CLUSTERS")
HALF=$(seq -s, -f 'fleet-%g' 1 $((CLUSTERS / 2)))
KUBECTL_SEQ="for c in ${CONTEXTS//,/ }; do kubectl --context \$c get secrets -A >/dev/null; done"
KUBECTL_PAR="printf '%s\n' ${CONTEXTS//,/ } | xargs -P $CLUSTERS -I{} kubectl --context {} get secrets -A -o name >/dev/null"
# Warm kubectl's discovery cache, as a user's would be.
for c in ${CONTEXTS//,/ }; do kubectl --context "$c" get secrets -n default >/dev/null; done
hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/times.json" \
    -n "keyhole list --contexts (10 parallel)" "$KH list --contexts $CONTEXTS -A --parallel $CLUSTERS >/dev/null" \
    -n "keyhole list --contexts (4 parallel, default)" "$KH list --contexts $CONTEXTS -A >/dev/null" \
    -n "kubectl get secrets -A, each context in sequence" "bash -c '$KUBECTL_SEQ'" \
    -n "kubectl get secrets -A, contexts in parallel" "bash -c \"$KUBECTL_PAR\"" >&2
rss() { /usr/bin/time -f '%M' "$KH" list --contexts "$1" -A --parallel "$CLUSTERS" 2>&1 >/dev/null | tail -1; }
ONE=$(rss fleet-1)
HALF_RSS=$(rss "$HALF")
ALL=$(rss "$CONTEXTS")
python3 - "$WORK/times.json" "$CLUSTERS" "$SCALE" "$ONE" "$HALF_RSS" "$ALL" <<'PY'
import json, sys
times, n, scale, one, half, full = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *map(int, sys.argv[4:])
r = json.load(open(times))["results"]
base = r[2]["mean"]
print(f"### Fleet: {n} contexts x {scale:,} Secrets\n")
print("| command | mean | vs kubectl in sequence |\n|---|---|---|")
for x in r:
    print(f"| {x['command']} | {x['mean']*1000:.0f} ms ± {x['stddev']*1000:.0f} | {base / x['mean']:.2f}x |")
print(f"\nPeak resident memory of keyhole list -A: 1 context {one/1024:.1f} MiB, {n//2} contexts {half/1024:.1f} MiB, {n} contexts {full/1024:.1f} MiB "
      f"({(full-one)/max(n-1,1)/1024:.1f} MiB per further context of {scale:,} Secrets).")
PY
