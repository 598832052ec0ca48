// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "deadline.hpp"
#include "http_client.hpp"
#include "options.hpp"

#include <memory>
#include <string>

namespace cpt {

/// Where and how to connect; taken from Options once.
struct ConnectionSettings
{
    std::string host; ///< Host header, SNI and the name the certificate must carry
    long port = 443;
    std::string connect_address; ///< empty: resolve host
    IpFamily ip_family = IpFamily::any;
    bool insecure = false;
    std::string ca_file;
    std::string client_cert;
    std::string client_key;
    bool want_cert_expiry = false;
    std::string user_agent;
};

ConnectionSettings connection_settings_from(const Options& options);

/// Owns libcurl's process-wide state for the lifetime of the object (one per process).
class CurlGlobal
{
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

/// HttpClient over one libcurl easy handle: HTTPS only, HTTP/1.1, no redirects, one kept-alive
/// connection for every request, each request bounded by what is left of the deadline.
class CurlHttpClient : public HttpClient
{
public:
    CurlHttpClient(ConnectionSettings settings, const Deadline& deadline);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    HttpResult send(const HttpRequest& request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace cpt
