// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: version strings (--min-version and the node's version_id), their order
// and the version subcheck. Input: MINIMUM NUL VERSION_ID (no NUL: both are the input).
#include "config.h"

#include "base/version_number.hpp"
#include "fuzz_check.hpp"
#include "probe/subcheck_version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void check_parse(std::string_view text)
{
    const auto version = cpt::parse_version_number(text);
    if (!version) {
        return;
    }
    // Accepted: only digits and single dots inside, at most 64 bytes.
    FUZZ_CHECK(!text.empty() && text.size() <= 64, std::string(text));
    FUZZ_CHECK(text.front() != '.' && text.back() != '.', std::string(text));
    FUZZ_CHECK(text.find("..") == std::string_view::npos, std::string(text));
    for (char c : text) {
        FUZZ_CHECK((c >= '0' && c <= '9') || c == '.', std::string(text));
    }
    FUZZ_CHECK(!version->components.empty(), std::string(text));
    FUZZ_CHECK(cpt::compare_versions(*version, *version) == 0, std::string(text));
    // A trailing ".0" never changes the order.
    cpt::VersionNumber padded = *version;
    padded.components.emplace_back("0");
    FUZZ_CHECK(cpt::compare_versions(*version, padded) == 0, std::string(text));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string minimum(input.substr(0, nul));
    const std::string version_id(nul == std::string_view::npos ? input : input.substr(nul + 1));
    check_parse(minimum);
    check_parse(version_id);

    const auto a = cpt::parse_version_number(minimum);
    const auto b = cpt::parse_version_number(version_id);
    if (a && b) {
        const int ab = cpt::compare_versions(*a, *b);
        const int ba = cpt::compare_versions(*b, *a);
        FUZZ_CHECK((ab < 0 && ba > 0) || (ab > 0 && ba < 0) || (ab == 0 && ba == 0),
                   std::string(input));
    }

    const auto sub = cpt::check_min_version(minimum, version_id);
    FUZZ_CHECK(sub.has_value() == a.has_value(), std::string(input));
    if (sub) {
        // WARNING exactly when the node is older, unparsable or silent; OK otherwise.
        const bool older = b && cpt::compare_versions(*b, *a) < 0;
        const bool warn = version_id.empty() || !b || older;
        FUZZ_CHECK(sub->state == (warn ? cpt::State::warning : cpt::State::ok), std::string(input));
        // The node's text is cut; the result tree sanitises it before printing.
        FUZZ_CHECK(sub->summary.size() <= 64 * 4 + 120, std::string(input));
        cpt::CheckResult result;
        result.add(*sub);
        for (int verbosity = 0; verbosity <= 1; ++verbosity) {
            cpt_fuzz::check_output(result.render(verbosity), result.state(), {});
        }
    }
    return 0;
}
