// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "pexip/pexip_response.hpp"
#include "plugin_kit/check_result.hpp"

#include <optional>
#include <string>

namespace cpt {

/// --expect-service-type: none without it, OK when the token names the type, else WARNING.
std::optional<Subcheck> check_service_type(const std::string& expected, const TokenGrant& grant);

} // namespace cpt
