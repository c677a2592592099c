#include <gtest/gtest.h>

#include "model/units/units.hpp"

using namespace stacksim::units;

TEST(Units, Durations) {
    EXPECT_DOUBLE_EQ(parse_duration_s("250ms").value(), 0.25);
    EXPECT_DOUBLE_EQ(parse_duration_s("1.5s").value(), 1.5);
    EXPECT_DOUBLE_EQ(parse_duration_s("5min").value(), 300);
    EXPECT_DOUBLE_EQ(parse_duration_s("2h").value(), 7200);
    EXPECT_DOUBLE_EQ(parse_duration_s("30d").value(), 30 * 86400.0);
    EXPECT_DOUBLE_EQ(parse_duration_s("100us").value(), 1e-4);
    EXPECT_DOUBLE_EQ(parse_duration_s("100µs").value(), 1e-4);
    EXPECT_DOUBLE_EQ(parse_duration_s(" 1e3ms ").value(), 1.0);
    EXPECT_DOUBLE_EQ(parse_duration_s("0").value(), 0.0);
}

TEST(Units, BadDurationsAreErrors) {
    for (const char* bad : {"250", "250 parsecs", "ms", "", "-5ms", "NaN ms", "nan", "infs", "1e999s", "5m", "0x10s", "1..2s"})
        EXPECT_FALSE(parse_duration_s(bad).ok()) << bad;
    EXPECT_NE(parse_duration_s("250").expected().find("250ms"), std::string::npos);
}

TEST(Units, Sizes) {
    EXPECT_DOUBLE_EQ(parse_size_bytes("2GiB").value(), 2.0 * 1073741824);
    EXPECT_DOUBLE_EQ(parse_size_bytes("16KiB").value(), 16384);
    EXPECT_DOUBLE_EQ(parse_size_bytes("1.5MB").value(), 1.5e6);
    EXPECT_DOUBLE_EQ(parse_size_bytes("512B").value(), 512);
    EXPECT_FALSE(parse_size_bytes("2Gb").ok());
    EXPECT_FALSE(parse_size_bytes("2 gigs").ok());
}

TEST(Units, Bandwidth) {
    EXPECT_DOUBLE_EQ(parse_bandwidth_bps("10Gbps").value(), 1e10);
    EXPECT_DOUBLE_EQ(parse_bandwidth_bps("100Mbps").value(), 1e8);
    EXPECT_DOUBLE_EQ(parse_bandwidth_bps("1GB/s").value(), 8e9);
    EXPECT_FALSE(parse_bandwidth_bps("10GiB").ok());
}

TEST(Units, Rates) {
    EXPECT_NEAR(parse_rate_per_s("1M/min").value(), 16666.6667, 1e-3);
    EXPECT_DOUBLE_EQ(parse_rate_per_s("16667rps").value(), 16667);
    EXPECT_DOUBLE_EQ(parse_rate_per_s("250/s").value(), 250);
    EXPECT_DOUBLE_EQ(parse_rate_per_s("3.6k/h").value(), 1);
    EXPECT_DOUBLE_EQ(parse_rate_per_s("60rpm").value(), 1);
    EXPECT_DOUBLE_EQ(parse_rate_per_s("2krps").value(), 2000);
    for (const char* bad : {"1M", "1M/fortnight", "-5rps", "rps", "5 requests"})
        EXPECT_FALSE(parse_rate_per_s(bad).ok()) << bad;
}

TEST(Units, PricesFractionsCounts) {
    EXPECT_DOUBLE_EQ(parse_price_per_h("$0.192/h").value(), 0.192);
    EXPECT_DOUBLE_EQ(parse_price_per_h("$730/month").value(), 1.0);
    EXPECT_FALSE(parse_price_per_h("0.192").ok());
    EXPECT_FALSE(parse_price_per_h("$-1/h").ok());
    EXPECT_NEAR(parse_fraction("99.9%").value(), 0.999, 1e-12);
    EXPECT_FALSE(parse_fraction("101%").ok());
    EXPECT_FALSE(parse_fraction("0.5").ok());
    EXPECT_DOUBLE_EQ(parse_count("1M").value(), 1e6);
    EXPECT_DOUBLE_EQ(parse_count("250k").value(), 250e3);
    EXPECT_DOUBLE_EQ(parse_count("42").value(), 42);
    EXPECT_FALSE(parse_count("1Mi").ok());
}

TEST(Units, Formatting) {
    EXPECT_EQ(format_duration(0.25), "250ms");
    EXPECT_EQ(format_duration(1.5), "1.5s");
    EXPECT_EQ(format_rate(16666.67), "16.7k/s");
    EXPECT_EQ(format_bytes(2.0 * 1073741824), "2GiB");
}
