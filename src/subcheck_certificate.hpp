// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "subcheck_outcome.hpp"

#include <cstdint>
#include <optional>

namespace cpt {

/// -C WARN[,CRIT]: alert below so many days left.
struct CertificateLimits
{
    std::optional<long> warn_days; ///< no -C: the subcheck says nothing
    std::optional<long> crit_days;
};

/// The certificate days subcheck and 'cert_days'. not_after is the node certificate's expiry
/// (none when it could not be read); handshake_done tells a missing expiry (UNKNOWN) from a
/// connection that never got that far (nothing to say).
SubcheckOutcome check_certificate(const CertificateLimits& limits,
                                  const std::optional<std::int64_t>& not_after, bool handshake_done,
                                  std::int64_t now_unix);

} // namespace cpt
