// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "help_text.hpp"
#include "state.hpp"
#include "thresholds.hpp"

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cpt {

enum class IpFamily
{
    any,
    v4,
    v6,
};

/// Where the PIN (or its absence) came from: -vv names it, never the PIN.
enum class PinSource
{
    none,        ///< nothing asked for a PIN
    option,      ///< --pin
    file,        ///< --pin-file
    environment, ///< CHECK_PEXIP_TOKEN_PIN
    guest,       ///< --guest
};

/// How the probe identifies itself for a PIN-protected alias.
enum class PinMode
{
    none,  ///< no pin header
    pin,   ///< pin: <PIN>
    guest, ///< pin: none
};

/// Everything the command line (and --extra-opts) says; immutable once parsed.
struct Options
{
    // Target
    std::string hostname;
    std::string ip_address; ///< empty: resolve hostname
    long port = 443;
    IpFamily ip_family = IpFamily::any;

    // Probe
    std::string alias;
    std::string display_name = "check_pexip_token";
    std::string call_tag = "check_pexip_token";
    PinMode pin_mode = PinMode::none;
    PinSource pin_source = PinSource::none;
    std::string pin;      ///< secret: never printed
    std::string pin_file; ///< where the PIN came from, if a file
    bool pin_file_world_readable = false;
    bool release = true;
    State challenge_result = State::warning;
    std::string expect_service_type;
    State maintenance_result = State::critical;
    std::string min_version; ///< --min-version as given (dotted decimal); empty: not checked

    // TLS
    bool insecure = false;
    std::string ca_file;
    std::optional<long> cert_warn_days;
    std::optional<long> cert_crit_days;
    std::string cert_days_text; ///< -C as given
    std::string client_cert;
    std::string client_key;

    // Thresholds and limits
    Thresholds time_thresholds;
    double timeout_seconds = 8.0;
    State timeout_result = State::critical;

    int verbosity = 0;
};

/// --help or --version was asked for.
struct InfoRequest
{
    std::string text;
};

/// The arguments are wrong; reason is one line.
struct UsageError
{
    std::string reason;
};

using ParseOutcome = std::variant<Options, InfoRequest, UsageError>;

/// Looks up an environment variable: none when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;

/// The process environment (std::getenv).
std::optional<std::string> process_environment(const char* name);

/// Parses argv (args[0] is the program name). Reads --extra-opts and --pin-file, and
/// CHECK_PEXIP_TOKEN_PIN through lookup; touches nothing else outside the process.
ParseOutcome parse_options(const std::vector<std::string>& args,
                           const EnvironmentLookup& lookup = process_environment);

} // namespace cpt
