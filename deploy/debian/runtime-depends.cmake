# The packages' runtime dependencies as dpkg-shlibdeps computes them on a native build. A cross
# build cannot run dpkg-shlibdeps (its sysroot of unpacked .debs has no dpkg database), so it
# uses these lists; the packaging test checks that a native build computes exactly them.
set(TOUCHPOINT_KIOSK_RUNTIME_DEPENDS
    "libc6 (>= 2.35), libfmt9 (>= 9.1.0+ds1), libgcc-s1 (>= 3.0), libopencv-core406 (>= 4.6.0+dfsg), libopencv-imgproc406 (>= 4.6.0+dfsg), libopencv-objdetect406 (>= 4.6.0+dfsg), libopencv-video406 (>= 4.6.0+dfsg), libopencv-videoio406 (>= 4.6.0+dfsg), libopengl0, libpaho-mqtt1.3 (>= 1.3.0), libpaho-mqttpp3-1 (>= 1.2.0), libsdl2-2.0-0 (>= 2.0.18), libspdlog1.10-fmt9, libsqlite3-0 (>= 3.7.15), libssl3 (>= 3.0.0), libstb0 (>= 0.0~git20180212.15.e6afb9c), libstdc++6 (>= 12), libsystemd0, libtomlplusplus3 (>= 3.2.0), libzstd1 (>= 1.5.2)")
set(TOUCHPOINT_HUB_RUNTIME_DEPENDS
    "libc6 (>= 2.34), libcpp-httplib0.11 (>= 0.11.4+ds), libgcc-s1 (>= 3.0), libpaho-mqtt1.3 (>= 1.3.0), libpaho-mqttpp3-1 (>= 1.2.0), libsqlite3-0 (>= 3.20.0), libssl3 (>= 3.0.0), libstdc++6 (>= 12), libsystemd0, libtomlplusplus3 (>= 3.2.0), libzstd1 (>= 1.5.2)")
