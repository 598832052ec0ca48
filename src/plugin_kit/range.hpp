// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cpt {

/// A Nagios threshold range, "[@]start:end" (monitoring-plugins guidelines): "10" is 0..10,
/// "10:" is 10..inf, "~:10" is -inf..10, "@10:20" alerts inside. Endpoints are inclusive
/// (never alert on an endpoint without '@').
struct Range
{
    double start = 0.0;
    double end = 0.0;
    bool start_infinite = false;
    bool end_infinite = false;
    bool alert_inside = false;
    std::string text; ///< what the user wrote, echoed verbatim in perfdata

    /// True when value is a violation of this range.
    bool alerts(double value) const noexcept;
};

/// Parses a range; on failure returns nullopt and sets error to a short reason.
std::optional<Range> parse_range(std::string_view text, std::string& error);

} // namespace cpt
