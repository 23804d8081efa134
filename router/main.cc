// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <cstdio>

int main() {
    std::fputs("kars-router: not wired yet\n", stderr);
    return 1;
}
