// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"
#include "plugin_kit/check_result.hpp"
#include "probe/probe_settings.hpp"

#include <cstdint>
#include <functional>

namespace cpt {

/// What the probe needs from outside besides the network.
struct ProbeEnvironment
{
    std::int64_t now_unix = 0;           ///< for certificate days
    std::function<void()> on_token_held; ///< called once a token must be released
};

/// The check: request a token, release it, and judge the outcome, thresholds, certificate
/// days and service type. Pure apart from the injected client.
/// The client bounds every request by the run's deadline.
CheckResult run_probe(const ProbeSettings& options, HttpClient& client,
                      const ProbeEnvironment& environment);

} // namespace cpt
