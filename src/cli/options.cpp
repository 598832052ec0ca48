// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "cli/extra_opts.hpp"
#include "cli/help_text.hpp"
#include "cli/option_values.hpp"
#include "cli/options.hpp"
#include "cli/pin_source.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace po = boost::program_options;

namespace cpt {

namespace {

constexpr const char* program_name = "check_pexip_token";

const po::options_description& option_table()
{
    static const po::options_description table = [] {
        po::options_description desc;
        const auto text = [] { return po::value<std::string>(); };
        const auto flag = [] { return po::bool_switch(); };
        auto add = desc.add_options();
        // Target
        add("hostname,H", text());
        add("ip-address,I", text());
        add("port,p", text());
        add("use-ipv4,4", flag());
        add("use-ipv6,6", flag());
        add("srv", flag());
        // Probe
        add("alias,a", text());
        add("display-name", text());
        add("call-tag", text());
        add("pin", text());
        add("pin-file", text());
        add("guest", flag());
        add("no-release", flag());
        add("challenge-result", text());
        add("expect-service-type", text());
        add("maintenance-result", text());
        add("min-version", text());
        add("events", flag());
        add("events-wait", text());
        // TLS
        add("insecure,k", flag());
        add("ca-file", text());
        add("certificate,C", text());
        add("client-cert", text());
        add("client-key", text());
        // Thresholds and limits
        add("warning,w", text());
        add("critical,c", text());
        add("timeout,t", text());
        add("timeout-result", text());
        // Output and misc
        add("verbose,v", flag());
        add("help,h", flag());
        add("version,V", flag());
        add("extra-opts", po::value<std::string>()->implicit_value(""));
        return desc;
    }();
    return table;
}

/// Boost.ProgramOptions builds what() by replacing "%option%", "%value%", ... in a loop until
/// none is left: an argument that contains the placeholder it is put in ("--%original_token%")
/// made that loop run forever, before any deadline. Such values are defused ('%' -> '?').
std::string option_error_text(po::error& error)
{
    if (auto* named = dynamic_cast<po::error_with_option_name*>(&error)) {
        struct Access : po::error_with_option_name
        {
            static std::map<std::string, std::string> po::error_with_option_name::*values()
            {
                return &Access::m_substitutions;
            }
        };
        for (auto& [key, value] : named->*Access::values()) {
            for (const char* placeholder :
                 {"%canonical_option%", "%option%", "%original_token%", "%prefix%", "%value%"}) {
                if (value.find(placeholder) != std::string::npos) {
                    std::replace(value.begin(), value.end(), '%', '?');
                    break;
                }
            }
        }
    }
    return error.what();
}

std::vector<po::option> parse_argv(const std::vector<std::string>& args)
{
    // Not allow_guessing: "--pin" must never silently become "--pin-file".
    const int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
    return po::command_line_parser(args).options(option_table()).style(style).run().options;
}

/// Applies the options in order; a later value overrides an earlier one, as with getopt.
Options interpret(const std::vector<po::option>& parsed, const EnvironmentLookup& lookup)
{
    std::map<std::string, std::string> last;
    int verbosity = 0;
    for (const po::option& option : parsed) {
        if (option.string_key.empty()) {
            throw BadArgument(
                "unexpected argument '" +
                (option.original_tokens.empty() ? std::string() : option.original_tokens.front()) +
                "' (every value needs its option)");
        }
        if (option.string_key == "verbose") {
            ++verbosity;
            continue;
        }
        last[option.string_key] = option.value.empty() ? std::string() : option.value.front();
    }
    const auto has = [&](const char* key) { return last.count(key) != 0; };
    const auto get = [&](const char* key) { return last.at(key); };

    Options options;
    options.verbosity = verbosity;
    if (!has("hostname")) {
        throw BadArgument("-H/--hostname is required");
    }
    if (!has("alias")) {
        throw BadArgument("-a/--alias is required");
    }
    options.hostname = checked_host(get("hostname"), "hostname");
    options.alias = get("alias");
    if (options.alias.empty()) {
        throw BadArgument("-a/--alias must not be empty");
    }
    if (options.alias.size() > max_text_option_bytes) {
        throw BadArgument("-a/--alias is longer than 1024 bytes");
    }
    if (has("ip-address")) {
        options.ip_address = checked_host(get("ip-address"), "ip-address");
    }
    if (has("port")) {
        options.port = parse_whole_number(get("port"), "-p/--port", 1, 65535);
    }
    if (has("use-ipv4") && has("use-ipv6")) {
        throw BadArgument("-4 and -6 exclude each other");
    }
    options.srv = has("srv");
    if (options.srv && has("ip-address")) {
        throw BadArgument("-I/--ip-address and --srv exclude each other (--srv probes every "
                          "node the SRV records name)");
    }
    if (options.srv && has("port")) {
        throw BadArgument("-p/--port and --srv exclude each other (--srv takes each node's "
                          "port from its SRV record)");
    }
    options.ip_family = has("use-ipv4")   ? IpFamily::v4
                        : has("use-ipv6") ? IpFamily::v6
                                          : IpFamily::any;

    if (has("display-name")) {
        options.display_name = checked_text(get("display-name"), "display-name", false);
    }
    if (has("call-tag")) {
        options.call_tag = checked_text(get("call-tag"), "call-tag", true);
    }
    const int pin_sources = static_cast<int>(has("pin")) + static_cast<int>(has("pin-file")) +
                            static_cast<int>(has("guest"));
    if (pin_sources > 1) {
        throw BadArgument("--pin, --pin-file and --guest exclude each other");
    }
    if (has("pin")) {
        options.pin_mode = PinMode::pin;
        options.pin_source = PinSource::option;
        options.pin = get("pin");
        if (options.pin.empty()) {
            throw BadArgument("--pin must not be empty (use --guest to join without a PIN)");
        }
        if (has_control_chars(options.pin)) {
            throw BadArgument("--pin must not contain control characters");
        }
    } else if (has("pin-file")) {
        options.pin_mode = PinMode::pin;
        options.pin_source = PinSource::file;
        options.pin_file = get("pin-file");
        read_pin_file(options);
    } else if (has("guest")) {
        options.pin_mode = PinMode::guest;
        options.pin_source = PinSource::guest;
    } else {
        read_pin_environment(options, lookup);
    }
    options.release = !has("no-release");
    if (has("challenge-result")) {
        options.challenge_result = parse_state_option(get("challenge-result"), "challenge-result");
    }
    if (has("maintenance-result")) {
        options.maintenance_result =
            parse_state_option(get("maintenance-result"), "maintenance-result");
    }
    if (has("min-version")) {
        options.min_version = parse_min_version(get("min-version"));
    }
    if (has("expect-service-type")) {
        options.expect_service_type =
            checked_text(get("expect-service-type"), "expect-service-type", false);
    }

    options.insecure = has("insecure");
    if (has("ca-file")) {
        options.ca_file = get("ca-file");
        check_readable(options.ca_file, "ca-file");
    }
    if (has("client-cert")) {
        options.client_cert = get("client-cert");
        check_readable(options.client_cert, "client-cert");
    }
    if (has("client-key")) {
        if (!has("client-cert")) {
            throw BadArgument("--client-key needs --client-cert");
        }
        options.client_key = get("client-key");
        check_readable(options.client_key, "client-key");
    }
    if (has("certificate")) {
        options.cert_days_text = get("certificate");
        const std::string& text = options.cert_days_text;
        const std::size_t comma = text.find(',');
        options.cert_warn_days =
            parse_whole_number(text.substr(0, comma), "-C/--certificate WARN", 0, 36500);
        if (comma != std::string::npos) {
            options.cert_crit_days =
                parse_whole_number(text.substr(comma + 1), "-C/--certificate CRIT", 0, 36500);
        }
    }

    if (has("warning")) {
        options.time_thresholds.warning = parse_range_option(get("warning"), "warning");
    }
    if (has("critical")) {
        options.time_thresholds.critical = parse_range_option(get("critical"), "critical");
    }
    if (has("timeout")) {
        options.timeout_seconds = parse_timeout(get("timeout"));
    }
    if (has("timeout-result")) {
        options.timeout_result = parse_state_option(get("timeout-result"), "timeout-result");
    }
    options.events = has("events");
    options.events_wait_seconds =
        has("events-wait") ? parse_events_wait(get("events-wait"), options.timeout_seconds)
                           : std::min(default_events_wait_seconds, options.timeout_seconds / 2.0);
    return options;
}

bool asks_for(const std::vector<po::option>& parsed, const char* key)
{
    for (const po::option& option : parsed) {
        if (option.string_key == key) {
            return true;
        }
    }
    return false;
}

} // namespace

std::optional<std::string> process_environment(const char* name)
{
    const char* value = std::getenv(name);
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
}

ParseOutcome parse_options(const std::vector<std::string>& args, const EnvironmentLookup& lookup)
{
    try {
        const std::vector<std::string> arguments(args.empty() ? args.begin() : args.begin() + 1,
                                                 args.end());
        std::vector<po::option> parsed = parse_argv(arguments);
        if (asks_for(parsed, "help")) {
            return InfoRequest{help_text()};
        }
        if (asks_for(parsed, "version")) {
            return InfoRequest{version_text()};
        }
        std::string locator;
        bool extra = false;
        for (const po::option& option : parsed) {
            if (option.string_key == "extra-opts") {
                extra = true;
                locator = option.value.empty() ? std::string() : option.value.front();
            }
        }
        if (extra) {
            std::vector<po::option> from_file;
            try {
                from_file = parse_argv(read_extra_opts(locator, program_name));
            } catch (po::error& error) {
                throw BadArgument("in --extra-opts: " + option_error_text(error));
            } catch (const std::runtime_error& error) {
                throw FileArgumentError(error.what());
            }
            if (asks_for(from_file, "extra-opts") || asks_for(from_file, "help") ||
                asks_for(from_file, "version")) {
                throw BadArgument("--extra-opts files must not name extra-opts, help or version");
            }
            // The command line comes last, so it overrides the file.
            from_file.insert(from_file.end(), parsed.begin(), parsed.end());
            parsed = std::move(from_file);
        }
        return interpret(parsed, lookup);
    } catch (po::error& error) {
        return UsageError{sanitize_line(option_error_text(error))};
    } catch (const FileArgumentError& error) {
        return UsageError{sanitize_line(error.what()), false};
    } catch (const BadArgument& error) {
        return UsageError{sanitize_line(error.what())};
    }
}

} // namespace cpt
