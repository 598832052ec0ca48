// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "dns/srv_record.hpp"

#include <algorithm>
#include <tuple>

namespace cpt {

std::vector<SrvRecord> client_order(std::vector<SrvRecord> records)
{
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
        // Weight descending: b's weight on the left.
        return std::tie(a.priority, b.weight, a.target, a.port) <
               std::tie(b.priority, a.weight, b.target, b.port);
    });
    return records;
}

} // namespace cpt
