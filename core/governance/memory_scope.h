// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// KarsMemory isolation: a sandbox reads and writes only its own memory scope. The guard
// runs before any profile rule, and no rule can widen it: isolation between sandboxes and
// tenants is not a policy choice an operator can make per profile.
//
// A scope is accepted when it is exactly the sandbox's own scope (the KarsMemory
// spec.scope, else the convention "agent_<sandbox>"), or that scope followed by "/" and
// canonical sub-path segments. Everything else is refused with a reason that names the
// scope: other sandboxes, "tenant:..." and any ':' (Foundry rejects colons), reserved
// names such as "system", wildcards, "..", ".", empty or leading "/" segments, '\', percent
// escapes, characters outside the CRD charset, non-ASCII (no lookalikes), and case variants
// of the own scope (the store must only ever see the one canonical spelling).

#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::governance {

// The scope a sandbox owns: `bound_scope` when set, else "agent_<sandbox>".
std::string own_memory_scope(std::string_view sandbox, std::string_view bound_scope);

// ok when `requested` is the own scope or below it; otherwise an error (code
// "memory_scope_denied") whose message contains the word "scope" and the reason.
Status check_memory_scope(std::string_view requested, std::string_view own_scope);

}  // namespace kars::governance
