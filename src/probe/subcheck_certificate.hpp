// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"
#include "plugin_kit/subcheck_outcome.hpp"

#include <cstdint>
#include <optional>

namespace cpt {

/// -C WARN[,CRIT]: alert below so many days left.
struct CertificateLimits
{
    std::optional<long> warn_days; ///< no -C: the subcheck says nothing
    std::optional<long> crit_days;
};

/// The certificate days subcheck and 'cert_days' over the chain the node sent (leaf first):
/// the soonest notAfter of the leaf and every intermediate counts, a self-signed root after
/// the leaf does not; the text names the certificate that expires first. An empty chain
/// after a handshake is UNKNOWN (expiry unread); before one there is nothing to say.
SubcheckOutcome check_certificate(const CertificateLimits& limits, const CertificateChain& chain,
                                  bool handshake_done, std::int64_t now_unix);

/// The leaf's expiry alone, no subject known (a client that cannot read the chain).
SubcheckOutcome check_certificate(const CertificateLimits& limits,
                                  const std::optional<std::int64_t>& not_after, bool handshake_done,
                                  std::int64_t now_unix);

} // namespace cpt
