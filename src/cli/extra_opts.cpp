// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "cli/extra_opts.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace cpt {

namespace {

// monitoring-plugins' search order (lib/parse_ini.c), so one ini serves all plugins.
constexpr const char* default_ini_paths[] = {
    "/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
    "/usr/local/etc/monitoring-plugins.ini",
    "/etc/monitoring-plugins/monitoring-plugins.ini",
    "/etc/monitoring-plugins.ini",
    "/etc/nagios/plugins.ini",
    "/usr/local/nagios/etc/plugins.ini",
    "/usr/local/etc/nagios/plugins.ini",
    "/etc/opt/nagios/plugins.ini",
    "/etc/plugins.ini",
    "/usr/local/etc/plugins.ini",
};
constexpr const char* default_ini_names[] = {"monitoring-plugins.ini", "plugins.ini",
                                             "nagios-plugins.ini"};
constexpr std::size_t max_ini_bytes = 1024 * 1024;

bool file_exists(const std::string& path)
{
    struct stat info
    {
    };
    return ::stat(path.c_str(), &info) == 0;
}

std::string default_ini_file()
{
    if (const char* explicit_file = std::getenv("MP_CONFIG_FILE")) {
        return explicit_file;
    }
    if (const char* dirs = std::getenv("NAGIOS_CONFIG_PATH")) {
        std::string list = dirs;
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t colon = std::min(list.find(':', start), list.size());
            const std::string dir = list.substr(start, colon - start);
            for (const char* name : default_ini_names) {
                if (!dir.empty() && file_exists(dir + "/" + name)) {
                    return dir + "/" + name;
                }
            }
            start = colon + 1;
        }
    }
    for (const char* path : default_ini_paths) {
        if (file_exists(path)) {
            return path;
        }
    }
    return {};
}

std::string trim(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n\v\f");
    return text.substr(first, last - first + 1);
}

/// "key = value" → "--key=value"; "key" → "--key"; a one-letter key gives "-k" "value"
/// (getopt would read "-k=value" as the value "=value").
void append_arguments(std::vector<std::string>& arguments, const std::string& line,
                      const std::string& file)
{
    const std::size_t equals = line.find('=');
    const std::string key = trim(line.substr(0, equals));
    if (key.empty()) {
        throw std::runtime_error("config file error in '" + file + "': line without an option");
    }
    if (equals == std::string::npos) {
        arguments.push_back((key.size() == 1 ? "-" : "--") + key);
        return;
    }
    // As in monitoring-plugins, '#' starts a comment even after a value.
    std::string value = line.substr(equals + 1);
    value = trim(value.substr(0, value.find('#')));
    if (key.size() == 1) {
        arguments.push_back("-" + key);
        arguments.push_back(value);
    } else {
        arguments.push_back("--" + key + "=" + value);
    }
}

} // namespace

std::vector<std::string> read_extra_opts(const std::string& locator,
                                         const std::string& default_section)
{
    const std::size_t at = locator.find('@');
    std::string section = locator.substr(0, at);
    if (section.empty()) {
        section = default_section;
    }
    std::string file = at == std::string::npos ? default_ini_file() : locator.substr(at + 1);
    if (file.empty()) {
        throw std::runtime_error("no --extra-opts file found (give one as --extra-opts=@FILE or "
                                 "set MP_CONFIG_FILE)");
    }
    std::istringstream in(read_regular_file(file, "--extra-opts file", max_ini_bytes));
    std::vector<std::string> arguments;
    bool in_section = false;
    bool found = false;
    std::string raw;
    while (std::getline(in, raw)) {
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') {
            continue;
        }
        if (line[0] == '[') {
            const std::size_t close = line.find(']');
            in_section = close != std::string::npos && trim(line.substr(1, close - 1)) == section;
            found = found || in_section;
            continue;
        }
        if (in_section) {
            append_arguments(arguments, line, file);
        }
    }
    if (!found) {
        throw std::runtime_error("no section [" + section + "] in --extra-opts file '" + file +
                                 "'");
    }
    return arguments;
}

std::string read_regular_file(const std::string& path, const std::string& what,
                              std::size_t max_bytes)
{
    const auto failure = [&](const std::string& why) {
        return std::runtime_error("cannot read " + what + " '" + path + "': " + why);
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        throw failure(std::strerror(errno));
    }
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0) {
        throw failure(std::strerror(errno));
    }
    if (!S_ISREG(info.st_mode)) {
        throw failure(S_ISDIR(info.st_mode) ? "is a directory" : "not a regular file");
    }
    std::string content;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw failure(std::strerror(errno));
        }
        if (got == 0) {
            return content;
        }
        content.append(buffer, static_cast<std::size_t>(got));
        if (content.size() > max_bytes) {
            throw failure("larger than " + std::to_string(max_bytes) + " bytes");
        }
    }
}

} // namespace cpt
