// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "help_text.hpp"
#include "state.hpp"
#include "thresholds.hpp"

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
    std::string pin;      ///< secret: never printed
    std::string pin_file; ///< where the PIN came from, if a file
    bool pin_file_world_readable = false;
    bool release = true;
    State challenge_result = State::warning;
    std::string expect_service_type;
    State maintenance_result = State::critical;

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

/// Parses argv (args[0] is the program name). Reads --extra-opts and --pin-file; touches
/// nothing else outside the process.
ParseOutcome parse_options(const std::vector<std::string>& args);

} // namespace cpt
