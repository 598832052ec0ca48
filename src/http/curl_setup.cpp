// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "http/curl_setup.hpp"

#include <cstdlib>
#include <strings.h>

namespace cpt {

namespace {

/// IPv6 literals need brackets in URLs and CONNECT_TO entries.
std::string url_host(const std::string& host)
{
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

void configure_connection(CURL* easy, const ConnectionSettings& settings, HeaderList& connect_to,
                          char* error_buffer)
{
    set_option(easy, CURLOPT_ERRORBUFFER, error_buffer);
    set_option(easy, CURLOPT_NOSIGNAL, 1L); // the deadline backstop owns SIGALRM
    set_option(easy, CURLOPT_PROTOCOLS_STR, "https");
    set_option(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    set_option(easy, CURLOPT_FOLLOWLOCATION, 0L); // a redirect is an answer, never followed
    set_option(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set_option(easy, CURLOPT_PATH_AS_IS, 1L); // "." and ".." are alias text, not dot segments
    set_option(easy, CURLOPT_PROXY, "");      // talk to the node itself, whatever *_proxy says
    set_option(easy, CURLOPT_USERAGENT, settings.user_agent.c_str());
    set_option(easy, CURLOPT_IPRESOLVE,
               settings.ip_family == IpFamily::v4   ? CURL_IPRESOLVE_V4
               : settings.ip_family == IpFamily::v6 ? CURL_IPRESOLVE_V6
                                                    : CURL_IPRESOLVE_WHATEVER);
    set_option(easy, CURLOPT_SSL_VERIFYPEER, settings.insecure ? 0L : 1L);
    set_option(easy, CURLOPT_SSL_VERIFYHOST, settings.insecure ? 0L : 2L);
    if (!settings.ca_file.empty()) {
        set_option(easy, CURLOPT_CAINFO, settings.ca_file.c_str());
        set_option(easy, CURLOPT_CAPATH, static_cast<const char*>(nullptr)); // only that CA
    }
    if (!settings.client_cert.empty()) {
        set_option(easy, CURLOPT_SSLCERT, settings.client_cert.c_str());
    }
    if (!settings.client_key.empty()) {
        set_option(easy, CURLOPT_SSLKEY, settings.client_key.c_str());
    }
    if (!settings.connect_address.empty()) {
        // Host header, SNI and the verified name stay settings.host.
        append(connect_to,
               "::" + url_host(settings.connect_address) + ":" + std::to_string(settings.port));
        set_option(easy, CURLOPT_CONNECT_TO, connect_to.get());
    }
#if LIBCURL_VERSION_NUM >= 0x075700
    // On a timeout during DNS, do not wait for the resolver thread (getaddrinfo cannot
    // be interrupted and may take far longer than -t): leave it behind, we exit anyway.
    set_option(easy, CURLOPT_QUICK_EXIT, 1L);
#endif
}

HeaderLine parse_header_line(const char* data, std::size_t bytes)
{
    HeaderLine parsed;
    std::string line(data, bytes);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
        line.pop_back();
    }
    if (line.rfind("HTTP/", 0) == 0) {
        parsed.status_line = true;
        const std::size_t code_at = line.find(' ');
        const std::size_t reason_at =
            code_at == std::string::npos ? code_at : line.find(' ', code_at + 1);
        parsed.status =
            code_at == std::string::npos ? 0 : std::strtol(line.c_str() + code_at + 1, nullptr, 10);
        parsed.reason = reason_at == std::string::npos ? std::string() : line.substr(reason_at + 1);
    } else if (line.size() > 13 && strncasecmp(line.c_str(), "content-type:", 13) == 0) {
        parsed.content_type_line = true;
        const std::size_t start = line.find_first_not_of(" \t", 13);
        parsed.content_type = start == std::string::npos ? "" : line.substr(start);
    } else if (line.empty()) {
        parsed.end_of_head = true;
    }
    return parsed;
}

std::string request_url(const ConnectionSettings& settings, const std::string& path)
{
    return "https://" + url_host(settings.host) + ":" + std::to_string(settings.port) + path;
}

HeaderList request_headers(const HttpRequest& request)
{
    HeaderList headers;
    for (const auto& [name, value] : request.headers) {
        append(headers, name + ": " + value);
    }
    append(headers, "Expect:"); // no 100-continue round trip
    return headers;
}

std::string peer_address(CURL* easy)
{
    const char* ip = nullptr;
    long port = 0;
    curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(easy, CURLINFO_PRIMARY_PORT, &port);
    return std::string(ip != nullptr ? ip : "?") + " port " + std::to_string(port);
}

} // namespace cpt
