// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The single translation unit that compiles Asio, Asio.SSL and Beast (separate compilation
// keeps the rest of the router from re-instantiating them in every file).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
