// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cpt {

class Deadline;
class HttpClient;
struct ConnectionSettings;

/// Makes the client a run probes with: libcurl in the plugin; the backstop test injects one
/// that blocks where no libcurl timeout reaches.
using HttpClientFactory =
    std::function<std::unique_ptr<HttpClient>(const ConnectionSettings&, const Deadline&)>;

/// The whole plugin run: parse arguments, probe, render. Returns the exit code (0-3) and puts
/// everything to print on stdout into output. Never throws.
int run_plugin(const std::vector<std::string>& args, std::string& output) noexcept;
int run_plugin(const std::vector<std::string>& args, std::string& output,
               const HttpClientFactory& make_client) noexcept;

/// What an argument error prints: the UNKNOWN line with the reason, then the usage (only for
/// a syntax error: not when with_usage is false, for a file an argument names).
std::string usage_error_output(std::string_view reason, bool with_usage = true);

} // namespace cpt
