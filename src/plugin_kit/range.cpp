// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "plugin_kit/range.hpp"

#include <charconv>
#include <cmath>

namespace cpt {

namespace {

/// A whole decimal number, optionally signed; no exponents, no inf/nan.
std::optional<double> parse_number(std::string_view text)
{
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    if (text.empty() || text.find_first_not_of("-0123456789.") != std::string_view::npos) {
        return std::nullopt;
    }
    return cpt::parse_decimal(text);
}

} // namespace

bool Range::alerts(double value) const noexcept
{
    const bool within = (start_infinite || value >= start) && (end_infinite || value <= end);
    return alert_inside ? within : !within;
}

std::optional<Range> parse_range(std::string_view text, std::string& error)
{
    Range range;
    range.text = std::string(text);
    std::string_view rest = text;
    if (!rest.empty() && rest.front() == '@') {
        range.alert_inside = true;
        rest.remove_prefix(1);
    }
    if (rest.empty()) {
        error = "empty range";
        return std::nullopt;
    }
    std::string_view end_text = rest;
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        const std::string_view start_text = rest.substr(0, colon);
        end_text = rest.substr(colon + 1);
        if (start_text == "~") {
            range.start_infinite = true;
        } else if (!start_text.empty()) {
            const auto start = parse_number(start_text);
            if (!start) {
                error = "bad range start '" + std::string(start_text) + "'";
                return std::nullopt;
            }
            range.start = *start;
        }
    }
    if (end_text.empty()) {
        range.end_infinite = true;
    } else {
        const auto end = parse_number(end_text);
        if (!end) {
            error = "bad range end '" + std::string(end_text) + "'";
            return std::nullopt;
        }
        range.end = *end;
    }
    if (!range.start_infinite && !range.end_infinite && range.start > range.end) {
        error = "range start is greater than its end";
        return std::nullopt;
    }
    return range;
}

} // namespace cpt
