// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Result<T>: the error channel for everything that handles untrusted input or talks to the
// kernel. Exceptions are reserved for start-up and the CLI edge; the data path returns these.

#include <string>
#include <utility>
#include <variant>

namespace kars {

// An error is a stable machine code (used for metrics, audit reasons and protocol error
// types) plus a message written for the person who has to fix the problem.
struct Error {
    std::string code;
    std::string message;
};

inline Error make_error(std::string code, std::string message) {
    return Error{std::move(code), std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Status is a Result with nothing to return.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

}  // namespace kars
