// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/json/canonical.h"

#include <bit>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace kars::json {
namespace {

std::string canon(std::string_view json_text) {
    auto r = canonicalize(boost::json::parse(json_text));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::string();
}

std::string es(std::uint64_t bits) {
    auto r = format_es_number(std::bit_cast<double>(bits));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::string("<error>");
}

// RFC 8785 section 3.2.2 (sample input and its canonical output).
TEST(CanonicalJson, MatchesRfc8785SampleOutput) {
    const char* input = R"({
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
        "literals": [null, true, false]
    })";
    // Boost.JSON 1.81 parses 333333333.33333329 one ulp low (its fast, imprecise double
    // parser), so the test sets that number from a C++ literal, which the compiler rounds
    // correctly; the canonicaliser is exact for the double it is given.
    boost::json::value v = boost::json::parse(input);
    v.as_object()["numbers"].as_array()[0] = 333333333.33333329;
    auto out = canonicalize(v);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(*out,
              "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,"
              "1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

// Names below U+E000 sort the same by bytes and by UTF-16; one name at or above it (here
// U+E000 itself against U+1F600) must switch the whole object to UTF-16 order.
TEST(CanonicalJson, ByteOrderShortcutMatchesUtf16Order) {
    EXPECT_EQ(canon(R"({"z": 1, "\u00e9": 2, "a": 3, "\u07ff": 4, "Z": 5})"),
              "{\"Z\":5,\"a\":3,\"z\":1,\"\xc3\xa9\":2,\"\xdf\xbf\":4}");
    EXPECT_EQ(canon(R"({"\ue000": 1, "\ud83d\ude00": 2, "a": 3})"),
              "{\"a\":3,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}");
}

// RFC 8785 section 3.2.3: names sort by UTF-16 code units, so U+1F600 (a surrogate pair,
// 0xD83D...) sorts before U+FB33 even though its UTF-8 bytes are larger.
TEST(CanonicalJson, SortsMemberNamesByUtf16CodeUnits) {
    const char* input = R"({
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis"
    })";
    EXPECT_EQ(canon(input),
              "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
              "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro "
              "Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew "
              "Letter Dalet With Dagesh\"}");
}

TEST(CanonicalJson, SortsNestedObjectsAndKeepsArrayOrder) {
    EXPECT_EQ(canon(R"({"b":[3,1,{"z":1,"a":2}],"a":{"y":null,"x":true}})"),
              R"({"a":{"x":true,"y":null},"b":[3,1,{"a":2,"z":1}]})");
}

TEST(CanonicalJson, EscapesOnlyMandatoryCharacters) {
    boost::json::value v =
        boost::json::string_view("\x01\x08\t\n\x0b\x0c\r\x1f\x7f\"\\/\xc3\xa9", 14);
    auto r = canonicalize(v);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "\"\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\x7f\\\"\\\\/\xc3\xa9\"");
}

TEST(CanonicalJson, RejectsInvalidUtf8InStringsAndNames) {
    EXPECT_FALSE(canonicalize(boost::json::value("\xff")).ok());
    EXPECT_FALSE(canonicalize(boost::json::value("\xc0\xaf")).ok());      // overlong '/'
    EXPECT_FALSE(canonicalize(boost::json::value("\xed\xa0\x80")).ok());  // surrogate
    boost::json::object o;
    o["\xe2\x82"] = 1;  // truncated sequence
    EXPECT_FALSE(canonicalize(o).ok());
}

TEST(CanonicalJson, PrintsIntegersPlainly) {
    EXPECT_EQ(canon(R"([0,-1,42,9223372036854775807,18446744073709551615])"),
              "[0,-1,42,9223372036854775807,18446744073709551615]");
}

// RFC 8785 appendix B: IEEE 754 bit patterns and their ECMAScript spelling.
TEST(CanonicalJson, FormatsNumbersLikeEcmaScript) {
    EXPECT_EQ(es(0x0000000000000000), "0");
    EXPECT_EQ(es(0x8000000000000000), "0");
    EXPECT_EQ(es(0x0000000000000001), "5e-324");
    EXPECT_EQ(es(0x8000000000000001), "-5e-324");
    EXPECT_EQ(es(0x7fefffffffffffff), "1.7976931348623157e+308");
    EXPECT_EQ(es(0xffefffffffffffff), "-1.7976931348623157e+308");
    EXPECT_EQ(es(0x4340000000000000), "9007199254740992");
    EXPECT_EQ(es(0xc340000000000000), "-9007199254740992");
    EXPECT_EQ(es(0x4430000000000000), "295147905179352830000");
    EXPECT_EQ(es(0x44b52d02c7e14af5), "9.999999999999997e+22");
    EXPECT_EQ(es(0x44b52d02c7e14af6), "1e+23");
    EXPECT_EQ(es(0x44b52d02c7e14af7), "1.0000000000000001e+23");
    EXPECT_EQ(es(0x444b1ae4d6e2ef4e), "999999999999999700000");
    EXPECT_EQ(es(0x444b1ae4d6e2ef4f), "999999999999999900000");
    EXPECT_EQ(es(0x444b1ae4d6e2ef50), "1e+21");
    EXPECT_EQ(es(0x3eb0c6f7a0b5ed8c), "9.999999999999997e-7");
    EXPECT_EQ(es(0x3eb0c6f7a0b5ed8d), "0.000001");
    EXPECT_EQ(es(0x41b3de4355555553), "333333333.3333332");
    EXPECT_EQ(es(0x41b3de4355555554), "333333333.33333325");
    EXPECT_EQ(es(0x41b3de4355555555), "333333333.3333333");
    EXPECT_EQ(es(0x41b3de4355555556), "333333333.3333334");
    EXPECT_EQ(es(0x41b3de4355555557), "333333333.33333343");
    EXPECT_EQ(es(0xbecbf647612f3696), "-0.0000033333333333333333");
    EXPECT_EQ(es(0x43143ff3c1cb0959), "1424953923781206.2");
}

TEST(CanonicalJson, UsesDecimalFormBetweenExponentThresholds) {
    EXPECT_EQ(*format_es_number(1.5), "1.5");
    EXPECT_EQ(*format_es_number(-0.25), "-0.25");
    EXPECT_EQ(*format_es_number(1e20), "100000000000000000000");
    EXPECT_EQ(*format_es_number(1e-6), "0.000001");
    EXPECT_EQ(*format_es_number(1e-7), "1e-7");
    EXPECT_EQ(*format_es_number(123e-20), "1.23e-18");
}

TEST(CanonicalJson, RejectsNanAndInfinity) {
    auto nan = format_es_number(std::numeric_limits<double>::quiet_NaN());
    ASSERT_FALSE(nan.ok());
    EXPECT_EQ(nan.error().code, "invalid_json_value");
    EXPECT_FALSE(format_es_number(std::numeric_limits<double>::infinity()).ok());
    EXPECT_FALSE(format_es_number(-std::numeric_limits<double>::infinity()).ok());
    EXPECT_FALSE(canonicalize(boost::json::array{1, std::numeric_limits<double>::infinity()}).ok());
}

TEST(CanonicalJson, IsIdempotent) {
    const std::string once = canon(R"({"b":1.0,"a":"x\u0000","c":[1e2,{"\u00e9":2,"e":1}]})");
    EXPECT_EQ(canon(once), once);
}

}  // namespace
}  // namespace kars::json
