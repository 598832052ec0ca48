// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

namespace cpt {

/// One perfdata item, 'label'=value[uom];warn;crit;min;max.
struct PerfValue
{
    std::string label; ///< [a-z0-9_.-] only (a host name in time_<target>): never escaped
    double value = 0.0;
    int decimals = 6; ///< 0 for whole numbers such as days
    std::string uom;  ///< "s" or empty
    std::string warn; ///< the user's threshold text, verbatim
    std::string crit;
    std::optional<double> min;
    std::optional<double> max;
};

/// Formats one item: the label always quoted, '.' decimals in any locale, trailing empty
/// fields dropped.
std::string format_perfdata(const PerfValue& perf);

} // namespace cpt
