#!/usr/bin/env bash
# Makes a Debian 12 sysroot with touchpoint's -dev packages for cross-compiling, without
# running any target code (no binfmt needed): debootstrap --foreign resolves and downloads the
# packages, then every downloaded .deb is unpacked into the sysroot (no maintainer scripts: a
# sysroot needs headers and libraries, not a bootable system).
#   toolchains/make-sysroot.sh arm64|armhf DIR
# Needs debootstrap (apt-get install debootstrap); writes DIR/.touchpoint-sysroot (the package
# list it was made from: tools/dev cross reuses DIR while that is unchanged).
set -euo pipefail
arch=${1:?arch: arm64 or armhf}
dir=${2:?target directory}
mirror=${TOUCHPOINT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=libsqlite3-dev,libzstd-dev,nlohmann-json3-dev,libtomlplusplus-dev,libspdlog-dev,libcli11-dev,\
libgtest-dev,libgmock-dev,libopencv-dev,libpaho-mqttpp-dev,libpaho-mqtt-dev,libssl-dev,libimgui-dev,\
libstb-dev,libsdl2-dev,libgl-dev,libegl-dev,libsystemd-dev,libcpp-httplib-dev
stamp="$arch $pkgs"
if [ -f "$dir/.touchpoint-sysroot" ] && [ "$(cat "$dir/.touchpoint-sysroot")" = "$stamp" ]; then
  echo "sysroot in $dir is up to date"
  exit 0
fi
rm -rf "$dir"
debootstrap --foreign --arch="$arch" --variant=minbase --include="$pkgs" bookworm "$dir" "$mirror"
for deb in "$dir"/var/cache/apt/archives/*.deb; do
  dpkg-deb -x "$deb" "$dir"
done
rm -rf "$dir"/var/cache/apt/archives/*.deb
# Absolute symlinks inside the sysroot would point at the build host: make them relative.
find "$dir/usr/lib" "$dir/lib" -type l -lname '/*' 2>/dev/null | while read -r link; do
  target=$(readlink "$link")
  ln -sfr "$dir$target" "$link"
done
# Libraries Debian provides through update-alternatives (BLAS, LAPACK: OpenCV needs them through
# armadillo/arpack) get their links from maintainer scripts, which did not run: make them.
for lib in "$dir"/usr/lib/*-linux-gnu*/{blas,lapack}/lib*.so.3; do
  [ -e "$lib" ] || continue
  link="$(dirname "$(dirname "$lib")")/$(basename "$lib")"
  [ -e "$link" ] || ln -sr "$lib" "$link"
done
echo "$stamp" >"$dir/.touchpoint-sysroot"
echo "sysroot ready in $dir"
