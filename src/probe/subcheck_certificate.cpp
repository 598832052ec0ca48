// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "probe/phrases.hpp"
#include "probe/subcheck_certificate.hpp"

namespace cpt {

namespace {

/// A self-signed certificate after the leaf is a root the node sent along: trust comes from
/// the local store, so its expiry is not the node's to fix.
bool counts(const CertificateChain& chain, std::size_t index)
{
    return index == 0 || !chain[index].self_signed;
}

std::string role_of(const CertificateChain& chain, std::size_t index)
{
    return index == 0 ? "leaf" : counts(chain, index) ? "intermediate" : "root";
}

/// ": leaf 'node.example.com'", or nothing when the subject is unknown.
std::string named(const CertificateChain& chain, std::size_t index)
{
    const std::string& name = chain[index].subject_cn;
    return name.empty() ? std::string() : ": " + role_of(chain, index) + " " + quoted(name);
}

std::string listing(const CertificateChain& chain, std::size_t index, std::int64_t now_unix)
{
    const PeerCertificate& cert = chain[index];
    const std::string name = cert.subject_cn.empty() ? "(no subject)" : quoted(cert.subject_cn);
    return "certificate " + std::to_string(index + 1) + " of " + std::to_string(chain.size()) +
           ": " + role_of(chain, index) + " " + name + " expires " + date_text(cert.not_after) +
           " (" + days_text(whole_days(cert.not_after - now_unix)) +
           (counts(chain, index) ? ")" : ", self-signed root, not counted)");
}

} // namespace

SubcheckOutcome check_certificate(const CertificateLimits& limits, const CertificateChain& chain,
                                  bool handshake_done, std::int64_t now_unix)
{
    SubcheckOutcome outcome;
    if (!limits.warn_days) {
        return outcome;
    }
    if (chain.empty()) {
        if (handshake_done) {
            outcome.subcheck =
                Subcheck{"certificate", State::unknown, "certificate expiry could not be read"};
        }
        return outcome;
    }
    std::size_t first = 0;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (counts(chain, i) && chain[i].not_after < chain[first].not_after) {
            first = i;
        }
        if (chain.size() > 1 || !chain[i].subject_cn.empty()) {
            outcome.details.push_back(listing(chain, i, now_unix));
        }
    }
    const std::int64_t not_after = chain[first].not_after;
    const std::string name = named(chain, first);
    const long days = whole_days(not_after - now_unix);
    PerfValue perf;
    perf.label = "cert_days";
    perf.value = static_cast<double>(days);
    perf.decimals = 0;
    perf.warn = std::to_string(*limits.warn_days) + ":";
    if (limits.crit_days) {
        perf.crit = std::to_string(*limits.crit_days) + ":";
    }
    outcome.perfdata.push_back(perf);
    if (not_after <= now_unix) {
        const long ago = whole_days(now_unix - not_after);
        outcome.subcheck = Subcheck{"certificate", State::critical,
                                    (ago == 0 ? std::string("certificate expired today")
                                              : "certificate expired " + days_text(ago) + " ago") +
                                        name};
    } else if (limits.crit_days && days < *limits.crit_days) {
        outcome.subcheck =
            Subcheck{"certificate", State::critical,
                     "certificate expires in " + days_text(days) + name + " (critical below " +
                         std::to_string(*limits.crit_days) + " days)"};
    } else if (days < *limits.warn_days) {
        outcome.subcheck =
            Subcheck{"certificate", State::warning,
                     "certificate expires in " + days_text(days) + name + " (warning below " +
                         std::to_string(*limits.warn_days) + " days)"};
    } else {
        outcome.subcheck = Subcheck{"certificate", State::ok,
                                    "certificate valid for " + days_text(days) + " more" + name +
                                        " (until " + date_text(not_after) + ")"};
    }
    return outcome;
}

SubcheckOutcome check_certificate(const CertificateLimits& limits,
                                  const std::optional<std::int64_t>& not_after, bool handshake_done,
                                  std::int64_t now_unix)
{
    CertificateChain chain;
    if (not_after) {
        chain.push_back(PeerCertificate{std::string(), *not_after, false});
    }
    return check_certificate(limits, chain, handshake_done, now_unix);
}

} // namespace cpt
