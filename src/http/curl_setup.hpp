// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/connection_settings.hpp"
#include "http/curl_handles.hpp"
#include "http/http_client.hpp"

#include <curl/curl.h>

#include <stdexcept>
#include <string>

namespace cpt {

// What every libcurl easy handle of the plugin shares: the connection settings, the URL.

/// Sets one option; libcurl refusing it is an internal error.
template <typename Value>
void set_option(CURL* easy, CURLoption option, Value value)
{
    const CURLcode code = curl_easy_setopt(easy, option, value);
    if (code != CURLE_OK) {
        throw std::runtime_error(std::string("libcurl refused an option: ") +
                                 curl_easy_strerror(code));
    }
}

/// HTTPS only, HTTP/1.1, no redirects, no proxy, the TLS and address settings; connect_to
/// and error_buffer must live as long as the handle.
void configure_connection(CURL* easy, const ConnectionSettings& settings, HeaderList& connect_to,
                          char* error_buffer);

/// "https://HOST:PORT/path" (IPv6 literals bracketed).
std::string request_url(const ConnectionSettings& settings, const std::string& path);

/// The request's headers, plus "Expect:" (no 100-continue round trip).
HeaderList request_headers(const HttpRequest& request);

/// What one response header line says, as libcurl hands it over (line end included).
struct HeaderLine
{
    bool status_line = false; ///< "HTTP/1.1 503 Service Unavailable" (after a 1xx too)
    long status = 0;
    std::string reason;
    bool content_type_line = false;
    std::string content_type;
    bool end_of_head = false; ///< the empty line after the headers
};
HeaderLine parse_header_line(const char* data, std::size_t bytes);

/// "ADDR port N" of the handle's connection.
std::string peer_address(CURL* easy);

} // namespace cpt
