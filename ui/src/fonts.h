// Finds a TTF with wide glyph coverage from Debian's font packages and loads it into the Dear
// ImGui atlas at sizes scaled to the screen. UI thread only.
#pragma once

#include <string>

#include "widgets.h"

namespace touchpoint::ui {

// The regular and bold font files to use: `override_file` if set (used for both), else Noto
// Sans (fonts-noto-core), else DejaVu Sans (fonts-dejavu-core). Empty if none exists.
struct FontFiles {
  std::string regular, bold;
};
FontFiles FindFontFiles(const std::string& override_file);

// Clears the atlas and loads body/title/huge/small fonts for a screen whose shorter side is
// `short_side` pixels (Latin incl. Extended-A, Greek, Cyrillic). Returns false with `error`
// set if no font could be loaded (the ImGui default font is used then).
bool LoadFonts(const FontFiles& files, float short_side, Fonts* fonts, std::string* error);

}  // namespace touchpoint::ui
