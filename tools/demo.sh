#!/usr/bin/env bash
# The Touchpoint demo: a local Mosquitto broker, the hub with its web app, one kiosk counting
# people on a real clip (OpenCV's sample vtest.avi from Debian's opencv-doc, looped at its
# 10 fps), and a simulated fleet of 12 stores x 3 touchpoints (touchpoint-bench fleet) sending a
# month of history and live sessions, every kiosk with its own certificate through the shipped
# broker ACL. With a display the kiosk window opens (answer a survey!); without one the kiosk runs
# headless. The hub prints the web app's URL and its one-time admin setup link; at the end the
# demo prints what the kiosk stored and the hub's journey map of the kiosk's store.
#   tools/demo.sh [--seconds N] [--headless] [--keep]     (normally started by `tools/dev demo`)
# --seconds 600 leaves ten minutes to browse the web app; --keep keeps the files (and says how to
# serve the web app again).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${TOUCHPOINT_BUILD_DIR:-$ROOT/build}
SECONDS_TO_RUN=75
HEADLESS=0
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_TO_RUN=$2; shift 2 ;;
    --headless) HEADLESS=1; shift ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

CLIP=${TOUCHPOINT_DEMO_CLIP:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
[ -f "$CLIP" ] || { echo "demo clip $CLIP not found (apt-get install opencv-doc)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/touchpoint-demo-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "demo files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=18830
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
WEB_PORT=${TOUCHPOINT_DEMO_WEB_PORT:-8080}
while ! port_free "$WEB_PORT"; do WEB_PORT=$((WEB_PORT + 1)); done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "certificates: tools/pki (a CA, the broker, the kiosk, the hub) in $WORK/pki"
PKI="$WORK/pki"
"$ROOT/tools/pki" init "$PKI" >/dev/null
"$ROOT/tools/pki" server "$PKI" 127.0.0.1 >/dev/null
"$ROOT/tools/pki" kiosk "$PKI" demo-kiosk-01 demo-store >/dev/null
"$ROOT/tools/pki" hub "$PKI" >/dev/null
# The simulated fleet (touchpoint-bench fleet): 36 kiosks of 12 stores, each with its own
# certificate, as real kiosks have.
"$BUILD/touchpoint-bench" fleet --list > "$WORK/fleet-kiosks.txt"
while read -r kiosk store; do
  "$ROOT/tools/pki" kiosk "$PKI" "$kiosk" "$store" >/dev/null
done < "$WORK/fleet-kiosks.txt"
# Mosquitto started as root reads its files as the mosquitto user: a demo's throwaway keys.
chmod 755 "$WORK" "$PKI" && chmod 644 "$PKI"/*.crt "$PKI"/crl.pem "$PKI/server.key"

step "broker: the shipped deploy/mosquitto listener (TLS, client certificates, ACL) on 127.0.0.1:$PORT"
sed -e "s#/etc/mosquitto/touchpoint/#$PKI/#" \
    -e "s#/etc/mosquitto/touchpoint.acl#$ROOT/deploy/mosquitto/touchpoint.acl#" \
    -e "s#^listener 8883\$#listener $PORT 127.0.0.1#" \
    "$ROOT/deploy/mosquitto/touchpoint.conf" > "$WORK/mosquitto.conf"
printf 'persistence false\nlog_dest none\n' >> "$WORK/mosquitto.conf"
/usr/sbin/mosquitto -c "$WORK/mosquitto.conf" &
PIDS+=($!)
for _ in $(seq 100); do port_free "$PORT" || break; sleep 0.1; done

step "hub: registers the kiosks, then $BUILD/touchpoint-hub --db $WORK/hub.db run --http 127.0.0.1:$WEB_PORT"
"$BUILD/touchpoint-hub" --db "$WORK/hub.db" kiosks add demo-kiosk-01 --store demo-store
while read -r kiosk store; do
  "$BUILD/touchpoint-hub" --db "$WORK/hub.db" kiosks add "$kiosk" --store "$store" >/dev/null
done < "$WORK/fleet-kiosks.txt"
echo "registered demo-kiosk-01 and the $(wc -l < "$WORK/fleet-kiosks.txt") kiosks of the simulated fleet"
"$BUILD/touchpoint-bench" fleet --hub-config "$WORK/hub.toml"
"$BUILD/touchpoint-hub" --db "$WORK/hub.db" run --broker "ssl://127.0.0.1:$PORT" \
  --ca-file "$PKI/ca.crt" --cert-file "$PKI/hub.crt" --key-file "$PKI/hub.key" \
  --http "127.0.0.1:$WEB_PORT" --hub-config "$WORK/hub.toml" \
  > "$WORK/hub.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "^hub: web app at" "$WORK/hub.log" && break; sleep 0.1; done
grep -E "^hub: (web app at|first start)" "$WORK/hub.log" | sed 's/^/  hub   | /' || {
  echo "the hub's web app did not start; its log:" >&2
  cat "$WORK/hub.log" >&2
  exit 1
}
echo "  demo  | open the web app in a browser on this machine; the setup link makes its first admin"

cat > "$WORK/kiosk.toml" <<CONF
[kiosk]
kiosk_id = "demo-kiosk-01"
store_id = "demo-store"
touchpoint = "entrance"
journey_stage = "visit"
data_dir = "$WORK/kiosk-data"
status_interval_s = 15

[camera]
enabled = true
source = "$CLIP"
loop = true
realtime = true
process_width = 384
interval_s = 10
lines = [
  { name = "L1", p1 = [340, 0], p2 = [340, 576], in_side = [1, 0] },
  { name = "L2", p1 = [540, 0], p2 = [540, 576], in_side = [1, 0] },
]

[mqtt]
enabled = true
uri = "ssl://127.0.0.1:$PORT"
ca_file = "$PKI/ca.crt"
cert_file = "$PKI/demo-kiosk-01.crt"
key_file = "$PKI/demo-kiosk-01.key"
backoff_min_ms = 200

[ui]
fullscreen = false
width = 720
height = 1280
CONF
"$BUILD/touchpoint-kiosk" --config "$WORK/kiosk.toml" --check-config

MODE=()
if [ "$HEADLESS" = 1 ] || [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  MODE=(--headless)
  step "kiosk: headless (no display), counting $CLIP for $SECONDS_TO_RUN s"
else
  step "kiosk: window on $DISPLAY, counting $CLIP for $SECONDS_TO_RUN s"
  echo "(the demo prints the kiosk's new manager PIN below, read from its 0600 file"
  echo " $WORK/kiosk-data/manager_pin.initial; long-press the top-right corner for the dashboard)"
fi
"$BUILD/touchpoint-kiosk" --config "$WORK/kiosk.toml" "${MODE[@]}" --run-for-s "$SECONDS_TO_RUN" \
  2>&1 | sed 's/^/  kiosk | /' &
KIOSK=$!
PIDS+=($KIOSK)
if [ ${#MODE[@]} -eq 0 ]; then
  # The kiosk never prints its PIN (it would land in the journal); the demo reads the note.
  for _ in $(seq 50); do [ -s "$WORK/kiosk-data/manager_pin.initial" ] && break; sleep 0.1; done
  if [ -s "$WORK/kiosk-data/manager_pin.initial" ]; then
    echo "  demo  | manager PIN: $(cat "$WORK/kiosk-data/manager_pin.initial")"
  fi
fi

# Counts rising: every 10 s, what the hub holds so far.
step "fleet: 12 simulated stores x 3 touchpoints send 30 days of history, then live sessions"
"$BUILD/touchpoint-bench" fleet --broker "ssl://127.0.0.1:$PORT" --pki "$PKI" \
  --live-s "$SECONDS_TO_RUN" --work "$WORK/fleet" 2>&1 | sed 's/^/  fleet | /' &
FLEET=$!
PIDS+=($FLEET)

while kill -0 "$KIOSK" 2>/dev/null; do
  sleep 10
  kill -0 "$KIOSK" 2>/dev/null || break
  "$BUILD/touchpoint-hub" --db "$WORK/hub.db" map --store demo-store --format table 2>/dev/null \
    | awk -v t="$(date +%T)" 'NR==1{print "  hub   | " t " journey map so far:"} {print "  hub   | " $0}' \
    | head -8 || true
done
wait "$KIOSK" || true
wait "$FLEET" || true

step "what the kiosk stored"
"$BUILD/touchpoint-kiosk" --config "$WORK/kiosk.toml" --show-stored 3 | cut -c1-300

step "hub: kiosks"
"$BUILD/touchpoint-hub" --db "$WORK/hub.db" kiosks

if [ "$KEEP" = 1 ]; then
  echo "to browse the journey map again: $BUILD/touchpoint-hub --db $WORK/hub.db serve" \
    "--http 127.0.0.1:$WEB_PORT --hub-config $WORK/hub.toml"
fi

step "hub: the demo kiosk's journey map (store x touchpoint x stage x hour, by event time)"
"$BUILD/touchpoint-hub" --db "$WORK/hub.db" map --store demo-store --format table
