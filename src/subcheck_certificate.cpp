// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "phrases.hpp"
#include "subcheck_certificate.hpp"

namespace cpt {

SubcheckOutcome check_certificate(const CertificateLimits& limits,
                                  const std::optional<std::int64_t>& not_after, bool handshake_done,
                                  std::int64_t now_unix)
{
    SubcheckOutcome outcome;
    if (!limits.warn_days) {
        return outcome;
    }
    if (!not_after) {
        if (handshake_done) {
            outcome.subcheck =
                Subcheck{"certificate", State::unknown, "certificate expiry could not be read"};
        }
        return outcome;
    }
    const long days = whole_days(*not_after - now_unix);
    PerfValue perf;
    perf.label = "cert_days";
    perf.value = static_cast<double>(days);
    perf.decimals = 0;
    perf.warn = std::to_string(*limits.warn_days) + ":";
    if (limits.crit_days) {
        perf.crit = std::to_string(*limits.crit_days) + ":";
    }
    outcome.perfdata.push_back(perf);
    if (*not_after <= now_unix) {
        const long ago = whole_days(now_unix - *not_after);
        outcome.subcheck = Subcheck{"certificate", State::critical,
                                    ago == 0 ? std::string("certificate expired today")
                                             : "certificate expired " + days_text(ago) + " ago"};
    } else if (limits.crit_days && days < *limits.crit_days) {
        outcome.subcheck =
            Subcheck{"certificate", State::critical,
                     "certificate expires in " + days_text(days) + " (critical below " +
                         std::to_string(*limits.crit_days) + " days)"};
    } else if (days < *limits.warn_days) {
        outcome.subcheck =
            Subcheck{"certificate", State::warning,
                     "certificate expires in " + days_text(days) + " (warning below " +
                         std::to_string(*limits.warn_days) + " days)"};
    } else {
        outcome.subcheck = Subcheck{"certificate", State::ok,
                                    "certificate valid for " + days_text(days) + " more (until " +
                                        date_text(*not_after) + ")"};
    }
    return outcome;
}

} // namespace cpt
