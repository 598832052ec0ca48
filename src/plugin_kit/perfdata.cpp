// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "plugin_kit/perfdata.hpp"

namespace cpt {

std::string format_perfdata(const PerfValue& perf)
{
    std::string out =
        "'" + perf.label + "'=" + format_decimal(perf.value, perf.decimals) + perf.uom;
    const std::string fields[] = {
        perf.warn,
        perf.crit,
        // Limits, not measurements: "8", not "8.000000".
        perf.min ? format_compact(*perf.min, perf.decimals) : std::string(),
        perf.max ? format_compact(*perf.max, perf.decimals) : std::string(),
    };
    std::size_t used = 4;
    while (used > 0 && fields[used - 1].empty()) {
        --used;
    }
    for (std::size_t i = 0; i < used; ++i) {
        out += ';';
        out += fields[i];
    }
    return out;
}

} // namespace cpt
