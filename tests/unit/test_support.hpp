// SPDX-License-Identifier: GPL-3.0-or-later
// Small helpers shared by the unit suites: canned bodies, temporary files, readable states.
#pragma once

#include "plugin_kit/state.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name the tests/data directory"
#endif

namespace cpt_test {

/// True when CHECK_REQUIRE_ALL is set (and not "0"): every skip is a failure (.ci/run).
inline bool require_all()
{
    const char* value = std::getenv("CHECK_REQUIRE_ALL");
    return value != nullptr && *value != '\0' && std::string(value) != "0";
}

/// The unit suites' side of the suite's one skip mechanism (HACKING.md, "Tests"): prints
/// "skip - unit:<case>: <reason>", which tests/summarize.py counts as a skip, never a pass.
/// Returns false under CHECK_REQUIRE_ALL=1, where the caller must fail instead (CPT_SKIP does).
inline bool skip_line(const std::string& reason)
{
    if (require_all()) {
        return false;
    }
    std::cout << "skip - unit:" << boost::unit_test::framework::current_test_case().full_name()
              << ": " << reason << std::endl;
    return true;
}

} // namespace cpt_test

/// A case that cannot run here: CPT_SKIP("what is missing"); it returns from the test case
/// (a skip), or under CHECK_REQUIRE_ALL=1 fails it naming what is missing.
#define CPT_SKIP(reason)                                                                           \
    do {                                                                                           \
        if (!cpt_test::skip_line(reason)) {                                                        \
            BOOST_FAIL("cannot run here: " << (reason)                                             \
                                           << " (CHECK_REQUIRE_ALL=1: a skip is a failure)");      \
        }                                                                                          \
        return;                                                                                    \
    } while (false)

namespace cpt_test {

/// The bytes of tests/data/<name>; fails the test when the file is missing.
inline std::string read_data_file(const std::string& name)
{
    const std::string path = std::string(TEST_DATA_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("missing test data file " + path);
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

/// "OK", "WARNING", ...: compares states with readable failure messages.
inline std::string name_of(cpt::State state)
{
    return cpt::state_name(state);
}

/// A file under $TMPDIR (or /tmp) holding the given bytes, removed again on destruction.
class TempFile
{
public:
    explicit TempFile(const std::string& content, mode_t mode = 0600)
    {
        const char* dir = std::getenv("TMPDIR");
        std::string pattern =
            std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/cpt_unit_XXXXXX";
        const int fd = ::mkstemp(pattern.data());
        if (fd < 0) {
            throw std::runtime_error("mkstemp failed for " + pattern);
        }
        path_ = pattern;
        std::size_t written = 0;
        while (written < content.size()) {
            const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
            if (n <= 0) {
                ::close(fd);
                ::unlink(path_.c_str());
                throw std::runtime_error("cannot write " + path_);
            }
            written += static_cast<std::size_t>(n);
        }
        ::close(fd);
        ::chmod(path_.c_str(), mode);
    }
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// Sets an environment variable for the lifetime of the object, then restores it.
class EnvGuard
{
public:
    EnvGuard(const char* name, const char* value) : name_(name)
    {
        if (const char* old = std::getenv(name)) {
            old_ = std::string(old);
        }
        if (value == nullptr) {
            ::unsetenv(name);
        } else {
            ::setenv(name, value, 1);
        }
    }
    ~EnvGuard()
    {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

/// A path that certainly does not exist.
inline std::string missing_path()
{
    return "/nonexistent-cpt-unit-dir/no-such-file";
}

} // namespace cpt_test
