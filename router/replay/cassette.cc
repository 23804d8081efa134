// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/replay/cassette.h"

#include <fstream>
#include <sstream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"

namespace kars::router::replay {

namespace {

namespace bj = boost::json;

Result<std::vector<std::string>> string_list(const bj::value& v, const char* key) {
    std::vector<std::string> out;
    const bj::value* f = json::find_field(v, key);
    if (f == nullptr) return out;
    if (f->is_string()) {
        out.emplace_back(f->get_string());
        return out;
    }
    if (!f->is_array()) return make_error("bad_cassette", std::string(key) + ": expected list");
    for (const auto& item : f->get_array()) {
        if (!item.is_string()) {
            return make_error("bad_cassette", std::string(key) + ": expected strings");
        }
        out.emplace_back(item.get_string());
    }
    return out;
}

Result<Exchange> parse_exchange(const bj::value& line) {
    Exchange ex;
    const bj::value* match = json::find_field(line, "match");
    const bj::value* response = json::find_field(line, "response");
    if (match == nullptr || !match->is_object() || response == nullptr || !response->is_object()) {
        return make_error("bad_cassette", "each line needs objects 'match' and 'response'");
    }
    ex.method = std::string(json::string_field(*match, "method").value_or(""));
    ex.path = std::string(json::string_field(*match, "path").value_or(""));
    ex.model = std::string(json::string_field(*match, "model").value_or(""));
    ex.stream = json::bool_field(*match, "stream");
    auto contains = string_list(*match, "body_contains");
    if (!contains.ok()) return contains.error();
    ex.body_contains = std::move(*contains);
    auto excludes = string_list(*match, "body_excludes");
    if (!excludes.ok()) return excludes.error();
    ex.body_excludes = std::move(*excludes);

    ex.status = static_cast<int>(json::int_field(*response, "status").value_or(200));
    if (ex.status < 100 || ex.status > 599) return make_error("bad_cassette", "bad status");
    ex.truncated = json::bool_field(*response, "truncated").value_or(false);
    if (const bj::value* h = json::find_field(*response, "headers"); h && h->is_object()) {
        for (const auto& [name, value] : h->get_object()) {
            if (!value.is_string()) return make_error("bad_cassette", "header values are strings");
            ex.headers.emplace_back(std::string(name), std::string(value.get_string()));
        }
    }
    if (const bj::value* events = json::find_field(*response, "events")) {
        if (!events->is_array()) return make_error("bad_cassette", "events: expected list");
        for (const auto& e : events->get_array()) {
            RecordedEvent ev;
            const bj::value* data = json::find_field(e, "data");
            if (data == nullptr) return make_error("bad_cassette", "event without data");
            ev.data = data->is_string() ? std::string(data->get_string()) : bj::serialize(*data);
            ev.event = std::string(json::string_field(e, "event").value_or(""));
            ev.delay = std::chrono::milliseconds(json::int_field(e, "delay_ms").value_or(0));
            ex.events.push_back(std::move(ev));
        }
    } else if (const bj::value* body = json::find_field(*response, "body")) {
        ex.body = body->is_string() ? std::string(body->get_string()) : bj::serialize(*body);
    }
    return ex;
}

}  // namespace

Result<Cassette> Cassette::parse(std::string_view jsonl, const std::string& source_name) {
    Cassette c;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < jsonl.size()) {
        std::size_t end = jsonl.find('\n', pos);
        if (end == std::string_view::npos) end = jsonl.size();
        std::string_view line = jsonl.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        auto where = source_name + ":" + std::to_string(line_no) + ": ";
        auto v = json::parse(line);
        if (!v.ok()) return make_error("bad_cassette", where + v.error().message);
        auto ex = parse_exchange(*v);
        if (!ex.ok()) return make_error("bad_cassette", where + ex.error().message);
        c.exchanges_.push_back(std::move(*ex));
    }
    return c;
}

Result<Cassette> Cassette::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return make_error("bad_cassette", "cannot read cassette " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

const Exchange* Cassette::match(std::string_view method, std::string_view path,
                                std::string_view model, bool stream, std::string_view body) const {
    for (const auto& ex : exchanges_) {
        if (!ex.method.empty() && ex.method != method) continue;
        if (!ex.path.empty() && ex.path != path) continue;
        if (!ex.model.empty() && ex.model != model) continue;
        if (ex.stream && *ex.stream != stream) continue;
        bool ok = true;
        for (const auto& needle : ex.body_contains)
            ok &= body.find(needle) != std::string_view::npos;
        for (const auto& needle : ex.body_excludes)
            ok &= body.find(needle) == std::string_view::npos;
        if (ok) return &ex;
    }
    return nullptr;
}

std::string to_line(const Exchange& ex) {
    bj::object match;
    if (!ex.method.empty()) match["method"] = ex.method;
    if (!ex.path.empty()) match["path"] = ex.path;
    if (!ex.model.empty()) match["model"] = ex.model;
    if (ex.stream) match["stream"] = *ex.stream;
    if (!ex.body_contains.empty()) {
        bj::array a;
        for (const auto& s : ex.body_contains) a.emplace_back(s);
        match["body_contains"] = std::move(a);
    }
    bj::object response;
    response["status"] = ex.status;
    bj::object headers;
    for (const auto& [n, v] : ex.headers) headers[n] = v;
    response["headers"] = std::move(headers);
    if (!ex.events.empty()) {
        bj::array events;
        for (const auto& e : ex.events) {
            bj::object o;
            if (!e.event.empty()) o["event"] = e.event;
            o["data"] = e.data;
            o["delay_ms"] = e.delay.count();
            events.emplace_back(std::move(o));
        }
        response["events"] = std::move(events);
    } else {
        auto parsed = json::parse(ex.body);
        if (parsed.ok()) {
            response["body"] = std::move(*parsed);
        } else {
            response["body"] = ex.body;
        }
    }
    bj::object line;
    line["match"] = std::move(match);
    line["response"] = std::move(response);
    return bj::serialize(line);
}

}  // namespace kars::router::replay
