# Cross-compile touchpoint for arm64 kiosks with Debian's aarch64-linux-gnu toolchain.
#   apt-get install g++-aarch64-linux-gnu ; toolchains/make-sysroot.sh arm64 build-sysroot-arm64
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64.cmake \
#         -DTOUCHPOINT_SYSROOT=$PWD/build-sysroot-arm64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(TOUCHPOINT_SYSROOT "$ENV{TOUCHPOINT_SYSROOT}" CACHE PATH "sysroot made by make-sysroot.sh")
if(TOUCHPOINT_SYSROOT)
  set(CMAKE_SYSROOT ${TOUCHPOINT_SYSROOT})
  set(ENV{PKG_CONFIG_SYSROOT_DIR} ${TOUCHPOINT_SYSROOT})
  set(ENV{PKG_CONFIG_LIBDIR}
      "${TOUCHPOINT_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${TOUCHPOINT_SYSROOT}/usr/share/pkgconfig")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
