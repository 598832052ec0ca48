// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "dns/srv_answer.hpp"
#include "dns/srv_lookup.hpp"

#include <arpa/nameser.h>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <thread>
#include <vector>

// Why glibc's res_nquery and not c-ares: it reads /etc/resolv.conf exactly as every other
// program on the host does (search, options, nameserver order), needs no extra library or
// package, and the code stays small. Its weakness, no per-call deadline, is handled here:
// the private res_state's timeout covers what is left of -t for its one try, and the query
// runs on its own thread that the caller stops waiting for at the deadline (the thread, if
// still blocked, is detached; it owns all it touches and the process ends soon after).

namespace cpt {

namespace {

constexpr std::size_t max_answer_bytes = 65535;

/// Everything the lookup thread touches: shared, so an abandoned thread never dangles.
struct Query
{
    std::string name;
    int seconds = 1;
    std::promise<SrvLookup> result;
};

const char* rcode_name(int rcode)
{
    switch (rcode) {
    case 1:
        return "FORMERR";
    case 2:
        return "SERVFAIL";
    case 4:
        return "NOTIMP";
    case 5:
        return "REFUSED";
    default:
        return "DNS error";
    }
}

SrvLookup query_once(const Query& query)
{
    SrvLookup out;
    struct __res_state state
    {
    };
    if (res_ninit(&state) != 0) {
        out.detail = "cannot read the resolver configuration";
        return out;
    }
    // One try per server, each allowed what is left of the deadline: the caller's wait,
    // not the resolver, ends the lookup at the deadline.
    state.retrans = query.seconds;
    state.retry = 1;
    state.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
    std::vector<unsigned char> buffer(max_answer_bytes);
    const int length = res_nquery(&state, query.name.c_str(), ns_c_in, ns_t_srv, buffer.data(),
                                  static_cast<int>(buffer.size()));
    const int error = state.res_h_errno;
    res_nclose(&state);
    if (length < 0) {
        if (error == HOST_NOT_FOUND) {
            out.status = SrvStatus::no_record;
            out.detail = "NXDOMAIN";
        } else if (error == NO_DATA) {
            out.status = SrvStatus::no_record;
            out.detail = "no SRV answer";
        } else {
            out.detail = "SERVFAIL or no server answered";
        }
        return out;
    }
    const SrvAnswer answer = parse_srv_answer(
        buffer.data(), std::min<std::size_t>(static_cast<std::size_t>(length), buffer.size()));
    if (!answer.valid) {
        out.detail = "malformed answer: " + answer.error;
    } else if (answer.rcode == 3) {
        out.status = SrvStatus::no_record;
        out.detail = "NXDOMAIN";
    } else if (answer.rcode != 0) {
        out.detail = rcode_name(answer.rcode);
    } else if (answer.records.empty()) {
        out.status = SrvStatus::no_record;
        out.detail = "no SRV answer";
    } else {
        out.status = SrvStatus::records;
        out.records = answer.records;
    }
    return out;
}

} // namespace

SrvLookup lookup_srv(const std::string& name, const Deadline& deadline)
{
    SrvLookup timed_out;
    timed_out.status = SrvStatus::timeout;
    timed_out.detail = "no answer";
    const long left_ms = deadline.remaining_ms();
    if (left_ms <= 0) {
        return timed_out;
    }
    auto query = std::make_shared<Query>();
    query->name = name;
    // Rounded up and one more: the resolver must not give up before the deadline does.
    query->seconds = static_cast<int>(std::ceil(static_cast<double>(left_ms) / 1000.0)) + 1;
    std::future<SrvLookup> result = query->result.get_future();
    std::thread worker([query] {
        try {
            query->result.set_value(query_once(*query));
        } catch (...) {
            query->result.set_exception(std::current_exception());
        }
    });
    if (result.wait_for(std::chrono::milliseconds(left_ms)) != std::future_status::ready) {
        worker.detach();
        return timed_out;
    }
    worker.join();
    return result.get();
}

} // namespace cpt
