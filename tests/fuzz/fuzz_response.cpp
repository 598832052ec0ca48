// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: whatever a node answers (status, reason phrase, body, cut or not) goes
// through the reply classifiers and the text pipeline that prints node text.
//
// Input: [status high][status low][flags][reason length][reason...][body...]; the status is
// taken modulo 1000, flags bit 0 marks the body as cut at the size limit, bit 1 says the
// request carried a pin header.
#include "config.h"

#include "base/text.hpp"
#include "fuzz_check.hpp"
#include "http/http_client.hpp"
#include "pexip/pexip_response.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void check_node_text(const std::string& text)
{
    // What the plugin does with any node string before printing it.
    const std::string shown = cpt::truncate_text(cpt::sanitize_line(text), 160);
    FUZZ_CHECK(cpt_fuzz::printable(shown, false), shown);
    FUZZ_CHECK(shown.find('|') == std::string::npos, shown);
    FUZZ_CHECK(shown.size() <= 160, shown);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 4) {
        return 0;
    }
    const long status = static_cast<long>((data[0] << 8 | data[1]) % 1000);
    const bool truncated = (data[2] & 1) != 0;
    const bool pin_sent = (data[2] & 2) != 0;
    const std::size_t reason_length = data[3];
    std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
    const std::string_view reason = rest.substr(0, reason_length);
    rest.remove_prefix(reason.size());
    const std::string_view body = rest;

    const cpt::TokenReply reply =
        cpt::classify_token_reply(status, reason, body, truncated, pin_sent);
    const int kind = static_cast<int>(reply.kind);
    FUZZ_CHECK(kind >= static_cast<int>(cpt::TokenReplyKind::granted) &&
                   kind <= static_cast<int>(cpt::TokenReplyKind::http_error),
               std::to_string(kind));
    if (reply.kind == cpt::TokenReplyKind::granted) {
        // Only a whole 200 with a usable token; the token goes into a header as it is.
        FUZZ_CHECK(status == 200 && !truncated, std::to_string(status));
        FUZZ_CHECK(!reply.grant.token.empty(), "empty token granted");
        FUZZ_CHECK(!cpt::has_control_chars(reply.grant.token), reply.grant.token);
    }
    FUZZ_CHECK(pin_sent || reply.kind != cpt::TokenReplyKind::pin_not_accepted, "no pin sent");
    FUZZ_CHECK(!pin_sent || reply.kind != cpt::TokenReplyKind::pin_challenge, "pin was sent");
    if (reply.kind == cpt::TokenReplyKind::unavailable) {
        // Only Pexip's own envelope can mean maintenance, never a proxy's page.
        FUZZ_CHECK(status == 503 && !truncated, std::to_string(status));
        FUZZ_CHECK(body.find('{') != std::string_view::npos, "unavailable without JSON");
    }
    if (reply.kind == cpt::TokenReplyKind::invalid) {
        FUZZ_CHECK(status == 200, std::to_string(status));
        FUZZ_CHECK(!reply.reason.empty(), "invalid without a reason");
    }
    if (status != 200) {
        FUZZ_CHECK(reply.kind != cpt::TokenReplyKind::granted, "granted on a non-200");
    }
    if (reply.kind == cpt::TokenReplyKind::extension_challenge ||
        reply.kind == cpt::TokenReplyKind::pin_challenge ||
        reply.kind == cpt::TokenReplyKind::pin_not_accepted ||
        reply.kind == cpt::TokenReplyKind::idp_challenge ||
        reply.kind == cpt::TokenReplyKind::rejected) {
        FUZZ_CHECK(status == 403, std::to_string(status));
    }
    for (const std::string* text :
         {&reply.reason, &reply.extension_type, &reply.grant.expires, &reply.grant.role,
          &reply.grant.current_service_type, &reply.grant.service_type, &reply.grant.version_id,
          &reply.grant.pseudo_version, &reply.grant.participant_uuid,
          &reply.grant.conference_name}) {
        check_node_text(*text);
    }

    const cpt::ReleaseReply release = cpt::classify_release_reply(status, reason, body);
    if (!release.released) {
        FUZZ_CHECK(!release.reason.empty(), "release failed without a reason");
    }
    if (status != 200) {
        FUZZ_CHECK(!release.released, "released on a non-200");
    }
    check_node_text(release.reason);
    check_node_text(cpt::envelope_reason(body));
    check_node_text(std::string(reason));
    // The -vvv trace: redaction of the token member, then the cut.
    check_node_text(cpt::redact_json_member(std::string(body), "token"));
    return 0;
}
