// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "pexip/pexip_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cpt {

std::string encode_path_segment(std::string_view segment)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size() * 3);
    for (char c : segment) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' ||
                                byte == '_' || byte == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0F];
        }
    }
    return out;
}

std::string conference_path(std::string_view alias, std::string_view action)
{
    std::string path = "/api/client/v2/conferences/";
    path += encode_path_segment(alias);
    path += '/';
    path += action;
    return path;
}

std::string request_token_body(std::string_view display_name, std::string_view call_tag)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("display_name");
    writer.String(display_name.data(), static_cast<rapidjson::SizeType>(display_name.size()));
    writer.Key("call_tag");
    writer.String(call_tag.data(), static_cast<rapidjson::SizeType>(call_tag.size()));
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace cpt
