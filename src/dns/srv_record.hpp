// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cpt {

/// One SRV record (RFC 2782): where a client of the service may connect.
struct SrvRecord
{
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target; ///< lower case, no trailing dot; "." for the root (service not offered)
};

/// The records in the order clients try them: lowest priority first, then higher weight
/// first (the expected order of RFC 2782's weighted pick), ties by target name, then port.
/// Pure: the same records always give the same order.
std::vector<SrvRecord> client_order(std::vector<SrvRecord> records);

} // namespace cpt
