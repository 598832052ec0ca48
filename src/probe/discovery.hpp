// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dns/srv_lookup.hpp"
#include "dns/srv_record.hpp"
#include "plugin_kit/check_result.hpp"
#include "probe/probe_settings.hpp"

#include <functional>
#include <string>
#include <vector>

namespace cpt {

/// --srv: the SRV name whose targets are probed, "_pexapp._tcp.DOMAIN".
std::string discovery_name(const std::string& domain);

/// One target and the whole single-node probe of it.
struct TargetProbe
{
    SrvRecord record;
    CheckResult result;
};

/// The SRV lookup and the probe of one node (settings name the target and its port); both
/// bounded by the run's deadline by whoever provides them.
using SrvLookupFunction = std::function<SrvLookup(const std::string& name)>;
using TargetProber = std::function<CheckResult(const ProbeSettings& target)>;

/// --srv: looks up _pexapp._tcp.HOST, probes every target in parallel (one thread each, so a
/// hanging target starves none of the others) or HOST port 443 when there is no record, and
/// judges them all (discovery_result). options.hostname is the domain.
CheckResult run_discovery(const ProbeSettings& options, const SrvLookupFunction& lookup,
                          const TargetProber& probe);

/// The settings of one target's probe: the target name as Host, SNI and certificate name, the
/// SRV port, resolved by name (never -I).
ProbeSettings target_settings(const ProbeSettings& options, const SrvRecord& record);

/// Pure: the verdict on probed targets (in client order). fallback_detail non-empty: there
/// was no SRV record (it says why) and the one target is HOST port 443.
CheckResult discovery_result(const ProbeSettings& options, std::vector<TargetProbe> probed,
                             const std::string& fallback_detail = std::string());

/// Pure: the verdict when the lookup gave no target to probe (failed, timed out, or '.').
CheckResult lookup_failure_result(const ProbeSettings& options, const SrvLookup& lookup);

} // namespace cpt
