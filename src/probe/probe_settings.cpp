// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "probe/probe_settings.hpp"

namespace cpt {

ConnectionSettings connection_settings_from(const ProbeSettings& options)
{
    ConnectionSettings settings;
    settings.host = options.hostname;
    settings.port = options.port;
    settings.connect_address = options.ip_address;
    settings.ip_family = options.ip_family;
    settings.insecure = options.insecure;
    settings.ca_file = options.ca_file;
    settings.client_cert = options.client_cert;
    settings.client_key = options.client_key;
    settings.want_cert_expiry = options.cert_warn_days.has_value();
    settings.user_agent = "check_pexip_token/" PACKAGE_VERSION;
    return settings;
}

std::string pin_source_text(const ProbeSettings& options)
{
    switch (options.pin_source) {
    case PinSource::option:
        return "--pin";
    case PinSource::file:
        return "--pin-file " + options.pin_file;
    case PinSource::environment:
        return std::string("environment ") + pin_environment_variable;
    case PinSource::guest:
        return "--guest (pin: none)";
    case PinSource::none:
        break;
    }
    return "none";
}

} // namespace cpt
