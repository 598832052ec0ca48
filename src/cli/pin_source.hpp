// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cli/options.hpp"

namespace cpt {

/// --pin-file: the first line of options.pin_file becomes options.pin; notes whether the
/// file is readable by every user. Throws FileArgumentError (a BadArgument).
void read_pin_file(Options& options);

/// With none of --pin, --pin-file, --guest: a non-empty CHECK_PEXIP_TOKEN_PIN is the PIN.
/// Throws BadArgument when it holds control characters.
void read_pin_environment(Options& options, const EnvironmentLookup& lookup);

} // namespace cpt
