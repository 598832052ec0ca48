// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.hpp"

namespace cpt {

/// --pin-file: the first line of options.pin_file becomes options.pin; notes whether the
/// file is readable by every user. Throws BadArgument.
void read_pin_file(Options& options);

} // namespace cpt
