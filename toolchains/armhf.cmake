# Cross-compile touchpoint for armhf kiosks with Debian's arm-linux-gnueabihf toolchain.
#   apt-get install g++-arm-linux-gnueabihf ; toolchains/make-sysroot.sh armhf build-sysroot-armhf
#   cmake -S . -B build-armhf -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/armhf.cmake \
#         -DTOUCHPOINT_SYSROOT=$PWD/build-sysroot-armhf
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(TOUCHPOINT_SYSROOT "$ENV{TOUCHPOINT_SYSROOT}" CACHE PATH "sysroot made by make-sysroot.sh")
if(TOUCHPOINT_SYSROOT)
  set(CMAKE_SYSROOT ${TOUCHPOINT_SYSROOT})
  set(ENV{PKG_CONFIG_SYSROOT_DIR} ${TOUCHPOINT_SYSROOT})
  set(ENV{PKG_CONFIG_LIBDIR}
      "${TOUCHPOINT_SYSROOT}/usr/lib/arm-linux-gnueabihf/pkgconfig:${TOUCHPOINT_SYSROOT}/usr/share/pkgconfig")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
