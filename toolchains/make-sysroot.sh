#!/usr/bin/env bash
# Makes a Debian 12 sysroot with touchpoint's -dev packages for cross-compiling.
#   toolchains/make-sysroot.sh arm64|armhf DIR
# Needs root, debootstrap and qemu-user-static (apt-get install debootstrap qemu-user-static).
set -euo pipefail
arch=${1:?arch: arm64 or armhf}
dir=${2:?target directory}
pkgs=libsqlite3-dev,libzstd-dev,nlohmann-json3-dev,libtomlplusplus-dev,libspdlog-dev,libcli11-dev,libgtest-dev,\
libopencv-dev,libpaho-mqttpp-dev,libpaho-mqtt-dev,libssl-dev,libimgui-dev,libstb-dev,libsdl2-dev,libgl-dev
debootstrap --arch="$arch" --variant=minbase --include="$pkgs" bookworm "$dir" http://deb.debian.org/debian
# Absolute symlinks inside the sysroot would point at the build host: make them relative.
find "$dir/usr/lib" -type l -lname '/*' | while read -r link; do
  target=$(readlink "$link")
  ln -sfr "$dir$target" "$link"
done
echo "sysroot ready in $dir"
