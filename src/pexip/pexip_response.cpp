// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "http/http_client.hpp"
#include "pexip/pexip_response.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace cpt {

namespace {

using rapidjson::SizeType;

/// Forwards SAX events to a document, refusing nesting deeper than max_json_depth so that a
/// hostile body cannot exhaust the stack or memory.
template <typename Handler>
class DepthLimitedHandler
{
public:
    explicit DepthLimitedHandler(Handler& handler) : handler_(handler) {}

    bool Null() { return handler_.Null(); }
    bool Bool(bool b) { return handler_.Bool(b); }
    bool Int(int i) { return handler_.Int(i); }
    bool Uint(unsigned u) { return handler_.Uint(u); }
    bool Int64(int64_t i) { return handler_.Int64(i); }
    bool Uint64(uint64_t u) { return handler_.Uint64(u); }
    bool Double(double d) { return handler_.Double(d); }
    bool RawNumber(const char* s, SizeType n, bool copy) { return handler_.RawNumber(s, n, copy); }
    bool String(const char* s, SizeType n, bool copy) { return handler_.String(s, n, copy); }
    bool Key(const char* s, SizeType n, bool copy) { return handler_.Key(s, n, copy); }
    bool StartObject() { return enter() && handler_.StartObject(); }
    bool EndObject(SizeType members)
    {
        --depth_;
        return handler_.EndObject(members);
    }
    bool StartArray() { return enter() && handler_.StartArray(); }
    bool EndArray(SizeType elements)
    {
        --depth_;
        return handler_.EndArray(elements);
    }

    bool too_deep() const noexcept { return too_deep_; }

private:
    bool enter()
    {
        if (++depth_ > max_json_depth) {
            too_deep_ = true;
            return false;
        }
        return true;
    }

    Handler& handler_;
    std::size_t depth_ = 0;
    bool too_deep_ = false;
};

/// Parses a body into doc; on failure returns false and says why in error.
bool parse_json(std::string_view body, rapidjson::Document& doc, std::string& error)
{
    if (body.find('\0') != std::string_view::npos) {
        error = "body contains NUL bytes";
        return false;
    }
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        error = "empty body";
        return false;
    }
    // StringStream needs a terminating NUL; body has none of its own (checked above).
    const std::string text(body);
    rapidjson::ParseResult result;
    bool too_deep = false;
    auto generate = [&](rapidjson::Document& target) {
        DepthLimitedHandler<rapidjson::Document> limited(target);
        rapidjson::StringStream stream(text.c_str());
        rapidjson::Reader reader;
        result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, limited);
        too_deep = limited.too_deep();
        return !result.IsError();
    };
    doc.Populate(generate);
    if (too_deep) {
        error = "JSON nested deeper than " + std::to_string(max_json_depth) + " levels";
        return false;
    }
    if (result.IsError()) {
        error = std::string("body is not JSON (") + rapidjson::GetParseError_En(result.Code()) +
                " at offset " + std::to_string(result.Offset()) + ")";
        return false;
    }
    return true;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name)
{
    if (!object.IsObject()) {
        return nullptr;
    }
    const auto it = object.FindMember(name);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

/// A string member, or a number rendered as text (nodes are not consistent about types).
std::string text_member(const rapidjson::Value& object, const char* name)
{
    const rapidjson::Value* value = member(object, name);
    if (value == nullptr) {
        return {};
    }
    if (value->IsString()) {
        return std::string(value->GetString(), value->GetStringLength());
    }
    if (value->IsInt64()) {
        return std::to_string(value->GetInt64());
    }
    if (value->IsUint64()) {
        return std::to_string(value->GetUint64());
    }
    if (value->IsDouble()) {
        return format_decimal(value->GetDouble(), 0);
    }
    return {};
}

/// The "result" of a {"status":...,"result":...} envelope, or null when body is not one.
const rapidjson::Value* envelope_result(const rapidjson::Document& doc)
{
    return doc.IsObject() ? member(doc, "result") : nullptr;
}

std::string string_of(const rapidjson::Value* value)
{
    if (value == nullptr || !value->IsString()) {
        return {};
    }
    return std::string(value->GetString(), value->GetStringLength());
}

/// {"status":...,"result":"<string>"}: what a Pexip node itself answers on an error. A proxy
/// or load balancer in front of it sends HTML, nothing, or JSON of another shape.
bool is_envelope(const rapidjson::Document& doc)
{
    const rapidjson::Value* result = envelope_result(doc);
    return result != nullptr && result->IsString() && member(doc, "status") != nullptr;
}

TokenReply invalid(std::string why)
{
    TokenReply reply;
    reply.kind = TokenReplyKind::invalid;
    reply.reason = std::move(why);
    return reply;
}

TokenReply classify_grant(std::string_view body, bool body_truncated)
{
    if (body_truncated) {
        return invalid("body larger than " + std::to_string(max_body_bytes) + " bytes");
    }
    rapidjson::Document doc;
    std::string error;
    if (!parse_json(body, doc, error)) {
        return invalid(error);
    }
    if (!doc.IsObject()) {
        return invalid("body is not a JSON object");
    }
    const rapidjson::Value* result = member(doc, "result");
    if (result == nullptr) {
        return invalid("no \"result\" in the reply");
    }
    if (result->IsString()) {
        return invalid("\"result\" is a string, not a token: " + string_of(result));
    }
    if (!result->IsObject()) {
        return invalid("\"result\" is not an object");
    }
    const rapidjson::Value* token = member(*result, "token");
    if (token == nullptr) {
        return invalid("no token in the reply");
    }
    if (!token->IsString()) {
        return invalid("token is not a string");
    }
    if (token->GetStringLength() == 0) {
        return invalid("token is empty");
    }
    TokenReply reply;
    reply.kind = TokenReplyKind::granted;
    TokenGrant& grant = reply.grant;
    grant.token = string_of(token);
    if (has_control_chars(grant.token)) {
        return invalid("token contains control characters");
    }
    grant.expires = text_member(*result, "expires");
    grant.role = text_member(*result, "role");
    grant.current_service_type = text_member(*result, "current_service_type");
    grant.service_type = text_member(*result, "service_type");
    grant.participant_uuid = text_member(*result, "participant_uuid");
    grant.conference_name = text_member(*result, "conference_name");
    if (const rapidjson::Value* version = member(*result, "version")) {
        grant.version_id = text_member(*version, "version_id");
        grant.pseudo_version = text_member(*version, "pseudo_version");
    }
    return reply;
}

TokenReply classify_forbidden(const rapidjson::Value* result)
{
    TokenReply reply;
    reply.kind = TokenReplyKind::rejected;
    if (result == nullptr) {
        return reply;
    }
    if (result->IsString()) {
        reply.reason = string_of(result);
        return reply;
    }
    if (!result->IsObject()) {
        return reply;
    }
    if (member(*result, "pin") != nullptr || member(*result, "guest_pin") != nullptr) {
        reply.kind = TokenReplyKind::pin_challenge;
        reply.guest_pin_required = text_member(*result, "guest_pin") == "required";
    } else if (member(*result, "idp") != nullptr || member(*result, "redirect_url") != nullptr ||
               member(*result, "redirect_idp") != nullptr) {
        reply.kind = TokenReplyKind::idp_challenge;
    } else if (member(*result, "conference_extension") != nullptr) {
        reply.kind = TokenReplyKind::extension_challenge;
        // Current nodes: {"conference_extension":"required","conference_extension_type":"x"};
        // older ones name the type in conference_extension itself.
        reply.extension_type = text_member(*result, "conference_extension_type");
        if (reply.extension_type.empty()) {
            const std::string legacy = text_member(*result, "conference_extension");
            if (legacy != "required") {
                reply.extension_type = legacy;
            }
        }
    }
    return reply;
}

} // namespace

TokenReply classify_token_reply(long http_status, std::string_view reason_phrase,
                                std::string_view body, bool body_truncated, bool pin_sent)
{
    (void)reason_phrase; // the caller words HTTP errors; only the body decides the shape
    if (http_status == 200) {
        return classify_grant(body, body_truncated);
    }
    rapidjson::Document doc;
    std::string error;
    const bool is_json = !body_truncated && parse_json(body, doc, error);
    const rapidjson::Value* result = is_json ? envelope_result(doc) : nullptr;

    TokenReply reply;
    switch (http_status) {
    case 401:
        reply.kind = TokenReplyKind::unauthorized;
        reply.reason = string_of(result);
        return reply;
    case 403:
        reply = classify_forbidden(result);
        if (pin_sent && reply.kind == TokenReplyKind::pin_challenge) {
            reply.kind = TokenReplyKind::pin_not_accepted;
        }
        return reply;
    case 404:
        reply.kind =
            result != nullptr ? TokenReplyKind::alias_not_found : TokenReplyKind::not_pexip;
        reply.reason = string_of(result);
        return reply;
    case 503:
        reply.kind =
            is_json && is_envelope(doc) ? TokenReplyKind::unavailable : TokenReplyKind::http_error;
        reply.reason = string_of(result);
        return reply;
    default:
        reply.kind = TokenReplyKind::http_error;
        reply.reason = string_of(result);
        return reply;
    }
}

ReleaseReply classify_release_reply(long http_status, std::string_view reason_phrase,
                                    std::string_view body)
{
    ReleaseReply reply;
    rapidjson::Document doc;
    std::string error;
    const bool is_json = parse_json(body, doc, error);
    const rapidjson::Value* result = is_json ? envelope_result(doc) : nullptr;
    if (http_status == 200) {
        if (result != nullptr && result->IsFalse()) {
            reply.reason = "the node answered result false";
            return reply;
        }
        reply.released = true;
        return reply;
    }
    reply.reason = "HTTP " + std::to_string(http_status);
    const std::string node_reason = string_of(result);
    if (!node_reason.empty()) {
        reply.reason += ": " + node_reason;
    } else if (!reason_phrase.empty()) {
        reply.reason += " " + std::string(reason_phrase);
    }
    return reply;
}

std::string envelope_reason(std::string_view body)
{
    rapidjson::Document doc;
    std::string error;
    if (!parse_json(body, doc, error)) {
        return {};
    }
    return string_of(envelope_result(doc));
}

} // namespace cpt
