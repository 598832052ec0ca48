// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>

namespace cpt {

/// The whole-run time limit (-t): every network step takes its timeout from what is left.
class Deadline
{
public:
    using clock = std::chrono::steady_clock;

    explicit Deadline(double seconds);

    /// Milliseconds left, never negative.
    long remaining_ms() const noexcept;
    bool expired() const noexcept { return remaining_ms() <= 0; }
    double budget_seconds() const noexcept { return budget_seconds_; }

private:
    clock::time_point end_;
    double budget_seconds_;
};

/// A last-resort guard should libcurl ever overrun the deadline: after `seconds` it writes
/// the prepared line to stdout and _exits with its state, from an async-signal-safe handler.
/// set_message() changes the line (e.g. once a token is held, a late release is WARNING).
class DeadlineBackstop
{
public:
    DeadlineBackstop(double seconds, const char* line, int exit_code);
    ~DeadlineBackstop();
    DeadlineBackstop(const DeadlineBackstop&) = delete;
    DeadlineBackstop& operator=(const DeadlineBackstop&) = delete;

    /// The line must stay alive until the backstop is destroyed.
    void set_message(const char* line, int exit_code) noexcept;
};

} // namespace cpt
