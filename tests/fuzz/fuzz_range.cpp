// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: Nagios range parsing (-w/-c), the text echoed into perfdata verbatim.
#include "config.h"

#include "fuzz_check.hpp"
#include "plugin_kit/range.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto range = cpt::parse_range(text, error);
    if (!range) {
        FUZZ_CHECK(!error.empty(), std::string(text));
        return 0;
    }
    FUZZ_CHECK(range->text == text, std::string(text));
    // Accepted text goes into perfdata as it is: it must not break the perfdata grammar.
    for (char c : range->text) {
        FUZZ_CHECK(c != ' ' && c != ';' && c != '|' && c != '\'' && c != '=' &&
                       static_cast<unsigned char>(c) >= 0x20 && c != 0x7F,
                   std::string(text));
    }
    FUZZ_CHECK(range->start_infinite || std::isfinite(range->start), std::string(text));
    FUZZ_CHECK(range->end_infinite || std::isfinite(range->end), std::string(text));
    if (!range->start_infinite && !range->end_infinite) {
        FUZZ_CHECK(range->start <= range->end, std::string(text));
    }
    // Endpoints are inclusive: never an alert on one without '@'.
    if (!range->start_infinite) {
        FUZZ_CHECK(range->alerts(range->start) == range->alert_inside, std::string(text));
    }
    if (!range->end_infinite) {
        FUZZ_CHECK(range->alerts(range->end) == range->alert_inside, std::string(text));
    }
    for (double value : {0.0, -1.0, 1e300, -1e300, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN()}) {
        (void)range->alerts(value);
    }
    // Parsing what was accepted again gives the same range.
    std::string again_error;
    const auto again = cpt::parse_range(range->text, again_error);
    FUZZ_CHECK(again && again->start_infinite == range->start_infinite &&
                   again->end_infinite == range->end_infinite &&
                   again->alert_inside == range->alert_inside &&
                   (range->start_infinite || again->start == range->start) &&
                   (range->end_infinite || again->end == range->end),
               std::string(text));
    return 0;
}
