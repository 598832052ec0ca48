// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "probe/phrases.hpp"
#include "probe/subcheck_time.hpp"

namespace cpt {

std::optional<Subcheck> check_response_time(const Thresholds& thresholds, double seconds)
{
    const State state = thresholds.evaluate(seconds);
    if (state == State::ok) {
        return std::nullopt;
    }
    const Range& range = state == State::critical ? *thresholds.critical : *thresholds.warning;
    return Subcheck{
        "time", state,
        "response time " + seconds_text(seconds) + (range.alert_inside ? " inside " : " outside ") +
            (state == State::critical ? "critical" : "warning") + " range " + range.text};
}

PerfValue time_perfdata(const char* label, double seconds, double timeout_seconds)
{
    PerfValue perf;
    perf.label = label;
    perf.value = seconds;
    perf.uom = "s";
    perf.min = 0.0;
    perf.max = timeout_seconds;
    return perf;
}

std::vector<PerfValue> exchange_perfdata(const PhaseTimings& timings, const Thresholds& thresholds,
                                         double timeout_seconds)
{
    PerfValue time = time_perfdata("time", timings.total, timeout_seconds);
    if (thresholds.warning) {
        time.warn = thresholds.warning->text;
    }
    if (thresholds.critical) {
        time.crit = thresholds.critical->text;
    }
    return {time,
            time_perfdata("time_dns", timings.dns, timeout_seconds),
            time_perfdata("time_connect", timings.connect, timeout_seconds),
            time_perfdata("time_tls", timings.tls, timeout_seconds),
            time_perfdata("time_server", timings.server, timeout_seconds),
            time_perfdata("time_transfer", timings.transfer, timeout_seconds)};
}

std::vector<PerfValue> completed_phase_perfdata(const CompletedPhases& phases,
                                                double timeout_seconds)
{
    std::vector<PerfValue> perfdata;
    for (const auto& [label, value] :
         {std::pair{"time_dns", phases.dns}, std::pair{"time_connect", phases.connect},
          std::pair{"time_tls", phases.tls}}) {
        if (value) {
            perfdata.push_back(time_perfdata(label, *value, timeout_seconds));
        }
    }
    return perfdata;
}

} // namespace cpt
