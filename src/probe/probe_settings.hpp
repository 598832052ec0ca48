// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/connection_settings.hpp"
#include "plugin_kit/state.hpp"
#include "plugin_kit/thresholds.hpp"

#include <optional>
#include <string>

namespace cpt {

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

/// What one probe of one node needs to know: the target, the conversation, the limits.
struct ProbeSettings
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
    bool events = false;     ///< --events: read the event stream's first roster
    double events_wait_seconds = 3.0; ///< --events-wait, or its default for -t

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
};

/// The variable that holds the PIN when no option names one (Icinga's env, Director's
/// hidden fields): kept off the command line and so out of the process list.
inline constexpr const char* pin_environment_variable = "CHECK_PEXIP_TOKEN_PIN";

/// Where the PIN came from, for -vv: "--pin", "--pin-file FILE", "environment
/// CHECK_PEXIP_TOKEN_PIN", "--guest (pin: none)" or "none". Never the PIN.
std::string pin_source_text(const ProbeSettings& settings);

/// Where and how the transport connects for these settings.
ConnectionSettings connection_settings_from(const ProbeSettings& settings);

} // namespace cpt
