// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "plugin_kit/check_result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cpt {

/// What one subcheck found: its verdict (none when it has nothing to say), its perfdata and
/// long-output lines.
struct SubcheckOutcome
{
    std::optional<Subcheck> subcheck;
    std::vector<PerfValue> perfdata;
    std::vector<std::string> details; ///< shown from -v on
};

inline void add_outcome(CheckResult& result, const SubcheckOutcome& outcome)
{
    for (const PerfValue& perf : outcome.perfdata) {
        result.add_perfdata(perf);
    }
    for (const std::string& line : outcome.details) {
        result.add_detail(line);
    }
    if (outcome.subcheck) {
        result.add(*outcome.subcheck);
    }
}

} // namespace cpt
