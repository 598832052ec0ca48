// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace cpt {

enum class IpFamily
{
    any,
    v4,
    v6,
};

/// Where and how the transport connects: everything it needs, nothing of Pexip or the CLI.
struct ConnectionSettings
{
    std::string host; ///< Host header, SNI and the name the certificate must carry
    long port = 443;
    std::string connect_address; ///< empty: resolve host
    IpFamily ip_family = IpFamily::any;
    bool insecure = false;
    std::string ca_file;
    std::string client_cert;
    std::string client_key;
    bool want_cert_expiry = false;
    std::string user_agent;
};

} // namespace cpt
