// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "dns/srv_answer.hpp"

namespace cpt {

namespace {

constexpr std::size_t header_bytes = 12;
constexpr std::uint16_t type_srv = 33;
constexpr std::uint16_t class_in = 1;
constexpr int max_pointer_hops = 64;
constexpr std::size_t max_name_bytes = 255; // wire form, RFC 1035 2.3.4

struct Malformed
{
    const char* why;
};

class Reader
{
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::size_t position() const noexcept { return pos_; }

    std::uint16_t u16()
    {
        need(2);
        const auto value = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return value;
    }

    void skip(std::size_t bytes)
    {
        need(bytes);
        pos_ += bytes;
    }

    /// Reads a (possibly compressed) name at the current position and moves past it.
    /// Returns it in lower case without the trailing dot; "." for the root.
    std::string name()
    {
        std::string out;
        std::size_t wire_bytes = 1;
        std::size_t at = pos_;
        bool jumped = false;
        int hops = 0;
        for (;;) {
            if (at >= size_) {
                throw Malformed{"name runs past the message"};
            }
            const std::uint8_t length = data_[at];
            if ((length & 0xC0) == 0xC0) {
                if (at + 1 >= size_) {
                    throw Malformed{"name runs past the message"};
                }
                const std::size_t target =
                    (static_cast<std::size_t>(length & 0x3F) << 8) | data_[at + 1];
                if (target >= at || ++hops > max_pointer_hops) {
                    throw Malformed{"bad compression pointer"};
                }
                if (!jumped) {
                    pos_ = at + 2;
                    jumped = true;
                }
                at = target;
                continue;
            }
            if ((length & 0xC0) != 0) { // also any label longer than 63 bytes
                throw Malformed{"unknown label type"};
            }
            if (length == 0) {
                if (!jumped) {
                    pos_ = at + 1;
                }
                break;
            }
            wire_bytes += 1U + length;
            if (wire_bytes > max_name_bytes) {
                throw Malformed{"name longer than 255 bytes"};
            }
            if (at + 1 + length > size_) {
                throw Malformed{"name runs past the message"};
            }
            if (!out.empty()) {
                out += '.';
            }
            for (std::size_t i = 0; i < length; ++i) {
                out += static_cast<char>(data_[at + 1 + i]);
            }
            at += 1U + length;
        }
        return out.empty() ? std::string(".") : out;
    }

private:
    void need(std::size_t bytes) const
    {
        if (bytes > size_ - pos_) {
            throw Malformed{"record runs past the message"};
        }
    }

    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// A host name: labels of letters, digits, '-' and '_', not starting or ending in '-'.
/// Lowers the case in place.
bool host_name(std::string& name)
{
    if (name == ".") {
        return true;
    }
    std::size_t label = 0;
    char previous = '.';
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        const bool letter_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (c == '.') {
            if (label == 0 || previous == '-') {
                return false;
            }
            label = 0;
        } else if (letter_digit || (c == '-' && label > 0)) {
            ++label;
        } else {
            return false;
        }
        previous = c;
    }
    return label > 0 && previous != '-';
}

} // namespace

SrvAnswer parse_srv_answer(const std::uint8_t* data, std::size_t size)
{
    SrvAnswer answer;
    if (data == nullptr || size < header_bytes) {
        answer.error = "shorter than a DNS header";
        return answer;
    }
    try {
        Reader in(data, size);
        in.skip(2); // ID
        const std::uint16_t flags = in.u16();
        if ((flags & 0x8000U) == 0) {
            throw Malformed{"not a response"};
        }
        answer.rcode = flags & 0x000FU;
        const std::uint16_t questions = in.u16();
        const std::uint16_t answers = in.u16();
        in.skip(4); // NSCOUNT, ARCOUNT: the rest of the message is not read
        for (std::uint16_t i = 0; i < questions; ++i) {
            in.name();
            in.skip(4); // QTYPE, QCLASS
        }
        for (std::uint16_t i = 0; i < answers; ++i) {
            in.name(); // owner: the resolver matched the question
            const std::uint16_t type = in.u16();
            const std::uint16_t klass = in.u16();
            in.skip(4); // TTL
            const std::uint16_t length = in.u16();
            const std::size_t start = in.position();
            if (type != type_srv || klass != class_in) {
                in.skip(length);
                continue;
            }
            if (answer.records.size() >= max_srv_records) {
                throw Malformed{"more than 32 SRV records"};
            }
            SrvRecord record;
            record.priority = in.u16();
            record.weight = in.u16();
            record.port = in.u16();
            record.target = in.name();
            if (in.position() - start != length) {
                throw Malformed{"SRV record length does not match its data"};
            }
            if (!host_name(record.target)) {
                throw Malformed{"SRV target is not a host name"};
            }
            if (record.port == 0 && record.target != ".") {
                throw Malformed{"SRV record with port 0"};
            }
            answer.records.push_back(std::move(record));
        }
        answer.valid = true;
    } catch (const Malformed& error) {
        answer.records.clear();
        answer.error = error.why;
    }
    return answer;
}

} // namespace cpt
