# Debian packages through CPack (`tools/dev package`; docs/operations.md): touchpoint-kiosk (the
# appliance) and touchpoint-hub (the central side). Runtime dependencies come from
# dpkg-shlibdeps; conffiles live in /etc/touchpoint, data in /var/lib/touchpoint/{kiosk,hub},
# owned by the system user `touchpoint` the maintainer scripts create. Only purge deletes data.
set(TP_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)
set(TP_GEN ${CMAKE_BINARY_DIR}/packaging)

# --- touchpoint-kiosk ---
install(TARGETS touchpoint-kiosk touchpoint-footfall-eval RUNTIME DESTINATION bin
        COMPONENT kiosk)
# A cross build runs the kiosk under its emulator (a list: passed with '|' between items).
string(REPLACE ";" "|" TP_EMULATOR "${CMAKE_CROSSCOMPILING_EMULATOR}")
add_custom_command(
  OUTPUT ${TP_GEN}/kiosk.toml
  COMMAND ${CMAKE_COMMAND} -DKIOSK=$<TARGET_FILE:touchpoint-kiosk> "-DEMULATOR=${TP_EMULATOR}"
          -DOUT=${TP_GEN}/kiosk.toml -P ${PROJECT_SOURCE_DIR}/cmake/gen_kiosk_conf.cmake
  DEPENDS touchpoint-kiosk ${PROJECT_SOURCE_DIR}/cmake/gen_kiosk_conf.cmake
  COMMENT "packaged kiosk.toml from --print-default-config" VERBATIM)
add_custom_target(touchpoint_kiosk_conf ALL DEPENDS ${TP_GEN}/kiosk.toml)
install(FILES ${TP_GEN}/kiosk.toml DESTINATION /etc/touchpoint PERMISSIONS OWNER_READ
        OWNER_WRITE GROUP_READ COMPONENT kiosk)
install(FILES ${TP_DEPLOY}/systemd/touchpoint-kiosk.service DESTINATION /lib/systemd/system
        COMPONENT kiosk)
install(FILES ${TP_DEPLOY}/debian/copyright ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/events.md
              ${PROJECT_SOURCE_DIR}/docs/footfall.md ${PROJECT_SOURCE_DIR}/docs/security.md
        DESTINATION share/doc/touchpoint-kiosk COMPONENT kiosk)

# --- touchpoint-hub ---
install(TARGETS touchpoint-hub RUNTIME DESTINATION bin COMPONENT hub)
install(FILES ${TP_DEPLOY}/debian/hub.env DESTINATION /etc/touchpoint
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT hub)
install(FILES ${TP_DEPLOY}/systemd/touchpoint-hub.service DESTINATION /lib/systemd/system
        COMPONENT hub)
install(FILES ${TP_DEPLOY}/mosquitto/touchpoint.conf ${TP_DEPLOY}/mosquitto/touchpoint.acl
        DESTINATION share/touchpoint/mosquitto COMPONENT hub)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/pki DESTINATION share/touchpoint/tools COMPONENT hub)
install(FILES ${TP_DEPLOY}/debian/copyright ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/hub.md
              ${PROJECT_SOURCE_DIR}/docs/sync.md ${PROJECT_SOURCE_DIR}/docs/metrics.md
              ${PROJECT_SOURCE_DIR}/docs/security.md
        DESTINATION share/doc/touchpoint-hub COMPONENT hub)

# Per package: the Debian changelog (gzipped, as policy wants) and lintian overrides.
foreach(c kiosk hub)
  add_custom_command(
    OUTPUT ${TP_GEN}/${c}/changelog.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${TP_GEN}/${c}
    COMMAND gzip -9nc ${TP_DEPLOY}/debian/changelog > ${TP_GEN}/${c}/changelog.gz
    DEPENDS ${TP_DEPLOY}/debian/changelog)
  add_custom_target(touchpoint_${c}_changelog ALL DEPENDS ${TP_GEN}/${c}/changelog.gz)
  install(FILES ${TP_GEN}/${c}/changelog.gz DESTINATION share/doc/touchpoint-${c} COMPONENT ${c})
  install(FILES ${TP_DEPLOY}/debian/lintian-overrides DESTINATION share/lintian/overrides
          RENAME touchpoint-${c} COMPONENT ${c})
endforeach()

# --- CPack ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME touchpoint)
set(CPACK_PACKAGE_VENDOR "Touchpoint")
set(CPACK_PACKAGE_CONTACT "Touchpoint engineering <engineering@touchpoint.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk hub)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(${TP_DEPLOY}/debian/runtime-depends.cmake)
if(CMAKE_CROSSCOMPILING)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME touchpoint-kiosk)
set(CPACK_DEBIAN_HUB_PACKAGE_NAME touchpoint-hub)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
    "Touchpoint kiosk: in-store feedback and anonymous footfall appliance\nShoppers rate their visit on a touchscreen; a camera counts footfall.\nEverything is stored offline first and synced to the hub over MQTT.")
set(CPACK_COMPONENT_HUB_DESCRIPTION
    "Touchpoint hub: merges kiosks' events into the customer journey map\nIngests the kiosks' events from an MQTT broker (TLS, a certificate per\nkiosk), stores them and answers the journey map.")
# The system user and folders come from the maintainer scripts; adduser-free (useradd, passwd).
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_HUB_PACKAGE_DEPENDS "passwd")
if(CMAKE_CROSSCOMPILING)
  string(APPEND CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS ", ${TOUCHPOINT_KIOSK_RUNTIME_DEPENDS}")
  string(APPEND CPACK_DEBIAN_HUB_PACKAGE_DEPENDS ", ${TOUCHPOINT_HUB_RUNTIME_DEPENDS}")
endif()
# For the packaging test: what a native build must compute.
file(WRITE ${TP_GEN}/runtime-depends.txt
     "kiosk=passwd, ${TOUCHPOINT_KIOSK_RUNTIME_DEPENDS}\nhub=passwd, ${TOUCHPOINT_HUB_RUNTIME_DEPENDS}\n")
set(CPACK_DEBIAN_HUB_PACKAGE_RECOMMENDS "mosquitto, openssl")
# One set of maintainer scripts for both packages (deploy/debian/*.in): the kiosk starts on
# install, the hub waits for its certificate.
foreach(c kiosk hub)
  string(TOUPPER ${c} C)
  set(TP_COMPONENT ${c})
  if(c STREQUAL kiosk)
    set(TP_START_ON_INSTALL yes)
  else()
    set(TP_START_ON_INSTALL no)
  endif()
  foreach(script postinst prerm postrm)
    configure_file(${TP_DEPLOY}/debian/${script}.in ${TP_GEN}/${c}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                   GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  configure_file(${TP_DEPLOY}/debian/${c}/conffiles ${TP_GEN}/${c}/conffiles COPYONLY)
  set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_EXTRA
      ${TP_GEN}/${c}/postinst ${TP_GEN}/${c}/prerm ${TP_GEN}/${c}/postrm ${TP_GEN}/${c}/conffiles)
  set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
endforeach()
include(CPack)
