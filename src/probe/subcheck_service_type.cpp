// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "probe/subcheck_service_type.hpp"

namespace cpt {

std::optional<Subcheck> check_service_type(const std::string& expected, const TokenGrant& grant)
{
    if (expected.empty()) {
        return std::nullopt;
    }
    // A locked room reports current_service_type waiting_room but service_type
    // conference: either naming the expected type counts.
    if (grant.current_service_type == expected || grant.service_type == expected) {
        return Subcheck{"service_type", State::ok, "service type " + expected};
    }
    const std::string& actual = grant.effective_service_type();
    return Subcheck{"service_type", State::warning,
                    "service type " + (actual.empty() ? "unknown" : actual) + ", expected " +
                        expected};
}

} // namespace cpt
