// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Enforces a sandbox's InferencePolicy `contentSafety` floors against the content-filter
// annotations the upstream returned (content_filter_annotations.h), for whole responses and
// chunk by chunk for streams.
//
// Rules, checked in this order; the first that matches decides the verdict:
//   0. A policy with no ceiling and requirePromptShields off never blocks.
//   1. Severity above a ceiling: for the prompt side, then the completion side, the
//      categories hate, self_harm, sexual, violence in that order; blocks when the observed
//      severity is strictly greater than the category's ceiling.
//   2. Prompt attack: jailbreak, then indirect_attack, `detected` or `filtered` on either
//      side. Blocks whenever the policy is active, not only with requirePromptShields: a
//      sandbox that asked for any screening should not receive a reply to a prompt the
//      upstream itself identified as an attack.
//   3. Upstream filtering: a `filtered: true` on any harm category (prompt side first), a
//      `finish_reason: "content_filter"`, or a content_filter error. The upstream already
//      withheld or cut the content; blocking turns that into one clear error.
//   4. requirePromptShields with no jailbreak/indirect_attack annotation among the prompt
//      annotations. For a whole response, always; for a stream still in progress, only once
//      the prompt annotations arrived (they come together in one chunk), the rest is decided
//      by StreamSafetyState::finish.

#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "core/policy/inference_policy.h"
#include "router/errors/protocol_error.h"
#include "router/safety/content_filter_annotations.h"

namespace kars::router::safety {

// The HTTP status of a block: the request was understood and refused for its content.
inline constexpr int kBlockHttpStatus = 400;

enum class BlockKind {
    kNone,
    kSeverityAboveCeiling,
    kPromptAttack,
    kUpstreamFiltered,
    kMissingPromptShields,
};

// Whether the observations cover a whole response or only the chunks of a stream so far.
enum class Coverage { kWholeResponse, kPartialStream };

struct Verdict {
    bool blocked = false;
    BlockKind kind = BlockKind::kNone;
    std::optional<Category> category;  // the category that decided, when one did
    Side side = Side::kPrompt;         // where that category was observed
    std::optional<Severity> observed;  // for kSeverityAboveCeiling, and kUpstreamFiltered if known
    std::optional<Severity> allowed;   // the policy's ceiling for `category`, if it has one
    // The upstream filtered something (see rule 3). Reported even when the verdict allows,
    // e.g. for a sandbox without a contentSafety policy, so it can be logged and counted.
    bool upstream_filtered = false;
    std::string reason;  // one sentence for the agent's developer; empty when allowed
};

// Applies the rules above to `observed`.
Verdict evaluate(const policy::ContentSafety& policy, const Observations& observed,
                 Coverage coverage = Coverage::kWholeResponse);

// Accumulates the annotations of a streamed response chunk by chunk.
class StreamSafetyState {
public:
    explicit StreamSafetyState(policy::ContentSafety policy);

    // Adds one chunk's `data:` JSON and evaluates everything seen so far as a partial
    // stream. Once blocked, every later call returns the same verdict.
    const Verdict& observe_chunk(const boost::json::value& chunk);

    // The verdict for the complete stream: additionally blocks when requirePromptShields
    // is set and no chunk carried a Prompt Shields annotation.
    Verdict finish() const;

    // True once some chunk carried a jailbreak or indirect_attack prompt annotation.
    bool prompt_shields_seen() const { return observed_.prompt_shields_present; }

    // True while requirePromptShields is set and the prompt annotations have not arrived:
    // a caller that must not forward unscreened text holds chunks until this turns false.
    bool awaiting_prompt_annotations() const;

    const Observations& observations() const { return observed_; }

private:
    policy::ContentSafety policy_;
    Observations observed_;
    Verdict verdict_;
};

// The error body for a blocked response in the client's protocol; for OpenAI
// {"error":{"message":<reason>,"type":"content_policy_violation","code":"content_filter"}},
// for Anthropic an invalid_request_error with the same message. Send with kBlockHttpStatus,
// or as the data of an `event: error` frame mid-stream.
std::string block_error_body(const Verdict& verdict, Protocol protocol = Protocol::kOpenAI);

}  // namespace kars::router::safety
