// Private: one reader per config section. Each fills its struct from the TOML table and adds
// every problem to `problems`.
#pragma once

#include "toml_reader.h"
#include "touchpoint/core/config.h"

namespace touchpoint::config {

void ReadKiosk(const toml::table& t, Problems* p, KioskConfig* out);
void ReadCamera(const toml::table& t, Problems* p, CameraConfig* out);
void ReadFootfall(const toml::table& t, Problems* p, FootfallConfig* out);
void ReadAntispam(const toml::table& t, Problems* p, AntispamConfig* out);
void ReadMqtt(const toml::table& t, Problems* p, MqttConfig* out);
void ReadUi(const toml::table& t, Problems* p, UiConfig* out);
void ReadSurvey(const toml::table& t, const std::string& path, Problems* p, SurveyDefinition* out);

}  // namespace touchpoint::config
