// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"

#include <curl/curl.h>

namespace cpt {

/// Every certificate the node presented on the easy handle's connection, leaf first, with
/// subject CN, notAfter and whether it is self-signed; empty when they cannot be read (not
/// OpenSSL, no handshake yet).
CertificateChain peer_certificate_chain(CURL* easy);

} // namespace cpt
