// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/yaml/parser_traps.h"

#include <gtest/gtest.h>

namespace kars::yaml {
namespace {

// These inputs make yaml-cpp 0.7 loop forever; the guard must stop them first.
TEST(YamlParserTraps, RejectsLineStartingWithCommaInBlockContext) {
    for (const char* text : {",e\n", ", ]\n", ",e}\n", "a: 1\n  ,x\n", "\xef\xbb\xbf\n,e",
                             "&A ,b\n\n+", "k: ,v\n", "- ,x\n", "!t ,x\n", "&AM,b\n\n+"}) {
        auto st = reject_parser_traps(text);
        EXPECT_FALSE(st.ok()) << text;
    }
    auto st = reject_parser_traps("a: 1\n,e\n");
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("line 2"), std::string::npos);
}

// Valid YAML where a line starts with ',' must still reach the parser.
TEST(YamlParserTraps, RejectsControlCharacters) {
    // "\0,\0" hangs yaml-cpp 0.7 (manifest fuzzer).
    for (std::string_view text : {std::string_view("\0,\0", 3), std::string_view("a: 1\nb: \x01\n"),
                                  std::string_view("k: v\x7f")}) {
        auto st = reject_parser_traps(text);
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, "invalid_yaml");
        EXPECT_NE(st.error().message.find("control character"), std::string::npos);
    }
    EXPECT_TRUE(reject_parser_traps("a:\tb\r\nc: d\n").ok());
}

TEST(YamlParserTraps, RejectsMalformedUtf8) {
    for (std::string_view text : {"k: \xc0\xc0\n", "k: \xe2\x82\n", "'\xa3'\n"}) {
        auto st = reject_parser_traps(text);
        ASSERT_FALSE(st.ok()) << text;
        EXPECT_NE(st.error().message.find("UTF-8"), std::string::npos);
    }
    EXPECT_TRUE(reject_parser_traps("name: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n").ok());
}

TEST(YamlParserTraps, RejectsCommaAfterQuotedScalarInBlockContext) {
    // Each of these hangs yaml-cpp 0.7 (manifest and governance profile fuzzers).
    for (std::string_view text : {"'a',b", "\"x\"&AM,b", "key: 'a', b\n", "- \"q\" ,x\n", "[Hab],",
                                  "k: {a: 1}, x\n", "p=:[# open\n", "k: 'open\n"}) {
        auto st = reject_parser_traps(text);
        ASSERT_FALSE(st.ok()) << text;
        EXPECT_EQ(st.error().code, "invalid_yaml");
    }
    // Still valid: a comma in a plain value after a quoted key, in a flow collection, in a
    // comment, inside the quotes.
    for (std::string_view text : {"\"a\": b, c\n", "k: ['a', 'b']\n", "k: 'a' # x, y\n",
                                  "k: 'a, b'\n", "{'a': 1, 'b': 2}\n"}) {
        EXPECT_TRUE(reject_parser_traps(text).ok()) << text;
    }
}

TEST(YamlParserTraps, AcceptsCommasInsideFlowQuotesAndBlockScalars) {
    for (const char* text : {
             "list: [a\n  , b]\n",
             "map: {a: 1\n  , b: 2}\n",
             "desc: |\n  ,hello\n  , world\nnext: 1\n",
             "desc: >-\n  ,folded\n",
             "q: \"a\n  ,b\"\n",
             "s: 'it''s\n  ,fine'\n",
             "# ,comment\nk: v # , trailing\n",
             "k: a]b\n",
         }) {
        EXPECT_TRUE(reject_parser_traps(text).ok()) << text;
    }
}

}  // namespace
}  // namespace kars::yaml
