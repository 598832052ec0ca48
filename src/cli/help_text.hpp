// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace cpt {

/// The short usage shown after an argument error (<= 80 columns, a few lines).
std::string usage_text();
/// The full --help text.
std::string help_text();
/// The --version text.
std::string version_text();

} // namespace cpt
