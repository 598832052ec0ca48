// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/deadline.hpp"
#include "base/text.hpp"
#include "cli/help_text.hpp"
#include "cli/options.hpp"
#include "dns/srv_lookup.hpp"
#include "http/curl_http_client.hpp"
#include "plugin.hpp"
#include "probe/discovery.hpp"
#include "probe/probe.hpp"

#include <ctime>
#include <exception>

namespace cpt {

namespace {

/// Longest argument-error reason on line 1: it may quote an argument of up to 128 KiB, and
/// the whole output stays within 8 KiB.
constexpr std::size_t max_reason_bytes = 400;

/// Past the deadline libcurl should have given up; the backstop waits this much longer.
constexpr double backstop_margin_seconds = 0.5;

// Read by the backstop's signal handler, so they live as long as the process.
std::string backstop_timeout_line;
std::string backstop_release_line;

int probe(const Options& options, std::string& output, const HttpClientFactory& make_client)
{
    const std::string budget = format_compact(options.timeout_seconds, 3);
    backstop_timeout_line = std::string(output_prefix) + " " + state_name(options.timeout_result) +
                            ": timeout after " + budget + " s (plugin deadline)\n";
    backstop_release_line = std::string(output_prefix) +
                            " WARNING: token release failed: timeout after " + budget +
                            " s (plugin deadline)\n";
    DeadlineBackstop backstop(options.timeout_seconds + backstop_margin_seconds,
                              backstop_timeout_line.c_str(),
                              static_cast<int>(options.timeout_result));
    const Deadline deadline(options.timeout_seconds);
    // Network libraries start only now: --help and argument errors never pay for them.
    const CurlGlobal curl;
    ProbeEnvironment environment;
    environment.now_unix = static_cast<std::int64_t>(std::time(nullptr));
    environment.on_token_held = [&backstop] {
        backstop.set_message(backstop_release_line.c_str(), static_cast<int>(State::warning));
    };
    // One whole probe of one node with its own client: the run's, or one of --srv's targets
    // (each on its own thread; the clients share only the deadline).
    const auto probe_node = [&](const ProbeSettings& node) {
        const std::unique_ptr<HttpClient> client =
            make_client(connection_settings_from(node), deadline);
        return run_probe(node, *client, environment);
    };
    const CheckResult result =
        options.srv
            ? run_discovery(
                  options,
                  [&deadline](const std::string& name) { return lookup_srv(name, deadline); },
                  probe_node)
            : probe_node(options);
    output = result.render(options.verbosity);
    // The result is known: should closing the connection and libcurl's cleanup overrun the
    // deadline, the backstop prints this, not a generic "plugin deadline" line.
    backstop.set_message(output.c_str(), static_cast<int>(result.state()));
    return static_cast<int>(result.state());
}

} // namespace

std::string usage_error_output(std::string_view reason, bool with_usage)
{
    return std::string(output_prefix) + " UNKNOWN: " + printable_line(reason, max_reason_bytes) +
           "\n" + (with_usage ? usage_text() : std::string());
}

int run_plugin(const std::vector<std::string>& args, std::string& output) noexcept
{
    return run_plugin(args, output,
                      [](const ConnectionSettings& settings, const Deadline& deadline) {
                          return std::make_unique<CurlHttpClient>(settings, deadline);
                      });
}

int run_plugin(const std::vector<std::string>& args, std::string& output,
               const HttpClientFactory& make_client) noexcept
{
    try {
        const ParseOutcome outcome = parse_options(args);
        if (const auto* info = std::get_if<InfoRequest>(&outcome)) {
            output = info->text;
            return static_cast<int>(State::unknown);
        }
        if (const auto* error = std::get_if<UsageError>(&outcome)) {
            output = usage_error_output(error->reason, error->with_usage);
            return static_cast<int>(State::unknown);
        }
        return probe(std::get<Options>(outcome), output, make_client);
    } catch (const std::exception& error) {
        try {
            output = std::string(output_prefix) +
                     " UNKNOWN: internal error: " + printable_line(error.what(), max_reason_bytes) +
                     "\n";
        } catch (...) {
            output = "PEXIP TOKEN UNKNOWN: internal error\n";
        }
    } catch (...) {
        output = "PEXIP TOKEN UNKNOWN: internal error\n";
    }
    return static_cast<int>(State::unknown);
}

} // namespace cpt
