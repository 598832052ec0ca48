// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "base/version_number.hpp"
#include "cli/option_values.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace cpt {

namespace {

constexpr double max_timeout_seconds = 3600.0;

} // namespace

long parse_whole_number(const std::string& text, const std::string& what, long low, long high)
{
    long value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        value < low || value > high) {
        throw BadArgument(what + " must be a whole number from " + std::to_string(low) + " to " +
                          std::to_string(high) + ", not '" + text + "'");
    }
    return value;
}

double parse_timeout(const std::string& text)
{
    const std::optional<double> parsed = parse_decimal(text);
    const double value = parsed.value_or(0.0);
    if (!parsed || value <= 0.0 || value > max_timeout_seconds) {
        throw BadArgument("-t/--timeout must be a number of seconds above 0 and at most 3600, "
                          "not '" +
                          text + "'");
    }
    return value;
}

double parse_events_wait(const std::string& text, double timeout_seconds)
{
    const std::optional<double> parsed = parse_decimal(text);
    const double value = parsed.value_or(0.0);
    if (!parsed || value <= 0.0 || value >= timeout_seconds) {
        throw BadArgument("--events-wait must be a number of seconds above 0 and below the "
                          "timeout (" +
                          format_compact(timeout_seconds, 3) + " s), not '" + text + "'");
    }
    return value;
}

State parse_state_option(const std::string& text, const std::string& option)
{
    const auto state = parse_state(text);
    if (!state) {
        throw BadArgument("invalid state '" + text + "' for --" + option +
                          " (use OK, WARNING, CRITICAL, UNKNOWN or 0-3)");
    }
    return *state;
}

Range parse_range_option(const std::string& text, const std::string& option)
{
    std::string error;
    auto range = parse_range(text, error);
    if (!range) {
        throw BadArgument("invalid range '" + text + "' for --" + option + ": " + error);
    }
    return *range;
}

std::string checked_text(const std::string& text, const std::string& option, bool allow_empty)
{
    if (!allow_empty && text.empty()) {
        throw BadArgument("--" + option + " must not be empty");
    }
    if (has_control_chars(text)) {
        throw BadArgument("--" + option + " must not contain control characters");
    }
    if (!is_valid_utf8(text)) {
        throw BadArgument("--" + option + " must be valid UTF-8");
    }
    if (text.size() > max_text_option_bytes) {
        throw BadArgument("--" + option + " is longer than 1024 bytes");
    }
    return text;
}

std::string checked_host(std::string text, const std::string& option)
{
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2); // [v6] written as in a URL
    }
    if (text.empty() || text.size() > 253) {
        throw BadArgument("--" + option + " must be a host name or address");
    }
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool allowed = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                             (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                             c == ':' || c == '%';
        if (!allowed) {
            throw BadArgument("--" + option + " '" + sanitize_line(text) +
                              "' is not a host name or address");
        }
    }
    return text;
}

std::string parse_min_version(const std::string& text)
{
    if (!parse_version_number(text)) {
        throw BadArgument("--min-version must be dotted decimal numbers such as 36 or 36.1, "
                          "not '" +
                          truncate_text(text, 64) + "'");
    }
    return text;
}

void check_readable(const std::string& path, const std::string& option)
{
    if (::access(path.c_str(), R_OK) != 0) {
        throw BadArgument("cannot read --" + option + " '" + path + "': " + std::strerror(errno));
    }
}

} // namespace cpt
