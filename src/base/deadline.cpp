// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/deadline.hpp"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstring>
#include <sys/time.h>
#include <unistd.h>

namespace cpt {

Deadline::Deadline(double seconds)
    : end_(clock::now() + std::chrono::microseconds(static_cast<long long>(seconds * 1e6))),
      budget_seconds_(seconds)
{
}

long Deadline::remaining_ms() const noexcept
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - clock::now());
    return left.count() > 0 ? static_cast<long>(left.count()) : 0;
}

namespace {

// Read by the signal handler: lock-free atomics are async-signal-safe.
std::atomic<const char*> backstop_line{nullptr};
std::atomic<std::size_t> backstop_length{0};
std::atomic<int> backstop_exit_code{3};

extern "C" void on_backstop_alarm(int /*signal*/)
{
    const char* line = backstop_line.load();
    std::size_t left = backstop_length.load();
    while (line != nullptr && left > 0) {
        const ssize_t written = ::write(STDOUT_FILENO, line, left);
        if (written <= 0) {
            break;
        }
        line += written;
        left -= static_cast<std::size_t>(written);
    }
    ::_exit(backstop_exit_code.load());
}

void arm_timer(double seconds)
{
    itimerval timer{};
    timer.it_value.tv_sec = static_cast<time_t>(seconds);
    timer.it_value.tv_usec =
        static_cast<suseconds_t>((seconds - static_cast<double>(timer.it_value.tv_sec)) * 1e6);
    ::setitimer(ITIMER_REAL, &timer, nullptr);
}

} // namespace

DeadlineBackstop::DeadlineBackstop(double seconds, const char* line, int exit_code)
{
    set_message(line, exit_code);
    struct sigaction action
    {
    };
    action.sa_handler = on_backstop_alarm;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGALRM, &action, nullptr);
    arm_timer(seconds);
}

DeadlineBackstop::~DeadlineBackstop()
{
    arm_timer(0.0);
    struct sigaction action
    {
    };
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGALRM, &action, nullptr);
}

void DeadlineBackstop::set_message(const char* line, int exit_code) noexcept
{
    backstop_exit_code.store(exit_code);
    backstop_length.store(0);
    backstop_line.store(line);
    backstop_length.store(line != nullptr ? std::strlen(line) : 0);
}

} // namespace cpt
