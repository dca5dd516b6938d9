#!/usr/bin/env bash
# The Debian packages (docs/operations.md), built by CPack from this build tree, inspected and
# installed into a clean root (dpkg --root, maintainer scripts chrootless with DPKG_ROOT), then
# upgraded, removed and purged there, checking what each step keeps. Needs root for dpkg.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
BUILD=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: dpkg --root needs root"; exit 77; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$BUILD" && cpack -G DEB -B "$WORK/pk" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack"; }
KIOSK=$(ls "$WORK"/pk/touchpoint-kiosk_*.deb)
HUB=$(ls "$WORK"/pk/touchpoint-hub_*.deb)

# --- what the packages hold ---
has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "./$2" || fail "$(basename "$1") lacks $2"; }
for f in usr/bin/touchpoint-kiosk usr/bin/touchpoint-footfall-eval etc/touchpoint/kiosk.toml \
         lib/systemd/system/touchpoint-kiosk.service usr/share/doc/touchpoint-kiosk/copyright \
         usr/share/doc/touchpoint-kiosk/changelog.gz; do has "$KIOSK" "$f"; done
for f in usr/bin/touchpoint-hub etc/touchpoint/hub.env lib/systemd/system/touchpoint-hub.service \
         usr/share/touchpoint/mosquitto/touchpoint.acl usr/share/touchpoint/tools/pki; do
  has "$HUB" "$f"
done
dpkg-deb -c "$KIOSK" | grep -q 'usr/bin/touchpoint-hub' && fail "the kiosk package holds the hub"
# Runtime dependencies from dpkg-shlibdeps: Debian's libraries, versioned.
kdeps=$(dpkg-deb -f "$KIOSK" Depends)
for d in libopencv-videoio406 libpaho-mqttpp3-1 libsqlite3-0 libsdl2-2.0-0 libsystemd0; do
  grep -q "$d" <<<"$kdeps" || fail "touchpoint-kiosk does not depend on $d: $kdeps"
done
hdeps=$(dpkg-deb -f "$HUB" Depends)
grep -q libsqlite3-0 <<<"$hdeps" || fail "touchpoint-hub does not depend on libsqlite3-0"
grep -q libopencv <<<"$hdeps" && fail "touchpoint-hub depends on OpenCV: $hdeps"
# Cross builds use the checked-in lists (deploy/debian/runtime-depends.cmake): they must name the
# packages dpkg-shlibdeps computes here (a version bound that moved is only reported: it follows
# the symbols the code happens to use).
names() { tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort; }
for pkg in kiosk hub; do
  if [ "$pkg" = kiosk ]; then got=$kdeps; else got=$hdeps; fi
  want=$(sed -n "s/^$pkg=//p" "$BUILD/packaging/runtime-depends.txt")
  [ "$(names <<<"$got")" = "$(names <<<"$want")" ] \
    || fail "touchpoint-$pkg Depends changed: update deploy/debian/runtime-depends.cmake to: $got"
  [ "$got" = "$want" ] || echo "note: touchpoint-$pkg version bounds moved; runtime-depends.cmake could be: $got"
done
dpkg-deb --ctrl-tarfile "$KIOSK" | tar -xO ./conffiles | grep -qx /etc/touchpoint/kiosk.toml \
  || fail "kiosk.toml is not a conffile"
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$KIOSK" "$HUB" 2>&1 | grep -E '^[EW]:' && fail "lintian"
fi

# --- a clean root: an empty dpkg database, a minimal user database ---
R=$WORK/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
touch "$R/var/lib/dpkg/status"
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"
echo 'root:*::' >"$R/etc/gshadow"
chmod 0640 "$R/etc/shadow" "$R/etc/gshadow"
DPKG=(dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null)
"${DPKG[@]}" -i "$KIOSK" "$HUB" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "install"; }

uid=$(grep '^touchpoint:' "$R/etc/passwd" | cut -d: -f3)
[ -n "$uid" ] || fail "no touchpoint user in the root"
for d in /var/lib/touchpoint/kiosk /var/lib/touchpoint/hub; do
  [ "$(stat -c '%u %a' "$R$d")" = "$uid 750" ] || fail "$d: $(stat -c '%u %a' "$R$d")"
done
[ "$(stat -c %a "$R/etc/touchpoint/kiosk.toml")" = 640 ] || fail "kiosk.toml is not 0640"
grep -q 'data_dir = "/var/lib/touchpoint/kiosk"' "$R/etc/touchpoint/kiosk.toml" \
  || fail "the packaged kiosk.toml does not use the package's data folder"
# The installed kiosk accepts its packaged config.
"$R/usr/bin/touchpoint-kiosk" --config "$R/etc/touchpoint/kiosk.toml" --check-config \
  >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; fail "--check-config"; }
"$R/usr/bin/touchpoint-hub" --help >/dev/null || fail "touchpoint-hub --help"

# The unit files pass systemd-analyze verify against the root (systemd's own units copied in,
# as a root with systemd installed has them; ExecStart must exist in the root).
if command -v systemd-analyze >/dev/null && [ -d /lib/systemd/system ]; then
  for f in /lib/systemd/system/*; do
    [ -e "$R/lib/systemd/system/$(basename "$f")" ] || cp -a "$f" "$R/lib/systemd/system/"
  done
  out=$(systemd-analyze verify --root="$R" /lib/systemd/system/touchpoint-kiosk.service \
          /lib/systemd/system/touchpoint-hub.service 2>&1) || fail "systemd-analyze: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
fi

# --- upgrade (reinstall), remove, purge: only purge deletes data ---
echo "stored events" >"$R/var/lib/touchpoint/kiosk/events.db"
echo "hub events" >"$R/var/lib/touchpoint/hub/hub.db"
echo "# the installer's edit" >>"$R/etc/touchpoint/kiosk.toml"
"${DPKG[@]}" --force-confold -i "$KIOSK" >"$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; fail "upgrade"; }
grep -q "stored events" "$R/var/lib/touchpoint/kiosk/events.db" || fail "upgrade lost data"
grep -q "the installer's edit" "$R/etc/touchpoint/kiosk.toml" || fail "upgrade lost the config edit"
"${DPKG[@]}" -r touchpoint-kiosk >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; fail "remove"; }
[ -e "$R/usr/bin/touchpoint-kiosk" ] && fail "remove left the binary"
grep -q "stored events" "$R/var/lib/touchpoint/kiosk/events.db" || fail "remove deleted data"
[ -e "$R/etc/touchpoint/kiosk.toml" ] || fail "remove deleted the config"
"${DPKG[@]}" -P touchpoint-kiosk >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "purge"; }
[ -e "$R/var/lib/touchpoint/kiosk" ] && fail "purge kept the kiosk's data"
[ -e "$R/etc/touchpoint/kiosk.toml" ] && fail "purge kept the config"
grep -q "hub events" "$R/var/lib/touchpoint/hub/hub.db" || fail "purging the kiosk touched the hub's data"
"${DPKG[@]}" -P touchpoint-hub >"$WORK/purge2.log" 2>&1 || { cat "$WORK/purge2.log"; fail "purge hub"; }
[ -e "$R/var/lib/touchpoint" ] && fail "purge left /var/lib/touchpoint"
echo "PASS: packages inspected, installed into a clean root, upgraded, removed and purged"
