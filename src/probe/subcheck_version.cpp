// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "base/version_number.hpp"
#include "probe/phrases.hpp"
#include "probe/subcheck_version.hpp"

namespace cpt {

std::optional<Subcheck> check_min_version(const std::string& minimum, const std::string& version_id)
{
    const std::optional<VersionNumber> wanted = parse_version_number(minimum);
    if (!wanted) {
        return std::nullopt;
    }
    const std::string limit = " (minimum " + minimum + ")";
    if (version_id.empty()) {
        return Subcheck{"version", State::warning, "node reported no version" + limit};
    }
    const std::optional<VersionNumber> actual = parse_version_number(version_id);
    if (!actual) {
        // "36.1b" or worse: no order can be trusted, so the node is not known to be current.
        return Subcheck{"version", State::warning,
                        "unparsable version " + quoted(version_id) + limit};
    }
    const std::string shown = truncate_text(version_id, 40);
    if (compare_versions(*actual, *wanted) < 0) {
        return Subcheck{"version", State::warning,
                        "version " + shown + " older than minimum " + minimum};
    }
    return Subcheck{"version", State::ok, "version " + shown + limit};
}

} // namespace cpt
