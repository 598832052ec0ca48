// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the whole check (cpt::run_probe, what cpt::run_plugin runs after the
// options) against a node whose every answer comes from the input, rendered at -v0..-vvv.
// Asserted: a state 0-3 (the exit code), the output rules of tests/functional/README.md
// (8 KiB, UTF-8, no control characters, one '|', perfdata grammar) and neither the PIN nor
// the issued token in the text. The network is an injected fake: nothing is sent anywhere.
//
// Input: [options byte][options byte] then up to 3 answers (request_token, then
// release_token or /status), each
//   [kind] 0-127: an HTTP response, else a transport error of kind % 7
//   [status high][status low] (% 1000) [flags: bit 0 body cut, bit 1 new connection,
//   bit 2 certificate expiry known, bit 3 a two-certificate chain with
//   the reason and content type as subjects, bits 4/5 self-signed] [expiry days, signed] [timing
//   byte] [reason length][reason][content-type length][content type][body length high][low][body]
#include "config.h"

#include "cli/options.hpp"
#include "fuzz_check.hpp"
#include "http/http_client.hpp"
#include "pexip/pexip_response.hpp"
#include "plugin_kit/range.hpp"
#include "probe/probe.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* fuzz_pin = "Zq7319Zq";
constexpr std::int64_t now_unix = 1700000000;

class Reader
{
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    std::string bytes(std::size_t n)
    {
        n = std::min(n, size_ - std::min(pos_, size_));
        std::string out(reinterpret_cast<const char*>(data_) + pos_, n);
        pos_ += n;
        return out;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

class ScriptedClient : public cpt::HttpClient
{
public:
    explicit ScriptedClient(std::deque<cpt::HttpResult> replies) : replies_(std::move(replies)) {}

    cpt::HttpResult send(const cpt::HttpRequest& request) override
    {
        // What goes out never carries a raw control character in a header.
        for (const auto& header : request.headers) {
            FUZZ_CHECK(!cpt::has_control_chars(header.first) &&
                           !cpt::has_control_chars(header.second),
                       header.first);
        }
        FUZZ_CHECK(!request.path.empty() && request.path[0] == '/', request.path);
        ++sent;
        if (replies_.empty()) {
            return cpt::TransportError{
                cpt::TransportErrorKind::timeout, "waiting for the response", std::nullopt, {}, {}};
        }
        cpt::HttpResult reply = std::move(replies_.front());
        replies_.pop_front();
        return reply;
    }

    cpt::StreamResult stream(const cpt::HttpRequest& request, const cpt::StreamLimits& /*limits*/,
                             cpt::StreamConsumer& /*consumer*/) override
    {
        FUZZ_CHECK(!request.path.empty() && request.path[0] == '/', request.path);
        ++sent;
        return cpt::TransportError{
            cpt::TransportErrorKind::connect, "Connection refused", std::nullopt, {}, {}};
    }

    int sent = 0;

private:
    std::deque<cpt::HttpResult> replies_;
};

cpt::HttpResult read_answer(Reader& in)
{
    const std::uint8_t kind = in.byte();
    const long status = static_cast<long>((in.byte() << 8 | in.byte()) % 1000);
    const std::uint8_t flags = in.byte();
    const auto days = static_cast<std::int8_t>(in.byte());
    const double step = static_cast<double>(in.byte()) / 100.0;
    std::optional<std::int64_t> not_after;
    if ((flags & 4) != 0) {
        not_after = now_unix + static_cast<std::int64_t>(days) * 86400 + 3600;
    }
    const std::string reason = in.bytes(in.byte());
    const std::string content_type = in.bytes(in.byte());
    const std::size_t body_length = static_cast<std::size_t>(in.byte() << 8 | in.byte());
    const std::string body = in.bytes(body_length);
    // v2 -C: a chain whose subjects are node text (the reason and content type bytes).
    cpt::CertificateChain chain;
    if ((flags & 8) != 0) {
        const std::int64_t leaf = now_unix + static_cast<std::int64_t>(days) * 86400 + 60;
        chain = {
            {reason, leaf, (flags & 16) != 0},
            {content_type, leaf - static_cast<std::int64_t>(step * 86400.0), (flags & 32) != 0}};
    }
    if (kind >= 128) {
        cpt::TransportError error;
        error.kind = static_cast<cpt::TransportErrorKind>(kind % 7);
        error.message = reason;
        error.cert_not_after = not_after;
        error.cert_chain = chain;
        return error;
    }
    cpt::HttpResponse response;
    response.status = status;
    response.reason = reason;
    response.content_type = content_type;
    response.body = body;
    response.body_truncated = (flags & 1) != 0;
    response.new_connection = (flags & 2) != 0;
    response.peer_address = "127.0.0.1 port 443";
    response.cert_not_after = not_after;
    response.cert_chain = chain;
    cpt::PhaseTimings& t = response.timings;
    t.dns = step / 10;
    t.connect = step / 5;
    t.tls = step / 2;
    t.server = step;
    t.transfer = step / 3;
    t.total = t.dns + t.connect + t.tls + t.server + t.transfer;
    return response;
}

cpt::Range range(const char* text)
{
    std::string error;
    return *cpt::parse_range(text, error);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    Reader in(data, size);
    const std::uint8_t a = in.byte();
    const std::uint8_t b = in.byte();
    cpt::Options options;
    options.hostname = "node.example.com";
    options.alias = (a & 0x80) != 0 ? "m\xc3\xa9\x65t/../%2F?#" : "meet";
    options.pin_mode = static_cast<cpt::PinMode>((a >> 2) % 3);
    if (options.pin_mode == cpt::PinMode::pin) {
        options.pin = fuzz_pin;
    }
    options.release = (a & 0x10) == 0;
    options.challenge_result = static_cast<cpt::State>(b & 3);
    options.maintenance_result = static_cast<cpt::State>((b >> 2) & 3);
    options.timeout_result = static_cast<cpt::State>((b >> 4) & 3);
    if ((b & 0x40) != 0) {
        options.min_version = "36.1"; // v2: the node's version_id meets --min-version
    }
    if ((a & 0x20) != 0) {
        options.cert_warn_days = 30;
        options.cert_days_text = "30,7";
        options.cert_crit_days = 7;
    }
    if ((a & 0x40) != 0) {
        options.time_thresholds.warning = range("0.5");
        options.time_thresholds.critical = range("@1:2");
    }
    if ((b & 0x40) != 0) {
        options.expect_service_type = "test_call";
    }
    std::deque<cpt::HttpResult> replies;
    for (int i = 0; i < 3 && !in.empty(); ++i) {
        replies.push_back(read_answer(in));
    }
    std::string token;
    if (!replies.empty()) {
        if (const auto* first = std::get_if<cpt::HttpResponse>(&replies.front())) {
            const cpt::TokenReply reply = cpt::classify_token_reply(
                first->status, first->reason, first->body, first->body_truncated);
            if (reply.kind == cpt::TokenReplyKind::granted) {
                token = reply.grant.token;
            }
        }
    }

    ScriptedClient client(std::move(replies));
    cpt::ProbeEnvironment environment;
    environment.now_unix = now_unix;
    int held = 0;
    environment.on_token_held = [&held] { ++held; };
    const cpt::CheckResult result = cpt::run_probe(options, client, environment);
    FUZZ_CHECK(client.sent >= 1 && client.sent <= 2, std::to_string(client.sent));
    FUZZ_CHECK(held == (token.empty() ? 0 : 1), std::to_string(held));
    if (!token.empty() && options.release) {
        FUZZ_CHECK(client.sent == 2, "a token was issued and not released");
    }
    const std::vector<std::string> secrets{options.pin, token};
    for (int verbosity = 0; verbosity <= 3; ++verbosity) {
        cpt_fuzz::check_output(result.render(verbosity), result.state(), secrets);
    }
    return 0;
}
