# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
if(KARS_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
