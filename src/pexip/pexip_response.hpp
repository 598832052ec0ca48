// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cpt {

/// What request_token answered, told apart by HTTP status and the shape of "result" (never
/// by the "status" field, which real nodes fill inconsistently).
enum class TokenReplyKind
{
    granted,             ///< 200 with a usable token
    invalid,             ///< 200 without a usable token (bad JSON, wrong shape)
    pin_challenge,       ///< 403 {"pin":..., "guest_pin":...}
    pin_not_accepted,    ///< the PIN challenge again although a pin header was sent
    idp_challenge,       ///< 403 {"idp":[...]} or {"redirect_url":...}
    extension_challenge, ///< 403 {"conference_extension":...}
    rejected,            ///< 403 with a string result, e.g. "Invalid PIN"
    unauthorized,        ///< 401 (a proxy in front of the node wants credentials)
    alias_not_found,     ///< 404 with the Pexip JSON envelope
    not_pexip,           ///< 404 without it
    unavailable,         ///< 503 with the Pexip envelope: maintenance or overload; ask /status
    http_error,          ///< any other status
};

/// What the node said about the participant in a 200.
struct TokenGrant
{
    std::string token; ///< secret: never printed
    std::string expires;
    std::string role;
    std::string current_service_type;
    std::string service_type;
    std::string version_id;
    std::string pseudo_version;
    std::string participant_uuid;
    std::string conference_name;

    /// current_service_type, falling back to service_type.
    const std::string& effective_service_type() const noexcept
    {
        return current_service_type.empty() ? service_type : current_service_type;
    }
};

struct TokenReply
{
    TokenReplyKind kind = TokenReplyKind::invalid;
    /// A one-line explanation: the node's own reason string where it gave one, else what is
    /// wrong with the reply. Raw node text: sanitise before printing.
    std::string reason;
    TokenGrant grant;                ///< kind == granted
    bool guest_pin_required = false; ///< kind == pin_challenge or pin_not_accepted
    std::string extension_type;      ///< kind == extension_challenge ("standard", "mssip")
};

/// Classifies a request_token reply. Never throws on any input and never aborts.
/// pin_sent: the request carried a pin header (a PIN, or "none" for a guest); a PIN challenge
/// in answer to it means the PIN was not accepted (as Pexip's Swift SDK reads it). A 503 is
/// unavailable only with the Pexip envelope: a proxy's own 503 page is an http_error.
TokenReply classify_token_reply(long http_status, std::string_view reason_phrase,
                                std::string_view body, bool body_truncated, bool pin_sent = false);

/// What release_token answered.
struct ReleaseReply
{
    bool released = false;
    std::string reason; ///< why not, one line (raw node text)
};

/// Classifies a release_token reply: 200 whose result is not false means released.
ReleaseReply classify_release_reply(long http_status, std::string_view reason_phrase,
                                    std::string_view body);

/// The "result" string of a {"status":...,"result":"..."} envelope, or empty.
std::string envelope_reason(std::string_view body);

/// Nesting deeper than this is refused before it can cost stack or memory.
inline constexpr std::size_t max_json_depth = 64;

} // namespace cpt
