#include "model/schema/reader.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "model/units/units.hpp"

namespace stacksim::schema {

std::string describe(const json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

namespace {
std::string fmt_range(double min, double max) {
    return fmt::format("expected a number between {:g} and {:g}", min, max);
}
std::string fmt_count(double max) { return fmt::format("{:g}", max); }
}  // namespace

ObjectReader::ObjectReader(const json& node, std::string pointer, Context& ctx, const char* what)
    : node_(node.is_object() ? &node : nullptr), pointer_(std::move(pointer)), ctx_(ctx) {
    if (!node_) ctx_.diag.error(ctx_.file, pointer_, std::string("expected ") + what + ", got " + describe(node));
}

void ObjectReader::error(const std::string& key, const std::string& message) {
    ctx_.diag.error(ctx_.file, key.empty() ? pointer_ : at(key), message);
}

void ObjectReader::warn(const std::string& key, const std::string& message) {
    ctx_.diag.warning(ctx_.file, key.empty() ? pointer_ : at(key), message);
}

bool ObjectReader::has(const std::string& key) {
    known_.insert(key);
    return node_ && node_->contains(key);
}

const json* ObjectReader::child(const std::string& key, Need need) {
    known_.insert(key);
    if (!node_) return nullptr;
    auto it = node_->find(key);
    if (it == node_->end()) {
        if (need == Need::required) error("", "missing required key \"" + key + "\"");
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> ObjectReader::string(const std::string& key, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        error(key, "expected a string, got " + describe(*v));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<std::string> ObjectReader::name(const std::string& key, Need need) {
    auto s = string(key, need);
    if (s && s->empty()) {
        error(key, "expected a non-empty name, got \"\"");
        return std::nullopt;
    }
    return s;
}

std::size_t ObjectReader::named_entries() {
    if (!node_) return 0;
    std::size_t n = 0;
    for (const auto& [key, _] : node_->items()) {
        if (is_annotation(key)) continue;
        if (key.empty()) {
            known_.insert(key);
            ctx_.diag.error(ctx_.file, at(key), "an empty name (\"\") is not allowed here");
            continue;
        }
        ++n;
    }
    return n;
}

std::optional<std::string> ObjectReader::one_of(const std::string& key, const std::vector<std::string>& choices,
                                                Need need) {
    auto s = string(key, need);
    if (!s) return std::nullopt;
    for (const auto& c : choices)
        if (c == *s) return s;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    error(key, "expected one of " + list + ", got \"" + *s + "\"" + suggestion(*s, choices));
    return std::nullopt;
}

std::optional<bool> ObjectReader::boolean(const std::string& key, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        error(key, "expected true or false, got " + describe(*v));
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<long long> ObjectReader::integer(const std::string& key, long long min, long long max, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    const std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
    bool ok = v->is_number_integer();
    long long value = 0;
    if (v->is_number_unsigned()) {
        ok = v->get<unsigned long long>() <= static_cast<unsigned long long>(max);
        value = ok ? static_cast<long long>(v->get<unsigned long long>()) : max;
    } else if (ok) {
        value = v->get<long long>();
    } else if (v->is_number_float()) {  // 3.0 is fine, 3.5 is not
        const double d = v->get<double>();
        ok = std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(min) && d <= static_cast<double>(max);
        value = ok ? static_cast<long long>(d) : 0;
    }
    if (!ok || value < min || value > max) {
        error(key, "expected an integer" + range + ", got " + describe(*v));
        return std::nullopt;
    }
    return value;
}

std::optional<double> ObjectReader::number(const std::string& key, double min, double max, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < min || v->get<double>() > max) {
        error(key, fmt_range(min, max) + ", got " + describe(*v));
        return std::nullopt;
    }
    return v->get<double>();
}

namespace {
template <class Parse>
std::optional<double> unit_value(ObjectReader& r, const std::string& key, Need need, Parse parse) {
    const json* v = r.child(key, need);
    if (!v) return std::nullopt;
    // A bare 0 is zero in every unit (`--set warmup=0`); other bare numbers are rejected on
    // purpose: "timeout": 30 could mean ms or s.
    if (v->is_number() && v->get<double>() == 0) return 0.0;
    if (!v->is_string()) {
        const auto p = parse("");
        r.error(key, "expected " + p.expected() + ", got " + describe(*v));
        return std::nullopt;
    }
    const auto p = parse(v->get<std::string>());
    if (!p.ok()) {
        r.error(key, "expected " + p.expected() + ", got " + describe(*v));
        return std::nullopt;
    }
    return p.value();
}
}  // namespace

std::optional<double> ObjectReader::duration(const std::string& key, Need need, double max_s) {
    max_s = std::min(max_s, kMaxDuration_s);
    auto d = unit_value(*this, key, need, units::parse_duration_s);
    if (d && *d > max_s) {
        error(key, "duration " + units::format_duration(*d) + " is longer than the maximum " +
                       units::format_duration(max_s));
        return std::nullopt;
    }
    return d;
}
std::optional<double> ObjectReader::size(const std::string& key, Need need) {
    return unit_value(*this, key, need, units::parse_size_bytes);
}
std::optional<double> ObjectReader::bandwidth(const std::string& key, Need need) {
    auto b = unit_value(*this, key, need, units::parse_bandwidth_bps);
    if (b && *b <= 0) {
        error(key, "bandwidth must be positive");
        return std::nullopt;
    }
    return b;
}
std::optional<double> ObjectReader::rate(const std::string& key, Need need) {
    auto r = unit_value(*this, key, need, units::parse_rate_per_s);
    if (r && *r > 1e9) {
        error(key, "rate above 1G/s is beyond what stacksim models");
        return std::nullopt;
    }
    return r;
}
std::optional<double> ObjectReader::price(const std::string& key, Need need) {
    return unit_value(*this, key, need, units::parse_price_per_h);
}

std::optional<double> ObjectReader::fraction(const std::string& key, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    if (v->is_number()) {
        const double d = v->get<double>();
        if (std::isfinite(d) && d >= 0 && d <= 1) return d;
    } else if (v->is_string()) {
        const auto p = units::parse_fraction(v->get<std::string>());
        if (p.ok()) return p.value();
    }
    error(key, "expected a percentage such as \"99.9%\" or a number between 0 and 1, got " + describe(*v));
    return std::nullopt;
}

std::optional<double> ObjectReader::count(const std::string& key, double max, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    std::optional<double> c;
    if (v->is_number()) c = v->get<double>();
    else if (v->is_string()) {
        const auto p = units::parse_count(v->get<std::string>());
        if (p.ok()) c = p.value();
    }
    if (!c || !std::isfinite(*c) || *c < 1 || *c > max || *c != std::floor(*c)) {
        error(key, "expected a whole count between 1 and " + fmt_count(max) + " (such as 42, \"250k\" or \"1M\"), got " +
                       describe(*v));
        return std::nullopt;
    }
    return c;
}

std::optional<Distribution> ObjectReader::distribution(const std::string& key, Need need) {
    const json* v = child(key, need);
    if (!v) return std::nullopt;
    return read_distribution(*v, at(key), ctx_);
}

void ObjectReader::finish() {
    if (!node_) return;
    const std::vector<std::string> known(known_.begin(), known_.end());
    for (const auto& [key, _] : node_->items()) {
        if (known_.count(key) || is_annotation(key)) continue;
        ctx_.diag.error(ctx_.file, at(key), "unknown key \"" + key + "\"" + suggestion(key, known));
    }
}

std::optional<Distribution> read_distribution(const json& node, const std::string& pointer, Context& ctx) {
    static const char* kExpected =
        "a duration such as \"2ms\" (exponential with that mean) or an object such as "
        "{\"dist\": \"lognormal\", \"mean\": \"2ms\", \"cv\": 0.5}";
    if (node.is_number() && node.get<double>() == 0) return Distribution::fixed(0.0);  // as "0s"
    if (node.is_string()) {
        const auto p = units::parse_duration_s(node.get<std::string>());
        if (!p.ok()) {
            ctx.diag.error(ctx.file, pointer, "expected " + std::string(kExpected) + ", got " + describe(node));
            return std::nullopt;
        }
        if (p.value() > kMaxDuration_s) {
            ctx.diag.error(ctx.file, pointer, "duration " + units::format_duration(p.value()) +
                                                  " is longer than the maximum " + units::format_duration(kMaxDuration_s));
            return std::nullopt;
        }
        return Distribution::exponential(p.value());
    }
    if (!node.is_object()) {
        ctx.diag.error(ctx.file, pointer, "expected " + std::string(kExpected) + ", got " + describe(node));
        return std::nullopt;
    }
    ObjectReader r(node, pointer, ctx);
    const auto kind = r.one_of("dist", {"exponential", "deterministic", "lognormal", "gamma", "empirical"}, Need::required);
    Distribution d;
    bool ok = kind.has_value();
    if (!kind)  // the "dist" error says it all; its other keys are not "unknown"
        for (const char* k : {"mean", "cv", "values", "weights"}) r.has(k);
    if (kind == "empirical") {
        d.kind = Distribution::Kind::empirical;
        const json* values = r.child("values", Need::required);
        const json* weights = r.child("weights");
        if (values && (!values->is_array() || values->empty() || values->size() > 100000)) {
            r.error("values", "expected a non-empty array of durations");
            ok = false;
        } else if (values) {
            for (std::size_t i = 0; i < values->size(); ++i) {
                const auto& v = (*values)[i];
                const auto p = v.is_string() ? units::parse_duration_s(v.get<std::string>())
                                             : units::Parsed<double>(units::ParseError{"a duration such as \"3ms\""});
                if (!p.ok() || p.value() > kMaxDuration_s) {
                    ctx.diag.error(ctx.file, pointer_join(r.at("values"), i),
                                   "expected " + (p.ok() ? std::string("a duration up to a year") : p.expected()) +
                                       ", got " + describe(v));
                    ok = false;
                } else {
                    d.values_s.push_back(p.value());
                }
            }
            if (weights) {
                if (!weights->is_array() || weights->size() != values->size()) {
                    r.error("weights", "expected an array of " + std::to_string(values->size()) +
                                           " non-negative numbers, one per value");
                    ok = false;
                } else {
                    for (std::size_t i = 0; i < weights->size(); ++i) {
                        const auto& w = (*weights)[i];
                        if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0) {
                            ctx.diag.error(ctx.file, pointer_join(r.at("weights"), i),
                                           "expected a non-negative number, got " + describe(w));
                            ok = false;
                        } else {
                            d.weights.push_back(w.get<double>());
                        }
                    }
                }
            }
        }
        if (ok) {
            if (d.weights.empty()) d.weights.assign(d.values_s.size(), 1.0);
            double total = 0;
            for (double w : d.weights) total += w;
            if (!(total > 0)) {
                r.error("weights", "weights must not all be zero");
                ok = false;
            } else {
                d.mean_s = 0;
                for (std::size_t i = 0; i < d.weights.size(); ++i) {
                    d.weights[i] /= total;
                    d.mean_s += d.weights[i] * d.values_s[i];
                }
            }
        }
    } else if (kind) {
        const auto mean = r.duration("mean", Need::required);
        ok = ok && mean.has_value();
        if (mean) d.mean_s = *mean;
        if (kind == "exponential") d = Distribution::exponential(d.mean_s);
        else if (kind == "deterministic") d = Distribution::fixed(d.mean_s);
        else {
            d.kind = *kind == "lognormal" ? Distribution::Kind::lognormal : Distribution::Kind::gamma;
            const auto cv = r.number("cv", 0.0, 100.0, Need::required);
            ok = ok && cv.has_value();
            if (cv) d.cv = *cv;
            if (cv && *cv == 0) {
                r.error("cv", "cv must be positive; use \"dist\": \"deterministic\" for a fixed time");
                ok = false;
            }
        }
    }
    r.finish();
    if (!ok) return std::nullopt;
    return d;
}

}  // namespace stacksim::schema
