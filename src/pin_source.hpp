// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.hpp"

namespace cpt {

/// --pin-file: the first line of options.pin_file becomes options.pin; notes whether the
/// file is readable by every user. Throws BadArgument.
void read_pin_file(Options& options);

/// The variable that holds the PIN when no option names one (Icinga's env, Director's
/// hidden fields): kept off the command line and so out of the process list.
inline constexpr const char* pin_environment_variable = "CHECK_PEXIP_TOKEN_PIN";

/// With none of --pin, --pin-file, --guest: a non-empty CHECK_PEXIP_TOKEN_PIN is the PIN.
/// Throws BadArgument when it holds control characters.
void read_pin_environment(Options& options, const EnvironmentLookup& lookup);

/// Where the PIN came from, for -vv: "--pin", "--pin-file FILE", "environment
/// CHECK_PEXIP_TOKEN_PIN", "--guest (pin: none)" or "none". Never the PIN.
std::string pin_source_text(const Options& options);

} // namespace cpt
