#!/usr/bin/env bash
# Records keyhole's main flows with asciinema, driven through tmux: the same flows as
# assets/demo.tape (VHS), for machines without VHS. See docs/recording.md.
#
#   scripts/record.sh [OUT.cast]        default: assets/demo.cast
#
# Environment:
#   KEYHOLE_BIN     the keyhole binary (default: built with cargo, debug profile)
#   REC_COLS, REC_ROWS   the terminal size recorded (default 110x32)
#   REC_SPEED       multiplies every pause (default 1; 0.2 for a quick check)
#   REC_TIMEOUT     seconds to wait for something to appear on screen (default 30)
#
# keyhole runs as `keyhole --demo --redact`: the embedded demo cluster, and no value is ever
# shown. It runs in asciinema's own pseudo-terminal inside a detached tmux session on a private
# tmux server; `tmux send-keys` types into it, and `tmux capture-pane` tells when the screen is
# ready for the next step. Needs tmux and asciinema (Debian: apt-get install tmux asciinema).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/assets/demo.cast}
cols=${REC_COLS:-110}
rows=${REC_ROWS:-32}
speed=${REC_SPEED:-1}
timeout_s=${REC_TIMEOUT:-30}

die() { echo "record.sh: $*" >&2; exit 1; }

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "record.sh: installing $1 with apt-get" >&2
        apt-get install -y "$1" >/dev/null || die "apt-get install $1 failed"
    else
        die "$1 is not installed (Debian: sudo apt-get install $1)"
    fi
}
need tmux
need asciinema

if [ -z "${KEYHOLE_BIN:-}" ]; then
    (cd "$root" && cargo build --quiet --bin keyhole) || die "cargo build failed"
    KEYHOLE_BIN=${CARGO_TARGET_DIR:-$root/target}/debug/keyhole
fi
[ -x "$KEYHOLE_BIN" ] || die "no keyhole binary at $KEYHOLE_BIN"
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"

sock=keyhole-rec-$$
work=$(mktemp -d)
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
    tm kill-server 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# An empty config directory: the recording shows the defaults, not this machine's config.
mkdir -p "$work/config"
cat >"$work/run.sh" <<EOF
#!/bin/sh
unset NO_COLOR TMUX STY KEYHOLE_CONFIG
export TERM=xterm-256color XDG_CONFIG_HOME='$work/config' KEYHOLE_REDACT=1
asciinema rec --overwrite -q -i 2 -t 'keyhole --demo --redact' -c '"$KEYHOLE_BIN" --demo --redact' '$out'
echo \$? >'$work/status.tmp' && mv '$work/status.tmp' '$work/status'
EOF
chmod +x "$work/run.sh"

tm new-session -d -s rec -x "$cols" -y "$rows" "$work/run.sh"
tm set-option -t rec status off >/dev/null

pause() { sleep "$(awk -v s="$1" -v k="$speed" 'BEGIN { printf "%.2f", s * k }')"; }
screen() { tm capture-pane -p -t rec 2>/dev/null || true; }
wait_for() {
    local deadline=$((SECONDS + timeout_s))
    until screen | grep -qF -- "$1"; do
        [ "$SECONDS" -lt "$deadline" ] || { screen >&2; die "\"$1\" never appeared on the screen"; }
        sleep 0.1
    done
}
key() {
    tm send-keys -t rec "$@"
    pause 0.4
    # Escape followed at once by another key reads as Alt+key: always leave a gap after it.
    if [ "$1" = Escape ]; then sleep 0.3; fi
}
typed() {
    local text=$1 i
    for ((i = 0; i < ${#text}; i++)); do
        tm send-keys -t rec -l -- "${text:i:1}"
        pause 0.09
    done
}

# --- The flows (keep in step with assets/demo.tape) ---------------------------------------

# Browse: the Secrets of the default namespace, their types, and who uses them.
wait_for "USED BY"
wait_for "mysecret"
pause 2
key j; key j; key j; key j
pause 1
key k; key k
pause 1

# Filter: fuzzy by name.
key /
typed "db"
pause 1.5
key Enter
pause 1
key Escape
pause 1

# Open a Secret: masked values; --redact will not reveal them.
key /
typed "mysecret"
key Enter
key Enter
wait_for "mysecret in default"
pause 1.5
key j; key j
key v
pause 2

# Used by: the Pods and the keys they read.
key 2
wait_for "mypod"
pause 3
key q
key Escape

# A typed view: a TLS certificate's names and dates, without the key.
key /
typed "secret-tls"
key Enter
key Enter
wait_for "secret-tls in default"
pause 1
key 3
pause 3.5
key q
key Escape
pause 0.5

# Help: every key, from the same table that drives them.
key "?"
pause 3
key j; key j; key j
pause 1.5
key q
pause 1

key q

# --- Done ---------------------------------------------------------------------------------
deadline=$((SECONDS + timeout_s))
until [ -e "$work/status" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { screen >&2; die "keyhole or asciinema did not finish"; }
    sleep 0.1
done
status=$(cat "$work/status" 2>/dev/null || echo 1)
[ "$status" = 0 ] || die "asciinema exited with $status"
[ -s "$out" ] || die "no recording at $out"
head -n 1 "$out" | grep -q '"version"' || die "$out is not an asciicast"
echo "record.sh: wrote $out ($(wc -c <"$out") bytes, $(($(wc -l <"$out") - 1)) events)"
