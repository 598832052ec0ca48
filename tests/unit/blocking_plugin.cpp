// SPDX-License-Identifier: GPL-3.0-or-later
// The whole plugin run with an HttpClient that blocks where no libcurl timeout reaches, so
// that only the deadline backstop can end it (tests/functional/backstop_test.py).
// CPT_BLOCK_AT=request_token blocks the first request; CPT_BLOCK_AT=release_token answers
// request_token with a token and blocks the release.
#include "http/http_client.hpp"
#include "plugin.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

class BlockingHttpClient : public cpt::HttpClient
{
public:
    explicit BlockingHttpClient(std::string block_at) : block_at_(std::move(block_at)) {}

    cpt::HttpResult send(const cpt::HttpRequest& request) override
    {
        if (request.path.find(block_at_) != std::string::npos) {
            for (;;) {
                ::pause(); // only a signal handler that exits ends this
            }
        }
        cpt::HttpResponse response;
        response.status = 200;
        response.reason = "OK";
        response.content_type = "application/json";
        response.body = R"({"status":"success","result":{"token":"BLOCKING-token-0123=",)"
                        R"("expires":"120","participant_uuid":)"
                        R"("00000000-0000-4000-8000-000000000001","version":)"
                        R"({"version_id":"36","pseudo_version":"79019.0.0"},"role":"GUEST",)"
                        R"("display_name":"check_pexip_token","current_service_type":)"
                        R"("conference"}})";
        response.timings.total = 0.001;
        response.peer_address = "127.0.0.1 port 443";
        response.new_connection = true;
        return response;
    }

    cpt::StreamResult stream(const cpt::HttpRequest& request, const cpt::StreamLimits& /*limits*/,
                             cpt::StreamConsumer& /*consumer*/) override
    {
        if (request.path.find(block_at_) != std::string::npos) {
            for (;;) {
                ::pause(); // a stream no libcurl timeout ends: the backstop must
            }
        }
        return cpt::TransportError{
            cpt::TransportErrorKind::other, "no stream here", std::nullopt, {}, {}};
    }

private:
    std::string block_at_;
};

} // namespace

int main(int argc, char** argv)
{
    const char* block_at = std::getenv("CPT_BLOCK_AT");
    const std::string where = block_at != nullptr ? block_at : "request_token";
    std::string output;
    const int exit_code =
        cpt::run_plugin(std::vector<std::string>(argv, argv + argc), output,
                        [&where](const cpt::ConnectionSettings&, const cpt::Deadline&) {
                            return std::make_unique<BlockingHttpClient>(where);
                        });
    std::fwrite(output.data(), 1, output.size(), stdout);
    return exit_code;
}
