// SPDX-License-Identifier: GPL-3.0-or-later
// --srv: the verdict on several targets, the fallback, '.', failed lookups; parallel probes.
#include "probe/discovery.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

using namespace cpt;

namespace {

std::string first_line(const std::string& output)
{
    return output.substr(0, output.find('\n'));
}

CheckResult node(State state, const std::string& summary, double time = -1)
{
    CheckResult r;
    r.add(Subcheck{"request_token", state, summary, true});
    if (time >= 0) {
        r.add_perfdata(PerfValue{"time", time, 6, "s", "1", "2", 0.0, 8.0});
    }
    return r;
}

ProbeSettings domain()
{
    ProbeSettings s;
    s.hostname = "Example.TEST";
    s.alias = "meet";
    s.pin = "90210731";
    s.pin_mode = PinMode::pin;
    return s;
}

SrvLookup found(std::vector<SrvRecord> records)
{
    SrvLookup l;
    l.status = SrvStatus::records;
    l.records = std::move(records);
    return l;
}

/// Runs run_discovery with the given lookup answer; each target answers from the map.
CheckResult discover(const SrvLookup& answer, const std::map<std::string, CheckResult>& nodes,
                     std::vector<std::string>* asked = nullptr)
{
    std::mutex lock;
    return run_discovery(
        domain(),
        [&](const std::string& name) {
            BOOST_TEST(name == "_pexapp._tcp.Example.TEST");
            return answer;
        },
        [&](const ProbeSettings& target) {
            {
                const std::lock_guard<std::mutex> guard(lock);
                if (asked != nullptr) {
                    asked->push_back(target.hostname + ":" + std::to_string(target.port));
                }
            }
            BOOST_TEST(target.ip_address.empty());
            BOOST_TEST(target.pin == "90210731");
            return nodes.at(target.hostname);
        });
}

} // namespace

BOOST_AUTO_TEST_SUITE(discovery)

BOOST_AUTO_TEST_CASE(all_ok_in_client_order)
{
    std::vector<std::string> asked;
    const CheckResult r =
        discover(found({{20, 0, 443, "c.test"}, {10, 10, 8443, "b.test"}, {10, 60, 443, "a.test"}}),
                 {{"a.test", node(State::ok, "token issued", 0.1)},
                  {"b.test", node(State::ok, "token issued", 0.2)},
                  {"c.test", node(State::ok, "token issued", 0.3)}},
                 &asked);
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::ok));
    BOOST_TEST(asked.size() == 3U);
    const std::string out = r.render(1);
    BOOST_TEST(first_line(out) ==
               "PEXIP TOKEN OK: 3 of 3 nodes OK (_pexapp._tcp.example.test) | 'nodes'=3;;;0 "
               "'nodes_ok'=3;;;0;3 'time_a.test'=0.100000s;1;2;0;8 "
               "'time_b.test'=0.200000s;1;2;0;8 'time_c.test'=0.300000s;1;2;0;8");
    const auto a = out.find("\\_ [OK] a.test port 443 (priority 10, weight 60): token issued");
    const auto b = out.find("\\_ [OK] b.test port 8443 (priority 10, weight 10): token issued");
    const auto c = out.find("\\_ [OK] c.test port 443 (priority 20, weight 0): token issued");
    BOOST_TEST(a != std::string::npos);
    BOOST_TEST(b > a);
    BOOST_TEST(c > b);
    BOOST_TEST(c != std::string::npos);
    BOOST_TEST(out.find("    \\_ [OK] request_token: token issued") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_ok_caps_at_warning_and_names_the_others_worst_first)
{
    const CheckResult r =
        discover(found({{10, 0, 443, "a.test"}, {10, 0, 443, "b.test"}, {10, 0, 443, "c.test"}}),
                 {{"a.test", node(State::warning, "node is in maintenance mode", 0.1)},
                  {"b.test", node(State::critical, "cannot connect")},
                  {"c.test", node(State::ok, "token issued", 0.3)}});
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::warning));
    BOOST_TEST(first_line(r.render(0)) ==
               "PEXIP TOKEN WARNING: 1 of 3 nodes OK; b.test CRITICAL: cannot connect; a.test "
               "WARNING: node is in maintenance mode | 'nodes'=3;;;0 'nodes_ok'=1;;;0;3 "
               "'time_a.test'=0.100000s;1;2;0;8 'time_c.test'=0.300000s;1;2;0;8");
}

BOOST_AUTO_TEST_CASE(none_ok_is_the_worst)
{
    const CheckResult r = discover(found({{10, 0, 443, "a.test"}, {10, 0, 443, "b.test"}}),
                                   {{"a.test", node(State::warning, "slow", 0.1)},
                                    {"b.test", node(State::critical, "refused")}});
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::critical));
    BOOST_TEST(first_line(r.render(0))
                   .find("0 of 2 nodes OK; b.test CRITICAL: refused; a.test "
                         "WARNING: slow |") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_with_one_ok_stays_unknown)
{
    const CheckResult r = discover(found({{10, 0, 443, "a.test"}, {10, 0, 443, "b.test"}}),
                                   {{"a.test", node(State::unknown, "internal error")},
                                    {"b.test", node(State::ok, "fine", 0.1)}});
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::unknown));
}

BOOST_AUTO_TEST_CASE(no_record_falls_back_to_host_port_443)
{
    SrvLookup none;
    none.status = SrvStatus::no_record;
    none.detail = "NXDOMAIN";
    std::vector<std::string> asked;
    const CheckResult r =
        discover(none, {{"example.test", node(State::critical, "refused")}}, &asked);
    BOOST_TEST(asked == std::vector<std::string>{"example.test:443"},
               boost::test_tools::per_element());
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::critical));
    BOOST_TEST(first_line(r.render(0)) ==
               "PEXIP TOKEN CRITICAL: 0 of 1 nodes OK; no _pexapp._tcp record for example.test "
               "(NXDOMAIN), fell back to example.test port 443; example.test CRITICAL: refused | "
               "'nodes'=1;;;0 'nodes_ok'=0;;;0;1");
    const CheckResult ok =
        discover(none, {{"example.test", node(State::ok, "token issued", 0.25)}});
    BOOST_TEST(cpt_test::name_of(ok.state()) == cpt_test::name_of(State::ok));
    BOOST_TEST(first_line(ok.render(1)).find("'time_example.test'=0.250000s;1;2;0;8") !=
               std::string::npos);
    BOOST_TEST(ok.render(1).find("\\_ [OK] example.test port 443: token issued") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(root_target_is_critical)
{
    const CheckResult r = discover(found({{0, 0, 0, "."}}), {});
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::critical));
    BOOST_TEST(first_line(r.render(0)) ==
               "PEXIP TOKEN CRITICAL: service not offered: _pexapp._tcp.example.test names the "
               "target '.' | 'nodes'=0;;;0 'nodes_ok'=0;;;0;0");
}

BOOST_AUTO_TEST_CASE(failed_and_timed_out_lookups)
{
    SrvLookup failed;
    failed.status = SrvStatus::failed;
    failed.detail = "SERVFAIL";
    const CheckResult r = discover(failed, {});
    BOOST_TEST(first_line(r.render(0)) == "PEXIP TOKEN CRITICAL: cannot resolve "
                                          "_pexapp._tcp.example.test (SRV lookup: SERVFAIL)");
    SrvLookup late;
    late.status = SrvStatus::timeout;
    ProbeSettings s = domain();
    s.timeout_result = State::warning;
    s.timeout_seconds = 2;
    const CheckResult t = lookup_failure_result(s, late);
    BOOST_TEST(cpt_test::name_of(t.state()) == cpt_test::name_of(State::warning));
    BOOST_TEST(first_line(t.render(0)) ==
               "PEXIP TOKEN WARNING: timeout after 2 s (SRV lookup of _pexapp._tcp.example.test)");
}

BOOST_AUTO_TEST_CASE(targets_are_probed_in_parallel)
{
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::vector<SrvRecord> records;
    for (int i = 0; i < 4; ++i) {
        records.push_back(SrvRecord{10, 0, 443, "n" + std::to_string(i) + ".test"});
    }
    const CheckResult r = run_discovery(
        domain(), [&](const std::string&) { return found(records); },
        [&](const ProbeSettings&) {
            const int now = ++running;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            // Everyone waits until all four run at once (bounded: a serial run fails).
            for (int i = 0; i < 200 && most.load() < 4; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            --running;
            return node(State::ok, "token issued", 0.1);
        });
    BOOST_TEST(most.load() == 4);
    BOOST_TEST(cpt_test::name_of(r.state()) == cpt_test::name_of(State::ok));
}

BOOST_AUTO_TEST_CASE(secrets_of_children_never_printed)
{
    CheckResult child = node(State::critical, "node echoed 90210731 and tok-abc");
    child.add_secret("90210731");
    child.add_secret("tok-abc");
    child.add_detail("detail tok-abc", 1);
    std::vector<TargetProbe> probed;
    probed.push_back(TargetProbe{SrvRecord{1, 1, 443, "a.test"}, std::move(child)});
    const std::string out = discovery_result(domain(), std::move(probed)).render(3);
    BOOST_TEST(out.find("90210731") == std::string::npos);
    BOOST_TEST(out.find("tok-abc") == std::string::npos);
    BOOST_TEST(out.find("    detail ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
