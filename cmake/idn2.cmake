# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
# libidn2 (IDNA2008 / UTS #46) for host canonicalisation in core/egress. Debian: libidn2-dev.
# Provides the imported target PkgConfig::idn2; kars_core links it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(idn2 REQUIRED IMPORTED_TARGET libidn2)
