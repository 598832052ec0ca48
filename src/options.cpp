// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "extra_opts.hpp"
#include "options.hpp"
#include "text.hpp"

#include <boost/program_options.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace po = boost::program_options;

namespace cpt {

namespace {

constexpr const char* program_name = "check_pexip_token";
constexpr double max_timeout_seconds = 3600.0;
constexpr std::size_t max_text_option_bytes = 1024;
constexpr std::size_t max_pin_file_bytes = 64 * 1024;

/// An argument error: becomes a UsageError.
struct BadArgument : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

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

long parse_whole_number(const std::string& text, const std::string& what, long low, long high)
{
    long value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        value < low || value > high) {
        throw BadArgument(what + " must be a whole number from " + std::to_string(low) + " to " +
                          std::to_string(high) + ", not '" + text + "'");
    }
    return value;
}

double parse_timeout(const std::string& text)
{
    const std::optional<double> parsed = parse_decimal(text);
    const double value = parsed.value_or(0.0);
    if (!parsed || value <= 0.0 || value > max_timeout_seconds) {
        throw BadArgument("-t/--timeout must be a number of seconds above 0 and at most 3600, "
                          "not '" +
                          text + "'");
    }
    return value;
}

State parse_state_option(const std::string& text, const std::string& option)
{
    const auto state = parse_state(text);
    if (!state) {
        throw BadArgument("invalid state '" + text + "' for --" + option +
                          " (use OK, WARNING, CRITICAL, UNKNOWN or 0-3)");
    }
    return *state;
}

Range parse_range_option(const std::string& text, const std::string& option)
{
    std::string error;
    auto range = parse_range(text, error);
    if (!range) {
        throw BadArgument("invalid range '" + text + "' for --" + option + ": " + error);
    }
    return *range;
}

/// Text that goes into a header, the JSON body or the output: no controls, valid UTF-8.
std::string checked_text(const std::string& text, const std::string& option, bool allow_empty)
{
    if (!allow_empty && text.empty()) {
        throw BadArgument("--" + option + " must not be empty");
    }
    if (has_control_chars(text)) {
        throw BadArgument("--" + option + " must not contain control characters");
    }
    if (!is_valid_utf8(text)) {
        throw BadArgument("--" + option + " must be valid UTF-8");
    }
    if (text.size() > max_text_option_bytes) {
        throw BadArgument("--" + option + " is longer than 1024 bytes");
    }
    return text;
}

/// A host name or address: one label sequence or an IP literal, never a URL fragment.
std::string checked_host(std::string text, const std::string& option)
{
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2); // [v6] written as in a URL
    }
    if (text.empty() || text.size() > 253) {
        throw BadArgument("--" + option + " must be a host name or address");
    }
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool allowed = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                             (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                             c == ':' || c == '%';
        if (!allowed) {
            throw BadArgument("--" + option + " '" + sanitize_line(text) +
                              "' is not a host name or address");
        }
    }
    return text;
}

void check_readable(const std::string& path, const std::string& option)
{
    if (::access(path.c_str(), R_OK) != 0) {
        throw BadArgument("cannot read --" + option + " '" + path + "': " + std::strerror(errno));
    }
}

void read_pin_file(Options& options)
{
    std::string line;
    try {
        line = read_regular_file(options.pin_file, "--pin-file", max_pin_file_bytes);
    } catch (const std::runtime_error& error) {
        throw BadArgument(error.what());
    }
    line.erase(std::min(line.find('\n'), line.size()));
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (line.empty()) {
        throw BadArgument("--pin-file '" + options.pin_file + "' has an empty first line");
    }
    if (has_control_chars(line)) {
        throw BadArgument("the PIN in --pin-file '" + options.pin_file +
                          "' contains control characters");
    }
    options.pin = line;
    struct stat info
    {
    };
    options.pin_file_world_readable =
        ::stat(options.pin_file.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0;
}

/// Applies the options in order; a later value overrides an earlier one, as with getopt.
Options interpret(const std::vector<po::option>& parsed)
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
        options.pin = get("pin");
        if (options.pin.empty()) {
            throw BadArgument("--pin must not be empty (use --guest to join without a PIN)");
        }
        if (has_control_chars(options.pin)) {
            throw BadArgument("--pin must not contain control characters");
        }
    } else if (has("pin-file")) {
        options.pin_mode = PinMode::pin;
        options.pin_file = get("pin-file");
        read_pin_file(options);
    } else if (has("guest")) {
        options.pin_mode = PinMode::guest;
    }
    options.release = !has("no-release");
    if (has("challenge-result")) {
        options.challenge_result = parse_state_option(get("challenge-result"), "challenge-result");
    }
    if (has("maintenance-result")) {
        options.maintenance_result =
            parse_state_option(get("maintenance-result"), "maintenance-result");
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

ParseOutcome parse_options(const std::vector<std::string>& args)
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
                throw BadArgument(error.what());
            }
            if (asks_for(from_file, "extra-opts") || asks_for(from_file, "help") ||
                asks_for(from_file, "version")) {
                throw BadArgument("--extra-opts files must not name extra-opts, help or version");
            }
            // The command line comes last, so it overrides the file.
            from_file.insert(from_file.end(), parsed.begin(), parsed.end());
            parsed = std::move(from_file);
        }
        return interpret(parsed);
    } catch (po::error& error) {
        return UsageError{sanitize_line(option_error_text(error))};
    } catch (const BadArgument& error) {
        return UsageError{sanitize_line(error.what())};
    }
}

std::string usage_text()
{
    return "Usage:\n"
           " check_pexip_token -H HOST -a ALIAS [-I ADDR] [-p PORT] [-4] [-6]\n"
           "   [--pin=PIN] [--pin-file=FILE] [--guest] [--no-release]\n"
           "   [--display-name=NAME] [--call-tag=TAG] [--expect-service-type=TYPE]\n"
           "   [--challenge-result=STATE] [--maintenance-result=STATE]\n"
           "   [-k] [--ca-file=FILE] [--client-cert=FILE] [--client-key=FILE]\n"
           "   [-C WARN[,CRIT]] [-w RANGE] [-c RANGE] [-t SECONDS] [--timeout-result=STATE]\n"
           "   [--extra-opts=[SECTION][@FILE]] [-v]...\n"
           "Try 'check_pexip_token --help' for more information.\n";
}

std::string version_text()
{
    const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
    std::string text =
        std::string(program_name) + " v" PACKAGE_VERSION " (libcurl " + curl->version;
    if (curl->ssl_version != nullptr) {
        text += std::string(", ") + curl->ssl_version;
    }
    return text + ")\n";
}

std::string help_text()
{
    return version_text() + R"(
Checks that a Pexip Infinity conferencing node admits a participant: requests
a conference token the way a WebRTC client does, releases it at once, and
reports the outcome, the response time and the node's version.

)" + usage_text() +
           R"(
Target:
 -H, --hostname=HOST
    Conferencing node FQDN or address: Host header, SNI and the name the
    certificate is verified against (required)
 -I, --ip-address=ADDR
    Connect to ADDR instead of resolving HOST (Host, SNI and certificate name
    stay HOST): probes one node behind a shared DNS name
 -p, --port=PORT
    TCP port (default 443)
 -4, --use-ipv4
    Connect over IPv4 only
 -6, --use-ipv6
    Connect over IPv6 only

Probe:
 -a, --alias=ALIAS
    Conference alias (required); sent as one percent-encoded path segment
 --display-name=NAME
    Participant name shown in Live View (default check_pexip_token)
 --call-tag=TAG
    Call tag (default check_pexip_token)
 --pin=PIN
    PIN to send (visible in the process list: prefer --pin-file)
 --pin-file=FILE
    Read the PIN from the first line of FILE
 --guest
    Join as a guest without a PIN (sends "pin: none")
 --no-release
    Keep the token: the participant stays until the token expires
 --challenge-result=STATE
    State when the node asks for a PIN, an identity provider or a conference
    extension (default WARNING)
 --expect-service-type=TYPE
    WARNING when the token's service type differs (e.g. test_call)
 --maintenance-result=STATE
    State when the node is in maintenance mode (default CRITICAL)

TLS:
 -k, --insecure
    Do not verify the node certificate (verification is on by default)
 --ca-file=FILE
    CA bundle to verify the node certificate with
 -C, --certificate=WARN[,CRIT]
    Minimum days the node certificate must stay valid: WARNING below WARN,
    CRITICAL below CRIT (without CRIT only when expired or invalid)
 --client-cert=FILE
    Client certificate (PEM) to present to the node
 --client-key=FILE
    Private key (PEM) of the client certificate

Thresholds and limits:
 -w, --warning=RANGE
    Warning range for the request_token response time in seconds
 -c, --critical=RANGE
    Critical range for the request_token response time in seconds
 -t, --timeout=SECONDS
    Limit for the whole run (default 8, below check_nrpe's 10)
 --timeout-result=STATE
    State when the limit is reached (default CRITICAL)

Output and misc:
 -v, --verbose
    Long output (-v), settings (-vv), request/response trace (-vvv); the PIN
    and the token are never shown
 -h, --help
    Print this help and exit
 -V, --version
    Print the version and exit
 --extra-opts=[SECTION][@FILE]
    Read options from SECTION (default check_pexip_token) of an ini file
    (default: $MP_CONFIG_FILE or the monitoring-plugins ini locations)

STATE is OK, WARNING, CRITICAL or UNKNOWN (any case), or 0-3.

RANGE is the Nagios range syntax [@]START:END, endpoints inclusive:
 10       alert if below 0 or above 10
 10:      alert if below 10
 ~:10     alert if above 10
 10:20    alert if below 10 or above 20
 @10:20   alert if from 10 to 20

Examples:
 check_pexip_token -H node1.example.com -a meet -w 1 -c 2
 check_pexip_token -H conf.example.com -I 192.0.2.10 -a test_call \
   --expect-service-type=test_call -C 30,14
 check_pexip_token -H node1.example.com -a vmr --pin-file=/etc/nagios/pin -v

Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also --help, --version).
)";
}

} // namespace cpt
