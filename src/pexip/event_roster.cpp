// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "pexip/event_roster.hpp"

#include <rapidjson/document.h>

namespace cpt {

namespace {

/// The string member `name` of a JSON object, empty when the text is no such object.
std::string string_member(const std::string& json, const char* name)
{
    rapidjson::Document document;
    // Iterative: a hostile nesting depth costs heap (bounded by the data cap), not stack.
    document.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        return {};
    }
    const auto member = document.FindMember(name);
    if (member == document.MemberEnd() || !member->value.IsString()) {
        return {};
    }
    return std::string(member->value.GetString(), member->value.GetStringLength());
}

constexpr std::size_t max_names = 64;
constexpr std::size_t max_name_bytes = 40;

} // namespace

std::string disconnect_reason_of(const std::string& data)
{
    return string_member(data, "reason");
}

std::string participant_uuid_of(const std::string& data)
{
    return string_member(data, "uuid");
}

EventRoster::EventRoster(std::string own_uuid) : own_uuid_(std::move(own_uuid))
{
}

bool EventRoster::take(const ServerSentEvent& event)
{
    if (complete_ || disconnected_) {
        return true;
    }
    ++events_;
    if (names_.size() < max_names) {
        names_.push_back(event.type.substr(0, max_name_bytes));
    }
    const std::string& type = event.type;
    if (type == "participant_sync_begin") {
        uuids_.clear();
        unnamed_ = 0;
        own_seen_ = false;
    } else if (type == "participant_create") {
        const std::string uuid = participant_uuid_of(event.data);
        if (uuid.empty()) {
            ++unnamed_;
        } else {
            uuids_.insert(uuid);
            own_seen_ = own_seen_ || (!own_uuid_.empty() && uuid == own_uuid_);
        }
    } else if (type == "participant_delete") {
        uuids_.erase(participant_uuid_of(event.data));
    } else if (type == "participant_sync_end") {
        complete_ = true;
    } else if (type == "disconnect") {
        disconnected_ = true;
        disconnect_reason_ = disconnect_reason_of(event.data);
    }
    // hello, ping, conference_update, stage, anything else: nothing for the roster.
    return complete_ || disconnected_;
}

} // namespace cpt
