// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"
#include "plugin_kit/check_result.hpp"
#include "plugin_kit/thresholds.hpp"

#include <optional>
#include <vector>

namespace cpt {

/// -w/-c on the request_token response time: a subcheck only when a range alerts.
std::optional<Subcheck> check_response_time(const Thresholds& thresholds, double seconds);

/// One time item in seconds, min 0, max the run's timeout.
PerfValue time_perfdata(const char* label, double seconds, double timeout_seconds);

/// 'time' (with the user's thresholds verbatim) and the non-overlapping phases.
std::vector<PerfValue> exchange_perfdata(const PhaseTimings& timings, const Thresholds& thresholds,
                                         double timeout_seconds);

/// After a failed request_token: the phases that did complete, never 'time' (a failure is
/// never graphed as a response time).
std::vector<PerfValue> completed_phase_perfdata(const CompletedPhases& phases,
                                                double timeout_seconds);

} // namespace cpt
