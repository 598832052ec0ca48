// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "probe/phrases.hpp"

#include <ctime>

namespace cpt {

namespace {

constexpr std::int64_t seconds_per_day = 86400;

} // namespace

long whole_days(std::int64_t seconds)
{
    std::int64_t days = seconds / seconds_per_day;
    if (seconds % seconds_per_day < 0) {
        --days;
    }
    return static_cast<long>(days);
}

std::string seconds_text(double value)
{
    return format_decimal(value, 3) + " s";
}

std::string days_text(long days)
{
    return std::to_string(days) + (days == 1 ? " day" : " days");
}

std::string quoted(const std::string& text)
{
    return "'" + truncate_text(text, 64) + "'";
}

std::string date_text(std::int64_t unix_time)
{
    const auto time = static_cast<std::time_t>(unix_time);
    std::tm utc{};
    char buffer[32] = "?";
    if (gmtime_r(&time, &utc) != nullptr) {
        std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &utc);
    }
    return buffer;
}

std::string http_text(long status, const std::string& node_reason, const std::string& phrase)
{
    std::string text = "HTTP " + std::to_string(status);
    if (!node_reason.empty()) {
        text += ": " + truncate_text(node_reason, 160);
    } else if (!phrase.empty()) {
        text += " " + truncate_text(phrase, 80);
    }
    return text;
}

} // namespace cpt
