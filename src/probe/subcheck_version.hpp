// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "plugin_kit/check_result.hpp"

#include <optional>
#include <string>

namespace cpt {

/// --min-version against the version_id of a granted token: none without --min-version;
/// WARNING when the node's version is lower, missing or not dotted decimal numbers.
/// minimum must already be a valid version (the options layer checks it).
std::optional<Subcheck> check_min_version(const std::string& minimum,
                                          const std::string& version_id);

} // namespace cpt
