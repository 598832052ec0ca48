// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "probe/discovery.hpp"

#include <algorithm>
#include <exception>
#include <thread>

namespace cpt {

namespace {

constexpr const char* service_prefix = "_pexapp._tcp.";
constexpr const char* subcheck_name = "discovery";

std::string lower(std::string text)
{
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

/// The domain as a target name: lower case, no trailing dot.
std::string plain_name(const std::string& name)
{
    std::string out = lower(name);
    while (out.size() > 1 && out.back() == '.') {
        out.pop_back();
    }
    return out;
}

std::string child_name(const SrvRecord& record, bool fallback)
{
    std::string name = record.target + " port " + std::to_string(record.port);
    if (!fallback) {
        name += " (priority " + std::to_string(record.priority) + ", weight " +
                std::to_string(record.weight) + ")";
    }
    return name;
}

/// Joins every started thread, whatever happens: a std::thread destroyed joinable aborts.
class ThreadGroup
{
public:
    ThreadGroup() = default;
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;
    ~ThreadGroup() { join(); }

    template <typename F>
    void start(F&& body)
    {
        threads_.emplace_back(std::forward<F>(body));
    }

    void join()
    {
        for (std::thread& thread : threads_) {
            if (thread.joinable()) {
                thread.join();
            }
        }
    }

private:
    std::vector<std::thread> threads_;
};

CheckResult internal_error(const char* what)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::unknown,
                        std::string("internal error: ") + printable_line(what, 200), true});
    return result;
}

std::vector<TargetProbe> probe_all(const ProbeSettings& options,
                                   const std::vector<SrvRecord>& records, const TargetProber& probe)
{
    std::vector<TargetProbe> probed(records.size());
    {
        ThreadGroup threads;
        for (std::size_t i = 0; i < records.size(); ++i) {
            probed[i].record = records[i];
            TargetProbe* slot = &probed[i];
            threads.start([slot, &options, &probe] {
                try {
                    slot->result = probe(target_settings(options, slot->record));
                } catch (const std::exception& error) {
                    slot->result = internal_error(error.what());
                } catch (...) {
                    slot->result = internal_error("unknown exception");
                }
            });
        }
    }
    return probed;
}

} // namespace

std::string discovery_name(const std::string& domain)
{
    return service_prefix + domain;
}

ProbeSettings target_settings(const ProbeSettings& options, const SrvRecord& record)
{
    ProbeSettings target = options;
    target.hostname = record.target;
    target.port = record.port;
    target.ip_address.clear();
    return target;
}

CheckResult run_discovery(const ProbeSettings& options, const SrvLookupFunction& lookup,
                          const TargetProber& probe)
{
    const SrvLookup found = lookup(discovery_name(options.hostname));
    if (found.status == SrvStatus::no_record) {
        SrvRecord fallback;
        fallback.target = plain_name(options.hostname);
        fallback.port = 443;
        return discovery_result(options, probe_all(options, {fallback}, probe),
                                "no _pexapp._tcp record for " + plain_name(options.hostname) +
                                    " (" + found.detail + "), fell back to " + fallback.target +
                                    " port 443");
    }
    std::vector<SrvRecord> records;
    for (const SrvRecord& record : client_order(found.records)) {
        if (record.target != ".") {
            records.push_back(record);
        }
    }
    if (found.status != SrvStatus::records || records.empty()) {
        return lookup_failure_result(options, found);
    }
    return discovery_result(options, probe_all(options, records, probe));
}

CheckResult discovery_result(const ProbeSettings& options, std::vector<TargetProbe> probed,
                             const std::string& fallback_detail)
{
    CheckResult result;
    std::size_t ok = 0;
    State worst = State::ok;
    std::vector<const TargetProbe*> failing;
    for (const TargetProbe& target : probed) {
        const State state = target.result.state();
        worst = worse(worst, state);
        if (state == State::ok) {
            ++ok;
        } else {
            failing.push_back(&target);
        }
    }
    // Clients fail over to a node that works: one OK target caps the state at WARNING.
    const State state =
        (ok > 0 && severity(worst) > severity(State::warning)) ? State::warning : worst;
    std::stable_sort(failing.begin(), failing.end(),
                     [](const TargetProbe* a, const TargetProbe* b) {
                         return severity(a->result.state()) > severity(b->result.state());
                     });
    std::string summary = std::to_string(ok) + " of " + std::to_string(probed.size()) + " nodes OK";
    if (!fallback_detail.empty()) {
        summary += "; " + fallback_detail;
    } else if (failing.empty()) {
        summary += " (" + discovery_name(plain_name(options.hostname)) + ")";
    }
    for (const TargetProbe* target : failing) {
        summary += "; " + target->record.target + " " + state_name(target->result.state()) + ": " +
                   target->result.summary();
    }
    result.add(Subcheck{subcheck_name, state, summary, true});

    const double count = static_cast<double>(probed.size());
    result.add_perfdata(PerfValue{"nodes", count, 0, "", "", "", 0.0, std::nullopt});
    result.add_perfdata(PerfValue{"nodes_ok", static_cast<double>(ok), 0, "", "", "", 0.0, count});
    for (const TargetProbe& target : probed) {
        for (const PerfValue& perf : target.result.perfdata()) {
            if (perf.label == "time") {
                PerfValue time = perf;
                time.label = "time_" + target.record.target;
                result.add_perfdata(time);
            }
        }
    }
    for (TargetProbe& target : probed) {
        result.add_child(child_name(target.record, !fallback_detail.empty()),
                         std::move(target.result));
    }
    return result;
}

CheckResult lookup_failure_result(const ProbeSettings& options, const SrvLookup& lookup)
{
    CheckResult result;
    const std::string name = discovery_name(plain_name(options.hostname));
    if (lookup.status == SrvStatus::timeout) {
        result.add(Subcheck{subcheck_name, options.timeout_result,
                            "timeout after " + format_compact(options.timeout_seconds, 3) +
                                " s (SRV lookup of " + name + ")",
                            true});
    } else if (lookup.status == SrvStatus::records) {
        // Only '.' targets: RFC 2782 says the service is deliberately not offered.
        result.add(Subcheck{subcheck_name, State::critical,
                            "service not offered: " + name + " names the target '.'", true});
        result.add_perfdata(PerfValue{"nodes", 0.0, 0, "", "", "", 0.0, std::nullopt});
        result.add_perfdata(PerfValue{"nodes_ok", 0.0, 0, "", "", "", 0.0, 0.0});
    } else {
        result.add(Subcheck{subcheck_name, State::critical,
                            "cannot resolve " + name + " (SRV lookup: " + lookup.detail + ")",
                            true});
    }
    return result;
}

} // namespace cpt
