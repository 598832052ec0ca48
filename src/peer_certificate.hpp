// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <optional>

namespace cpt {

/// notAfter of the certificate the node presented on the easy handle's connection, as a
/// Unix time; none when it cannot be read (not OpenSSL, no handshake yet).
std::optional<std::int64_t> peer_cert_not_after(CURL* easy);

} // namespace cpt
