#include "fonts.h"

#include <sys/stat.h>

#include <algorithm>

namespace touchpoint::ui {

namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

const ImWchar* WideRanges() {
  static const ImWchar kRanges[] = {
      0x0020, 0x00FF,  // Basic Latin + Latin-1 Supplement
      0x0100, 0x017F,  // Latin Extended-A
      0x0180, 0x024F,  // Latin Extended-B
      0x0370, 0x03FF,  // Greek
      0x0400, 0x04FF,  // Cyrillic
      0x1E00, 0x1EFF,  // Latin Extended Additional (Vietnamese)
      0x2010, 0x205E,  // punctuation: dashes, quotes, ellipsis
      0x20AC, 0x20AC,  // euro
      0x2190, 0x2193,  // arrows
      0x2713, 0x2714,  // check marks
      0,
  };
  return kRanges;
}

const ImWchar* DigitRanges() {
  static const ImWchar kRanges[] = {0x0020, 0x007F, 0x00B0, 0x00B0, 0x2013, 0x2014, 0};
  return kRanges;
}

}  // namespace

FontFiles FindFontFiles(const std::string& override_file) {
  if (Exists(override_file)) return {override_file, override_file};
  const std::pair<const char*, const char*> kCandidates[] = {
      {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
       "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
      {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
       "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
      {"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
       "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"},
  };
  for (const auto& [regular, bold] : kCandidates) {
    if (Exists(regular)) return {regular, Exists(bold) ? bold : regular};
  }
  return {};
}

bool LoadFonts(const FontFiles& files, float short_side, Fonts* fonts, std::string* error) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  float u = std::max(4.0f, short_side / 100.0f);
  ImFontConfig cfg;
  cfg.OversampleH = 1;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  if (files.regular.empty()) {
    *error =
        "no TTF font found (install fonts-noto-core or fonts-dejavu-core, or set ui.font_file)";
    ImFont* def = io.Fonts->AddFontDefault();
    *fonts = Fonts{def, def, def, def};
    return false;
  }
  fonts->body = io.Fonts->AddFontFromFileTTF(files.regular.c_str(), u * 4.2f, &cfg, WideRanges());
  fonts->small = io.Fonts->AddFontFromFileTTF(files.regular.c_str(), u * 2.6f, &cfg, WideRanges());
  fonts->title = io.Fonts->AddFontFromFileTTF(files.bold.c_str(), u * 6.4f, &cfg, WideRanges());
  fonts->huge = io.Fonts->AddFontFromFileTTF(files.bold.c_str(), u * 11.0f, &cfg, DigitRanges());
  if (fonts->body == nullptr || fonts->small == nullptr || fonts->title == nullptr ||
      fonts->huge == nullptr) {
    *error = "could not load font " + files.regular;
    io.Fonts->Clear();
    ImFont* def = io.Fonts->AddFontDefault();
    *fonts = Fonts{def, def, def, def};
    return false;
  }
  return true;
}

}  // namespace touchpoint::ui
