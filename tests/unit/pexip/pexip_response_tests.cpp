// SPDX-License-Identifier: GPL-3.0-or-later
// Classifying request_token and release_token replies: every shape in the API notes, built
// from canned bodies in tests/data, plus malformed and hostile bodies.
#include "pexip/pexip_response.hpp"
#include "test_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::TokenReplyKind;
using cpt_test::read_data_file;
using namespace std::string_literals;

namespace {

const char* kind_name(TokenReplyKind kind)
{
    switch (kind) {
    case TokenReplyKind::granted:
        return "granted";
    case TokenReplyKind::invalid:
        return "invalid";
    case TokenReplyKind::pin_challenge:
        return "pin_challenge";
    case TokenReplyKind::pin_not_accepted:
        return "pin_not_accepted";
    case TokenReplyKind::idp_challenge:
        return "idp_challenge";
    case TokenReplyKind::extension_challenge:
        return "extension_challenge";
    case TokenReplyKind::rejected:
        return "rejected";
    case TokenReplyKind::unauthorized:
        return "unauthorized";
    case TokenReplyKind::alias_not_found:
        return "alias_not_found";
    case TokenReplyKind::not_pexip:
        return "not_pexip";
    case TokenReplyKind::unavailable:
        return "unavailable";
    case TokenReplyKind::http_error:
        return "http_error";
    }
    return "?";
}

cpt::TokenReply classify_file(long status, const char* phrase, const std::string& file)
{
    return cpt::classify_token_reply(status, phrase, read_data_file(file), false);
}

struct ShapeCase
{
    long status;
    const char* phrase;
    const char* file;
    TokenReplyKind kind;
    const char* reason; ///< expected reason, or nullptr when any reason will do
};

std::ostream& operator<<(std::ostream& out, const ShapeCase& c)
{
    return out << c.status << " " << c.file << " -> " << kind_name(c.kind);
}

// Every non-200 shape of §3 and §5 of the API notes.
const std::vector<ShapeCase> error_shapes = {
    {403, "Forbidden", "pin_guest_none.json", TokenReplyKind::pin_challenge, nullptr},
    {403, "Forbidden", "pin_guest_required.json", TokenReplyKind::pin_challenge, nullptr},
    {403, "Forbidden", "pin_with_extension.json", TokenReplyKind::pin_challenge, nullptr},
    {403, "Forbidden", "invalid_pin.json", TokenReplyKind::rejected, "Invalid PIN"},
    {403, "Forbidden", "idp_list.json", TokenReplyKind::idp_challenge, nullptr},
    {403, "Forbidden", "idp_empty.json", TokenReplyKind::idp_challenge, nullptr},
    {403, "Forbidden", "idp_redirect.json", TokenReplyKind::idp_challenge, nullptr},
    {403, "Forbidden", "extension_current.json", TokenReplyKind::extension_challenge, nullptr},
    {403, "Forbidden", "extension_legacy.json", TokenReplyKind::extension_challenge, nullptr},
    {404, "Not Found", "not_found.json", TokenReplyKind::alias_not_found,
     "Neither conference nor gateway found"},
    {404, "Not Found", "not_found.html", TokenReplyKind::not_pexip, nullptr},
    {401, "Unauthorized", "unauthorized.html", TokenReplyKind::unauthorized, ""},
    {415, "Unsupported Media Type", "unsupported_media_type.json", TokenReplyKind::http_error,
     "Invalid protocol for service"},
    {502, "Bad Gateway", "bad_gateway.json", TokenReplyKind::http_error,
     "Failed to forward request"},
    {502, "Bad Gateway", "bad_gateway.html", TokenReplyKind::http_error, ""},
    {504, "Gateway Timeout", "gateway_timeout.json", TokenReplyKind::http_error,
     "504 Gateway Timeout"},
    {504, "Gateway Time-out", "gateway_timeout.html", TokenReplyKind::http_error, ""},
    {503, "Service Unavailable", "maintenance.json", TokenReplyKind::unavailable,
     "System in maintenance mode"},
    {503, "Service Unavailable", "service_unavailable.json", TokenReplyKind::unavailable,
     "503 Service Unavailable"},
    // A proxy's or load balancer's own 503 page is no Pexip envelope: never maintenance.
    {503, "Service Temporarily Unavailable", "service_unavailable.html", TokenReplyKind::http_error,
     ""},
    {503, "Service Unavailable", "not_found.html", TokenReplyKind::http_error, ""},
    {529, "", "overloaded.json", TokenReplyKind::http_error, "Out of resource"},
    {500, "Internal Server Error", "server_error.html", TokenReplyKind::http_error, ""},
    {418, "I'm a teapot", "teapot.json", TokenReplyKind::http_error, "I'm a teapot"},
    {302, "Found", "redirect.html", TokenReplyKind::http_error, ""},
    // A 200-shaped body under another status is still judged by the status.
    {500, "Internal Server Error", "token_v36.json", TokenReplyKind::http_error, ""},
    {403, "Forbidden", "server_error.html", TokenReplyKind::rejected, ""},
};

struct GrantCase
{
    const char* file;
    const char* token;
    const char* current_service_type;
    const char* service_type;
    const char* role;
    const char* version_id;
};

std::ostream& operator<<(std::ostream& out, const GrantCase& c)
{
    return out << c.file;
}

const std::vector<GrantCase> grant_shapes = {
    {"token_v36.json", "FAKE-v36-token_AbCdEfGhIjKlMnOp-qrstuvwxyz0123456789=", "conference", "",
     "HOST", "36"},
    {"token_v35.json", "FAKE-v35-token_AbCdEfGhIjKlMnOp-qrstuvwxyz0123456789=", "conference", "",
     "HOST", "35"},
    {"token_minimal.json", "FAKE-minimal-token_0123-abc=", "conference", "", "GUEST", "36"},
    {"token_full.json", "FAKE-full-token_ZyXwVu-9876543210==", "waiting_room", "conference",
     "GUEST", "36"},
    {"token_extra_keys.json", "FAKE-extra-token_abc=", "conference", "", "HOST", "37"},
    {"token_expires_number.json", "FAKE-number-expires-token=", "conference", "", "HOST", "36"},
    {"token_test_call.json", "FAKE-test-call-token_42=", "test_call", "test_call", "GUEST", "36"},
    {"token_status_failed.json", "FAKE-status-failed-token=", "conference", "", "HOST", "36"},
    {"token_current_conference.json", "FAKE-conference-token=", "conference", "", "GUEST", "36"},
    {"token_current_gateway.json", "FAKE-gateway-token=", "gateway", "", "GUEST", "36"},
    {"token_current_test_call.json", "FAKE-test_call-token=", "test_call", "", "GUEST", "36"},
    {"token_current_waiting_room.json", "FAKE-waiting_room-token=", "waiting_room", "", "GUEST",
     "36"},
    {"token_current_ivr.json", "FAKE-ivr-token=", "ivr", "", "GUEST", "36"},
    {"token_current_lecture.json", "FAKE-lecture-token=", "lecture", "", "GUEST", "36"},
    {"token_current_media_playback.json", "FAKE-media_playback-token=", "media_playback", "",
     "GUEST", "36"},
};

struct MalformedCase
{
    std::string body;
    const char* what;
};

std::ostream& operator<<(std::ostream& out, const MalformedCase& c)
{
    return out << c.what;
}

std::vector<MalformedCase> malformed_200s()
{
    return {
        {read_data_file("malformed_empty.json"), "empty body"},
        {"   \r\n\t ", "whitespace only"},
        {read_data_file("malformed_not_json.json"), "HTML instead of JSON"},
        {read_data_file("malformed_truncated.json"), "truncated JSON"},
        {read_data_file("malformed_result_string.json"), "result is a string"},
        {read_data_file("malformed_result_array.json"), "result is an array"},
        {read_data_file("malformed_missing_token.json"), "no token"},
        {read_data_file("malformed_token_number.json"), "token is a number"},
        {read_data_file("malformed_token_empty.json"), "token is empty"},
        {read_data_file("malformed_token_crlf.json"), "token holds CR/LF"},
        {read_data_file("malformed_status_failed.json"), "status failed, string result"},
        {read_data_file("malformed_no_result.json"), "no result"},
        {read_data_file("malformed_top_level_array.json"), "top level is an array"},
        {R"({"status":"success","result":null})", "result is null"},
        {R"({"status":"success","result":true})", "result is true"},
        {R"({"status":"success","result":{"token":null}})", "token is null"},
        {R"({"status":"success","result":{"token":["a"]}})", "token is an array"},
        {R"({"status":"success","result":{"token":"a\u0000b"}})", "token holds an escaped NUL"},
        {R"("just a string")", "top level is a string"},
        {"null", "top level is null"},
        {R"({"status":"success","result":{"token":"abc"}} trailing)", "trailing garbage"},
        {"{\"status\":\"success\",\"result\":{\"token\":\"abc\0def\"}}"s, "raw NUL in the body"},
        {"\0"s, "a lone NUL"},
    };
}

std::string deep_nesting(std::size_t depth, char open, char close)
{
    std::string body(depth, open);
    body.append(depth, close);
    return body;
}

std::string deep_objects(std::size_t depth)
{
    std::string body;
    body.reserve(depth * 6 + 16);
    for (std::size_t i = 0; i < depth; ++i) {
        body += "{\"a\":";
    }
    body += "1";
    body.append(depth, '}');
    return body;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pexip_response)

BOOST_DATA_TEST_CASE(grant_shapes_are_granted, bdata::make(grant_shapes), sample)
{
    const cpt::TokenReply reply = classify_file(200, "OK", sample.file);
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "granted",
                       sample.file << ": " << reply.reason);
    BOOST_TEST(reply.grant.token == sample.token);
    BOOST_TEST(reply.grant.current_service_type == sample.current_service_type);
    BOOST_TEST(reply.grant.service_type == sample.service_type);
    BOOST_TEST(reply.grant.role == sample.role);
    BOOST_TEST(reply.grant.version_id == sample.version_id);
    BOOST_TEST(reply.grant.expires == "120");
}

BOOST_AUTO_TEST_CASE(v36_capture_fields)
{
    const cpt::TokenReply reply = classify_file(200, "OK", "token_v36.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "granted");
    const cpt::TokenGrant& grant = reply.grant;
    BOOST_TEST(grant.expires == "120");
    BOOST_TEST(grant.pseudo_version == "79019.0.0");
    BOOST_TEST(grant.participant_uuid == "614221f4-3a5c-4d1f-8df6-3ae27188df54");
    BOOST_TEST(grant.conference_name == "example");
    BOOST_TEST(grant.effective_service_type() == "conference");
}

BOOST_AUTO_TEST_CASE(v35_capture_pseudo_version)
{
    const cpt::TokenReply reply = classify_file(200, "OK", "token_v35.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "granted");
    BOOST_TEST(reply.grant.pseudo_version == "77524.0.0");
}

BOOST_AUTO_TEST_CASE(effective_service_type_prefers_current)
{
    const cpt::TokenReply full = classify_file(200, "OK", "token_full.json");
    BOOST_TEST(full.grant.effective_service_type() == "waiting_room");
    cpt::TokenGrant only_service_type;
    only_service_type.service_type = "gateway";
    BOOST_TEST(only_service_type.effective_service_type() == "gateway");
    const cpt::TokenReply test_call = classify_file(200, "OK", "token_test_call.json");
    BOOST_TEST(test_call.grant.effective_service_type() == "test_call");
}

BOOST_AUTO_TEST_CASE(status_field_never_decides_a_grant)
{
    // "status":"failed" with a token object is still a token.
    const cpt::TokenReply reply = classify_file(200, "OK", "token_status_failed.json");
    BOOST_TEST(std::string(kind_name(reply.kind)) == "granted");
    BOOST_TEST(reply.grant.token == "FAKE-status-failed-token=");
    // And no status at all is fine too.
    const cpt::TokenReply bare = cpt::classify_token_reply(
        200, "OK", R"({"result":{"token":"FAKE-no-status=","role":"HOST"}})", false);
    BOOST_TEST(std::string(kind_name(bare.kind)) == "granted");
}

BOOST_AUTO_TEST_CASE(status_field_never_decides_an_error)
{
    // 403 challenges carry "success", real errors "failed": neither matters.
    const cpt::TokenReply pin = cpt::classify_token_reply(
        403, "Forbidden", R"({"status":"failed","result":{"pin":"required","guest_pin":"none"}})",
        false);
    BOOST_TEST(std::string(kind_name(pin.kind)) == "pin_challenge");
    const cpt::TokenReply invalid_pin = cpt::classify_token_reply(
        403, "Forbidden", R"({"status":"success","result":"Invalid PIN"})", false);
    BOOST_TEST(std::string(kind_name(invalid_pin.kind)) == "rejected");
    BOOST_TEST(invalid_pin.reason == "Invalid PIN");
    const cpt::TokenReply not_found = cpt::classify_token_reply(
        404, "Not Found", R"({"status":"success","result":"Neither conference nor gateway found"})",
        false);
    BOOST_TEST(std::string(kind_name(not_found.kind)) == "alias_not_found");
}

BOOST_AUTO_TEST_CASE(expires_as_number_is_text)
{
    const cpt::TokenReply reply = classify_file(200, "OK", "token_expires_number.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "granted");
    BOOST_TEST(reply.grant.expires == "120");
}

BOOST_DATA_TEST_CASE(error_shapes_are_classified, bdata::make(error_shapes), sample)
{
    const cpt::TokenReply reply = classify_file(sample.status, sample.phrase, sample.file);
    BOOST_TEST(std::string(kind_name(reply.kind)) == kind_name(sample.kind));
    if (sample.reason != nullptr) {
        BOOST_TEST(reply.reason == sample.reason);
    }
    BOOST_TEST(reply.grant.token.empty());
}

BOOST_AUTO_TEST_CASE(pin_challenge_guest_none_v11_capture)
{
    const cpt::TokenReply reply = classify_file(403, "Forbidden", "pin_guest_none.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "pin_challenge");
    BOOST_TEST(!reply.guest_pin_required);
}

BOOST_AUTO_TEST_CASE(pin_challenge_guest_required)
{
    const cpt::TokenReply reply = classify_file(403, "Forbidden", "pin_guest_required.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(reply.kind)) == "pin_challenge");
    BOOST_TEST(reply.guest_pin_required);
}

BOOST_AUTO_TEST_CASE(extension_types_current_and_legacy)
{
    const cpt::TokenReply current = classify_file(403, "Forbidden", "extension_current.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(current.kind)) == "extension_challenge");
    BOOST_TEST(current.extension_type == "standard");
    const cpt::TokenReply legacy = classify_file(403, "Forbidden", "extension_legacy.json");
    BOOST_TEST_REQUIRE(std::string(kind_name(legacy.kind)) == "extension_challenge");
    BOOST_TEST(legacy.extension_type == "mssip");
    const cpt::TokenReply legacy_standard = cpt::classify_token_reply(
        403, "Forbidden", R"({"status":"success","result":{"conference_extension":"standard"}})",
        false);
    BOOST_TEST(legacy_standard.extension_type == "standard");
}

BOOST_AUTO_TEST_CASE(extension_required_without_a_type_names_no_type)
{
    const cpt::TokenReply untyped = cpt::classify_token_reply(
        403, "Forbidden", R"({"status":"success","result":{"conference_extension":"required"}})",
        false);
    BOOST_TEST_REQUIRE(std::string(kind_name(untyped.kind)) == "extension_challenge");
    BOOST_TEST(untyped.extension_type.empty());
}

BOOST_AUTO_TEST_CASE(not_found_envelope_versus_other_404s)
{
    const auto kind_of = [](const std::string& body) {
        return std::string(
            kind_name(cpt::classify_token_reply(404, "Not Found", body, false).kind));
    };
    BOOST_TEST(kind_of(read_data_file("not_found.json")) == "alias_not_found");
    BOOST_TEST(kind_of(read_data_file("not_found.html")) == "not_pexip");
    BOOST_TEST(kind_of("") == "not_pexip");
    BOOST_TEST(kind_of(R"({"detail":"Not found."})") == "not_pexip");
    BOOST_TEST(kind_of(R"("Neither conference nor gateway found")") == "not_pexip");
    BOOST_TEST(kind_of(R"([1,2,3])") == "not_pexip");
}

BOOST_DATA_TEST_CASE(malformed_200s_are_invalid_with_a_reason, bdata::make(malformed_200s()),
                     sample)
{
    const cpt::TokenReply reply = cpt::classify_token_reply(200, "OK", sample.body, false);
    BOOST_TEST(std::string(kind_name(reply.kind)) == "invalid", sample.what);
    BOOST_TEST(!reply.reason.empty(), sample.what);
    BOOST_TEST(reply.reason.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(token_with_crlf_is_refused)
{
    const cpt::TokenReply reply = classify_file(200, "OK", "malformed_token_crlf.json");
    BOOST_TEST(std::string(kind_name(reply.kind)) == "invalid");
    BOOST_TEST(reply.reason.find("FAKE-crlf-token") == std::string::npos,
               "the reason must not quote the refused token");
}

BOOST_AUTO_TEST_CASE(truncated_flag_refuses_an_otherwise_good_grant)
{
    const cpt::TokenReply reply =
        cpt::classify_token_reply(200, "OK", read_data_file("token_v36.json"), true);
    BOOST_TEST(std::string(kind_name(reply.kind)) == "invalid");
    BOOST_TEST(!reply.reason.empty());
    BOOST_TEST(reply.grant.token.empty());
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_quickly)
{
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& body :
         {deep_nesting(100000, '[', ']'), deep_nesting(100000, '{', '}'), deep_objects(100000),
          R"({"status":"success","result":{"token":"x","a":)" + deep_nesting(100000, '[', ']') +
              "}}",
          deep_nesting(100000, '[', ' ')}) {
        const cpt::TokenReply grant = cpt::classify_token_reply(200, "OK", body, false);
        BOOST_TEST(std::string(kind_name(grant.kind)) == "invalid");
        BOOST_TEST(!grant.reason.empty());
        const cpt::TokenReply not_found = cpt::classify_token_reply(404, "Not Found", body, false);
        BOOST_TEST(std::string(kind_name(not_found.kind)) == "not_pexip");
        const cpt::TokenReply forbidden = cpt::classify_token_reply(403, "Forbidden", body, false);
        BOOST_TEST(std::string(kind_name(forbidden.kind)) == "rejected");
        BOOST_TEST(!cpt::classify_release_reply(403, "Forbidden", body).released);
        BOOST_TEST(cpt::envelope_reason(body).empty());
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 2000);
}

BOOST_AUTO_TEST_CASE(nesting_within_the_limit_is_fine)
{
    // A token reply whose unknown extra member nests a little: still granted.
    std::string body = R"({"status":"success","result":{"token":"FAKE-nested=","extra":)";
    body += deep_nesting(cpt::max_json_depth - 3, '[', ']');
    body += "}}";
    const cpt::TokenReply reply = cpt::classify_token_reply(200, "OK", body, false);
    BOOST_TEST(std::string(kind_name(reply.kind)) == "granted", reply.reason);
}

BOOST_AUTO_TEST_CASE(huge_body_does_not_break_classification)
{
    std::string body = R"({"status":"success","result":{"token":"FAKE-big=","pad":")";
    body.append(200000, 'p');
    body += "\"}}";
    const cpt::TokenReply reply = cpt::classify_token_reply(200, "OK", body, false);
    BOOST_TEST(std::string(kind_name(reply.kind)) == "granted");
}

BOOST_AUTO_TEST_CASE(random_garbage_never_throws)
{
    // A deterministic byte soup: classify must neither throw nor crash.
    unsigned state = 12345U;
    for (int round = 0; round < 300; ++round) {
        std::string body;
        const std::size_t length = static_cast<std::size_t>(round) * 3U;
        for (std::size_t i = 0; i < length; ++i) {
            state = state * 1103515245U + 12345U;
            static const char alphabet[] = "{}[]\":,tokenresult0123456789\\u\0 truefalsenull";
            body += alphabet[(state >> 16) % (sizeof alphabet - 1)];
        }
        for (long status : {200L, 401L, 403L, 404L, 503L, 599L}) {
            BOOST_CHECK_NO_THROW(cpt::classify_token_reply(status, "X", body, round % 2 == 0));
        }
        BOOST_CHECK_NO_THROW(cpt::classify_release_reply(200, "OK", body));
        BOOST_CHECK_NO_THROW(cpt::envelope_reason(body));
    }
}

BOOST_AUTO_TEST_CASE(release_200_true_is_released)
{
    const cpt::ReleaseReply reply =
        cpt::classify_release_reply(200, "OK", read_data_file("release_true.json"));
    BOOST_TEST(reply.released);
}

BOOST_AUTO_TEST_CASE(release_200_false_is_not_released)
{
    const cpt::ReleaseReply reply =
        cpt::classify_release_reply(200, "OK", read_data_file("release_false.json"));
    BOOST_TEST(!reply.released);
    BOOST_TEST(!reply.reason.empty());
}

BOOST_AUTO_TEST_CASE(release_200_empty_body_is_released)
{
    BOOST_TEST(cpt::classify_release_reply(200, "OK", "").released);
}

BOOST_AUTO_TEST_CASE(release_403_invalid_token)
{
    const cpt::ReleaseReply reply =
        cpt::classify_release_reply(403, "Forbidden", read_data_file("invalid_token.json"));
    BOOST_TEST(!reply.released);
    BOOST_TEST(reply.reason == "HTTP 403: Invalid token");
}

BOOST_AUTO_TEST_CASE(release_500_html)
{
    const cpt::ReleaseReply reply = cpt::classify_release_reply(
        500, "Internal Server Error", read_data_file("server_error.html"));
    BOOST_TEST(!reply.released);
    BOOST_TEST(reply.reason == "HTTP 500 Internal Server Error");
}

BOOST_AUTO_TEST_CASE(release_other_statuses_are_failures)
{
    for (long status : {302L, 401L, 404L, 500L, 502L, 503L, 504L}) {
        const cpt::ReleaseReply reply =
            cpt::classify_release_reply(status, "X", read_data_file("release_true.json"));
        BOOST_TEST(!reply.released, "status " << status);
        BOOST_TEST(reply.reason.find("HTTP " + std::to_string(status)) == 0U);
    }
}

BOOST_AUTO_TEST_CASE(envelope_reason_reads_the_result_string)
{
    BOOST_TEST(cpt::envelope_reason(read_data_file("not_found.json")) ==
               "Neither conference nor gateway found");
    BOOST_TEST(cpt::envelope_reason(read_data_file("maintenance.json")) ==
               "System in maintenance mode");
    BOOST_TEST(cpt::envelope_reason(read_data_file("invalid_pin.json")) == "Invalid PIN");
}

BOOST_AUTO_TEST_CASE(envelope_reason_is_empty_for_anything_else)
{
    BOOST_TEST(cpt::envelope_reason("").empty());
    BOOST_TEST(cpt::envelope_reason(read_data_file("bad_gateway.html")).empty());
    BOOST_TEST(cpt::envelope_reason(read_data_file("token_v36.json")).empty());
    BOOST_TEST(cpt::envelope_reason(read_data_file("release_true.json")).empty());
    BOOST_TEST(cpt::envelope_reason(R"("a bare string")").empty());
    BOOST_TEST(cpt::envelope_reason(R"({"status":"failed"})").empty());
    BOOST_TEST(cpt::envelope_reason(R"({"status":"failed","result":42})").empty());
    BOOST_TEST(cpt::envelope_reason("{\"result\":\"x\0y\"}"s).empty());
}

BOOST_AUTO_TEST_CASE(only_the_pexip_envelope_makes_a_503_unavailable)
{
    const auto kind_of = [](const std::string& body) {
        return std::string(
            kind_name(cpt::classify_token_reply(503, "Service Unavailable", body, false).kind));
    };
    BOOST_TEST(kind_of(R"({"status":"failed","result":"System in maintenance mode"})") ==
               "unavailable");
    BOOST_TEST(kind_of(R"({"status":"success","result":""})") == "unavailable");
    for (const std::string& body :
         {""s, " \r\n"s, "Service Unavailable\n"s, R"({"result":"System in maintenance mode"})"s,
          R"({"status":"failed"})"s, R"({"status":"failed","result":42})"s,
          R"({"status":"failed","result":{"maintenance":true}})"s, R"({"error":"down"})"s,
          R"(["System in maintenance mode"])"s, R"("System in maintenance mode")"s,
          R"({"status":"failed","result":"System in maint)"s}) {
        BOOST_TEST(kind_of(body) == "http_error", body);
    }
    // Cut at the size limit: whatever the first bytes say, not the node's own envelope.
    BOOST_TEST(
        std::string(kind_name(cpt::classify_token_reply(503, "Service Unavailable",
                                                        read_data_file("maintenance.json"), true)
                                  .kind)) == "http_error");
}

BOOST_AUTO_TEST_CASE(proxy_503_keeps_no_reason_of_its_own)
{
    const cpt::TokenReply reply =
        classify_file(503, "Service Temporarily Unavailable", "service_unavailable.html");
    BOOST_TEST(reply.reason.empty());
}

BOOST_AUTO_TEST_CASE(pin_challenge_after_a_pin_header_is_pin_not_accepted)
{
    for (const char* file :
         {"pin_guest_none.json", "pin_guest_required.json", "pin_with_extension.json"}) {
        const cpt::TokenReply sent =
            cpt::classify_token_reply(403, "Forbidden", read_data_file(file), false, true);
        BOOST_TEST(std::string(kind_name(sent.kind)) == "pin_not_accepted", file);
        const cpt::TokenReply not_sent =
            cpt::classify_token_reply(403, "Forbidden", read_data_file(file), false, false);
        BOOST_TEST(std::string(kind_name(not_sent.kind)) == "pin_challenge", file);
        BOOST_TEST(sent.guest_pin_required == not_sent.guest_pin_required, file);
    }
}

BOOST_AUTO_TEST_CASE(a_sent_pin_changes_no_other_reply)
{
    for (const char* file : {"invalid_pin.json", "idp_list.json", "idp_redirect.json",
                             "extension_current.json", "extension_legacy.json"}) {
        const auto sent =
            cpt::classify_token_reply(403, "Forbidden", read_data_file(file), false, true);
        const auto not_sent =
            cpt::classify_token_reply(403, "Forbidden", read_data_file(file), false, false);
        BOOST_TEST(std::string(kind_name(sent.kind)) == kind_name(not_sent.kind), file);
    }
    // Only a 403 is a challenge: a PIN-shaped body under another status is not.
    const auto other = cpt::classify_token_reply(
        500, "Internal Server Error", read_data_file("pin_guest_none.json"), false, true);
    BOOST_TEST(std::string(kind_name(other.kind)) == "http_error");
    const auto granted =
        cpt::classify_token_reply(200, "OK", read_data_file("token_v36.json"), false, true);
    BOOST_TEST(std::string(kind_name(granted.kind)) == "granted");
}

BOOST_AUTO_TEST_SUITE_END()
