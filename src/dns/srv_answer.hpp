// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dns/srv_record.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cpt {

/// What a raw DNS answer to an SRV query holds.
struct SrvAnswer
{
    bool valid = false;             ///< false: malformed; error says why
    std::string error;              ///< one phrase, e.g. "record runs past the message"
    int rcode = 0;                  ///< the header's RCODE (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN)
    std::vector<SrvRecord> records; ///< the SRV records of class IN, in message order
};

/// Most SRV records an answer may carry; more is treated as malformed (one probe thread per
/// target: a hostile answer must not start thousands).
inline constexpr std::size_t max_srv_records = 32;

/// Parses a DNS message (RFC 1035 section 4) and keeps its SRV answers. The message is
/// hostile input: every length is checked against the message, compression pointers must
/// point backwards and are followed at most 64 times, names are at most 255 bytes with labels
/// of at most 63, and a target must be a host name (letters, digits, '-', '_') or the root.
/// Never throws on any input but std::bad_alloc.
SrvAnswer parse_srv_answer(const std::uint8_t* data, std::size_t size);

} // namespace cpt
