// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/deadline.hpp"
#include "dns/srv_record.hpp"

#include <string>
#include <vector>

namespace cpt {

/// How an SRV lookup ended.
enum class SrvStatus
{
    records,   ///< at least one SRV record
    no_record, ///< NXDOMAIN, or an answer without SRV records (NODATA)
    failed,    ///< SERVFAIL, REFUSED, no server reachable, a malformed answer
    timeout,   ///< no answer before the deadline
};

struct SrvLookup
{
    SrvStatus status = SrvStatus::failed;
    std::vector<SrvRecord> records; ///< in answer order
    std::string detail;             ///< for the text: "NXDOMAIN", "no SRV answer", "SERVFAIL", ...
};

/// Looks up the SRV records of name (e.g. "_pexapp._tcp.example.com") through the system
/// resolver (/etc/resolv.conf), and gives up when the deadline passes.
SrvLookup lookup_srv(const std::string& name, const Deadline& deadline);

} // namespace cpt
