# Writes the kiosk's packaged config (/etc/touchpoint/kiosk.toml) from the kiosk's own
# documented example (--print-default-config), with the package's data folder.
# -DKIOSK=<touchpoint-kiosk> [-DEMULATOR=<qemu|-L|sysroot>] -DOUT=<file>
string(REPLACE "|" ";" EMULATOR "${EMULATOR}")
execute_process(COMMAND ${EMULATOR} ${KIOSK} --print-default-config
                OUTPUT_VARIABLE text RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${KIOSK} --print-default-config failed: ${rc}")
endif()
string(REGEX REPLACE "data_dir = \"[^\"]*\"" "data_dir = \"/var/lib/touchpoint/kiosk\"" text
       "${text}")
file(WRITE ${OUT} "${text}")
