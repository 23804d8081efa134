// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A Prometheus metric family whose label names are fixed, handing out the child for a set
// of label values from a cache. prometheus-cpp's Family::Add builds a std::map of labels,
// validates and hashes it on every call; on the request path that cost more than the
// increment it guards, several times per request.

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/histogram.h>

namespace kars::router::server {

template <typename Metric>
class MetricSeries {
public:
    MetricSeries(prometheus::Family<Metric>& family, std::vector<std::string> label_names)
        : family_(family), names_(std::move(label_names)) {}

    // Histograms need their buckets when a child is first made.
    MetricSeries(prometheus::Family<Metric>& family, std::vector<std::string> label_names,
                 prometheus::Histogram::BucketBoundaries buckets) requires
        std::is_same_v<Metric, prometheus::Histogram>
        : family_(family), names_(std::move(label_names)), buckets_(std::move(buckets)) {}

    // The child for these label values, in the order of the names given at construction.
    // Children live as long as the family, so the reference stays valid.
    Metric& at(std::initializer_list<std::string_view> values) {
        thread_local std::string key;
        key.clear();
        for (auto v : values) {
            // Length-prefixed, so no value (a client-chosen model name, say) can forge
            // another's key by holding a separator.
            const std::size_t n = v.size();
            key.append(reinterpret_cast<const char*>(&n), sizeof n);
            key.append(v);
        }
        std::lock_guard lock(mu_);
        if (auto it = children_.find(std::string_view(key)); it != children_.end()) {
            return *it->second;
        }
        prometheus::Labels labels;
        auto name = names_.begin();
        for (auto v : values) {
            if (name == names_.end()) break;
            labels.emplace(*name++, std::string(v));
        }
        Metric* child = nullptr;
        if constexpr (std::is_same_v<Metric, prometheus::Histogram>) {
            child = &family_.Add(labels, buckets_);
        } else {
            child = &family_.Add(labels);
        }
        children_.emplace(key, child);
        return *child;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    prometheus::Family<Metric>& family_;
    std::vector<std::string> names_;
    prometheus::Histogram::BucketBoundaries buckets_;
    std::mutex mu_;
    std::unordered_map<std::string, Metric*, Hash, std::equal_to<>> children_;
};

}  // namespace kars::router::server
