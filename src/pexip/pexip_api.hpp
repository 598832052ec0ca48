// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace cpt {

/// Percent-encodes every byte outside A-Za-z0-9-._~ as %XX (upper case), so the alias stays
/// one path segment whatever it holds.
std::string encode_path_segment(std::string_view segment);

/// "/api/client/v2/conferences/<encoded alias>/<action>".
std::string conference_path(std::string_view alias, std::string_view action);

/// The node health endpoint: 200 available, 503 maintenance mode.
inline constexpr const char* status_path = "/api/client/v2/status";

/// The request_token body {"display_name":...,"call_tag":...}, JSON-escaped.
std::string request_token_body(std::string_view display_name, std::string_view call_tag);

} // namespace cpt
