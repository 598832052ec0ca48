// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the SRV answer parser (a raw DNS message from whatever the resolver
// reached), RFC 2782 order, and the --srv verdict rendered from what it parsed.
#include "config.h"

#include "dns/srv_answer.hpp"
#include "fuzz_check.hpp"
#include "probe/discovery.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const cpt::SrvAnswer answer = cpt::parse_srv_answer(data, size);
    FUZZ_CHECK(answer.valid == answer.error.empty(), input);
    FUZZ_CHECK(answer.records.size() <= cpt::max_srv_records, input);
    FUZZ_CHECK(answer.rcode >= 0 && answer.rcode <= 15, input);
    if (!answer.valid) {
        FUZZ_CHECK(answer.records.empty(), input);
        return 0;
    }
    for (const cpt::SrvRecord& record : answer.records) {
        const std::string& t = record.target;
        FUZZ_CHECK(!t.empty() && t.size() <= 253, t);
        FUZZ_CHECK(t == "." || (t.front() != '.' && t.back() != '.'), t);
        FUZZ_CHECK(t.find("..") == std::string::npos, t);
        for (char c : t) {
            FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                           c == '.',
                       t);
        }
        FUZZ_CHECK(t == "." || record.port != 0, t);
    }
    const auto ordered = cpt::client_order(answer.records);
    FUZZ_CHECK(ordered.size() == answer.records.size(), input);
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        const auto& a = ordered[i - 1];
        const auto& b = ordered[i];
        FUZZ_CHECK(a.priority < b.priority || (a.priority == b.priority && a.weight >= b.weight),
                   input);
    }
    // Every target "answers" OK: the verdict and its output follow the output rules.
    cpt::ProbeSettings settings;
    settings.hostname = "example.test";
    std::vector<cpt::TargetProbe> probed;
    for (const cpt::SrvRecord& record : ordered) {
        cpt::CheckResult node;
        node.add(cpt::Subcheck{"request_token", cpt::State::ok, "token issued", true});
        probed.push_back(cpt::TargetProbe{record, std::move(node)});
    }
    const cpt::CheckResult result = cpt::discovery_result(settings, std::move(probed));
    for (int verbosity = 0; verbosity <= 1; ++verbosity) {
        cpt_fuzz::check_output(result.render(verbosity), result.state(), {});
    }
    return 0;
}
