// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "plugin_kit/perfdata.hpp"
#include "plugin_kit/state.hpp"

#include <string>
#include <vector>

namespace cpt {

/// One aspect of the check (the token request, the release, the certificate, ...).
struct Subcheck
{
    std::string name; ///< short name shown in the long output, e.g. "request_token"
    State state = State::ok;
    std::string summary;  ///< one phrase; shown on line 1 when the state is not OK
    bool primary = false; ///< an OK primary subcheck gives line 1 its text
};

/// The result tree of one run: subchecks, perfdata, long-output lines and the -vvv trace.
class CheckResult
{
public:
    void add(Subcheck subcheck);
    void add_perfdata(PerfValue perf);
    /// A value that must never be printed (PIN, token): render() replaces it everywhere.
    void add_secret(std::string secret);

    /// A long-output line, shown from the given verbosity on (1: -v, 2: -vv, 3: -vvv trace).
    void add_detail(std::string line, int min_verbosity = 1);

    /// A child result (e.g. one node of several): render() lists it in the long output as
    /// "\_ [STATE] name: summary" with its own subchecks and details indented below it. It
    /// does not change state() or line 1: the parent judges its children in its own subchecks.
    void add_child(std::string name, CheckResult child);
    struct Child;
    const std::vector<Child>& children() const noexcept { return children_; }

    /// The worst state of all subchecks (OK when there are none).
    State state() const noexcept;
    const std::vector<Subcheck>& subchecks() const noexcept { return subchecks_; }
    const std::vector<PerfValue>& perfdata() const noexcept { return perfdata_; }

    /// The whole plugin output: "PEXIP TOKEN STATE: summary | perfdata" plus, with verbosity
    /// >= 1, long output. Every free text is sanitised and redacted of secrets, the total is
    /// capped at 8 KiB, lines end in LF.
    std::string render(int verbosity) const;

    /// Line 1's summary, before sanitising: the non-OK subchecks' phrases, worst first, then
    /// the OK primary ones; "no result" when there is none.
    std::string summary() const;

private:
    std::vector<Subcheck> subchecks_;
    std::vector<PerfValue> perfdata_;
    struct Detail
    {
        int min_verbosity;
        std::string line;
    };
    std::vector<Detail> details_;
    std::vector<std::string> secrets_;
    std::vector<Child> children_;

    void collect_secrets(std::vector<std::string>& into) const;
    void long_lines(int verbosity, const std::string& indent,
                    std::vector<std::string>& lines) const;
};

struct CheckResult::Child
{
    std::string name;
    CheckResult result;
};

/// Output prefix of line 1.
inline constexpr const char* output_prefix = "PEXIP TOKEN";

/// Most bytes of output a run prints (Nagios' MAX_PLUGIN_OUTPUT_LENGTH).
inline constexpr std::size_t max_output_bytes = 8192;

} // namespace cpt
