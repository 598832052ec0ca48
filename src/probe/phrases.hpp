// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace cpt {

// Phrases shared by the subchecks and the probe, so that every line words a thing alike.

/// "0.042 s"
std::string seconds_text(double value);
/// "1 day", "10 days"
std::string days_text(long days);
/// 'TEXT', cut to 64 bytes
std::string quoted(const std::string& text);
/// "2026-12-02 04:52 UTC"
std::string date_text(std::int64_t unix_time);
/// "HTTP 502: Failed to forward request" or "HTTP 502 Bad Gateway".
std::string http_text(long status, const std::string& node_reason, const std::string& phrase);
/// Whole days in a signed number of seconds, rounded down (-1 s is day -1).
long whole_days(std::int64_t seconds);

} // namespace cpt
