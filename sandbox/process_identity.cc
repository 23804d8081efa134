// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/process_identity.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace kars::sandbox {
namespace {

struct StatFields {
    char state = '?';
    std::uint64_t start_time = 0;
};

// proc(5): "pid (comm) state ppid ...". comm may itself hold spaces and parentheses, so the
// fields are counted from the last ')'.
std::optional<StatFields> read_stat(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close_paren = text.rfind(')');
    if (close_paren == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream fields(text.substr(close_paren + 1));
    StatFields out;
    fields >> out.state;
    std::string skip;
    // Fields 4 (ppid) to 21 (itrealvalue) lie between state and starttime (field 22).
    for (int i = 0; i < 18 && fields >> skip; ++i) {
    }
    if (!(fields >> out.start_time)) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::optional<ProcessIdentity> read_process_identity(pid_t pid) {
    if (pid <= 0) {
        return std::nullopt;
    }
    auto stat = read_stat(pid);
    if (!stat) {
        return std::nullopt;
    }
    return ProcessIdentity{pid, stat->start_time};
}

bool process_is_running(const ProcessIdentity& identity) {
    if (identity.pid <= 0) {
        return false;
    }
    auto stat = read_stat(identity.pid);
    return stat && stat->start_time == identity.start_time && stat->state != 'Z' &&
           stat->state != 'X';
}

}  // namespace kars::sandbox
