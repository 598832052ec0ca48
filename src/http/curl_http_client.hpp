// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/deadline.hpp"
#include "http/connection_settings.hpp"
#include "http/http_client.hpp"

#include <memory>
#include <string>

namespace cpt {

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
    /// On a second easy handle (and so a second connection): send()'s stays for the release.
    StreamResult stream(const HttpRequest& request, const StreamLimits& limits,
                        StreamConsumer& consumer) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace cpt
