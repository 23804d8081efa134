# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
# One place for the warning set, applied per target so third-party headers stay quiet.
function(kars_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
        -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
        -Wimplicit-fallthrough)
endfunction()
