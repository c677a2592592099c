#include "model/report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "model/report/html.hpp"
#include "model/units/units.hpp"

namespace stacksim::report {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Layout of a chart, in SVG user units (the SVG scales to the page width).
constexpr double kLeft = 70, kRight = 18, kTitleH = 20, kLegendRowH = 16, kBottom = 42;
constexpr double kCharW = 6.2;  // approximate width of one legend character at 11px

std::string num(double v) {
    std::string s = fmt::format("{:.1f}", v);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s == "-0" ? "0" : s;
}

// Snaps k * step so that 0.30000000000000004 prints as 0.3.
double snap(double v, double step) {
    const double r = std::round(v / step) * step;
    return std::abs(r) < step * 1e-9 ? 0.0 : r;
}

struct Range {
    double lo = kInf, hi = -kInf;
    void add(double v) {
        if (!std::isfinite(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    [[nodiscard]] bool empty() const { return lo > hi; }
};

struct Axis {
    double lo = 0, hi = 1;
    bool log = false;
    std::vector<double> ticks;
    // position in [0, 1]
    [[nodiscard]] double frac(double v) const {
        if (log) return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
        return (v - lo) / (hi - lo);
    }
};

std::string dash(bool dashed) { return dashed ? R"( stroke-dasharray="6 4")" : ""; }

std::string band_fill(const std::string& css_class) {
    if (css_class == "band-warmup") return R"(fill="#9aa0a6" fill-opacity="0.14")";
    if (css_class == "band-alert") return R"(fill="#f28e2b" fill-opacity="0.22")";
    return R"(fill="#e15759" fill-opacity="0.15")";
}

struct Stats {
    double min = kInf, max = -kInf, sum = 0;
    std::size_t n = 0;
};

Stats stats_of(const std::vector<double>& ys) {
    Stats s;
    for (double y : ys)
        if (std::isfinite(y)) s.min = std::min(s.min, y), s.max = std::max(s.max, y), s.sum += y, ++s.n;
    return s;
}

}  // namespace

std::string format_value(double v, Unit unit) {
    if (!std::isfinite(v)) return "n/a";
    switch (unit) {
        case Unit::seconds: return v < 0 ? fmt::format("-{}", units::format_duration(-v)) : units::format_duration(v);
        case Unit::rate: return units::format_rate(v);
        case Unit::fraction: {
            const double p = 100 * v;
            if (p == 0) return "0%";
            if (std::abs(p) < 0.01) return fmt::format("{:.2g}%", p);
            return fmt::format("{:.4g}%", p);
        }
        case Unit::usd:
            if (std::abs(v) >= 1000) return fmt::format("${:.0f}", v);
            if (std::abs(v) >= 0.01) return fmt::format("${:.2f}", v);
            return v == 0 ? "$0" : fmt::format("${:.3g}", v);
        case Unit::plain: break;
    }
    return fmt::format("{:.4g}", v);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (hi < lo) std::swap(lo, hi);
    if (hi == lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
    const double raw = (hi - lo) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    std::vector<double> ticks;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    for (double k = first; k <= last + 1e-9; k += 1) ticks.push_back(snap(k * step, step));
    return ticks;
}

std::vector<double> time_ticks(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (hi - lo < 2) return nice_ticks(lo, hi, target);
    static constexpr std::array<double, 22> kSteps{1,    2,    5,    10,    15,    30,    60,    120,    300,    600,    900,
                                                   1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000};
    double step = kSteps.back();
    for (double s : kSteps)
        if ((hi - lo) / s <= target) {
            step = s;
            break;
        }
    std::vector<double> ticks;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    for (double k = first; k <= last + 1e-9; k += 1) ticks.push_back(k * step);
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
    if (!(lo > 0) || !std::isfinite(hi) || hi < lo) return {};
    const int a = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    const int b = std::max(a + 1, static_cast<int>(std::ceil(std::log10(hi) - 1e-9)));
    std::vector<double> ticks;
    for (int e = a; e <= b; ++e) {
        const double p = std::pow(10.0, e);
        ticks.push_back(p);
        if (b - a <= 2 && e < b) ticks.insert(ticks.end(), {2 * p, 5 * p});
    }
    return ticks;
}

std::vector<Point> downsample_min_max(const std::vector<double>& xs, const std::vector<double>& ys, std::size_t buckets) {
    const std::size_t n = std::min(xs.size(), ys.size());
    std::vector<Point> out;
    if (n == 0) return out;
    if (buckets == 0 || n <= 2 * buckets) {
        for (std::size_t i = 0; i < n; ++i)
            if (std::isfinite(xs[i]) && std::isfinite(ys[i])) out.push_back({xs[i], ys[i]});
        return out;
    }
    const double x0 = xs.front(), x1 = xs[n - 1];
    const double width = (x1 - x0) / static_cast<double>(buckets);
    std::size_t i = 0;
    for (std::size_t b = 0; b < buckets && i < n; ++b) {
        const double end = b + 1 == buckets ? kInf : x0 + width * static_cast<double>(b + 1);
        std::size_t lo_i = n, hi_i = n;
        for (; i < n && (xs[i] < end || b + 1 == buckets); ++i) {
            if (!std::isfinite(ys[i]) || !std::isfinite(xs[i])) continue;
            if (lo_i == n || ys[i] < ys[lo_i]) lo_i = i;
            if (hi_i == n || ys[i] > ys[hi_i]) hi_i = i;
        }
        if (lo_i == n) continue;
        const std::size_t first = std::min(lo_i, hi_i), second = std::max(lo_i, hi_i);
        out.push_back({xs[first], ys[first]});
        if (second != first) out.push_back({xs[second], ys[second]});
    }
    return out;
}

const std::string& palette_colour(int index) {
    static const std::array<std::string, 10> kPalette{"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                                      "#edc948", "#9c755f", "#ff9da7", "#bab0ac", "#e15759"};
    const auto n = static_cast<int>(kPalette.size());
    return kPalette[static_cast<std::size_t>(((index % n) + n) % n)];
}

std::string render_svg(const Chart& c) {
    const double width = c.width, plot_w = width - kLeft - kRight;
    // Legend rows: entries flow left to right and wrap.
    struct LegendItem {
        double x, y;
        const Series* s;
    };
    std::vector<LegendItem> legend;
    double lx = kLeft, ly = kTitleH + 12;
    int rows = std::none_of(c.series.begin(), c.series.end(), [](const Series& s) { return s.in_legend; }) ? 0 : 1;
    for (const auto& s : c.series) {
        if (!s.in_legend) continue;
        const double w = 30 + kCharW * static_cast<double>(s.name.size()) + 14;
        if (lx + w > width - kRight && lx > kLeft) {
            lx = kLeft;
            ly += kLegendRowH;
            ++rows;
        }
        legend.push_back({lx, ly, &s});
        lx += w;
    }
    const double top = kTitleH + 10 + kLegendRowH * rows + 8;
    const double height = c.height + kLegendRowH * std::max(0, rows - 1);
    const double plot_h = height - top - kBottom;

    // Ranges.
    Range xr, yr;
    for (const auto& s : c.series) {
        for (double x : s.x) xr.add(x);
        for (double y : s.y)
            if (!c.log_y || y > 0) yr.add(y);
    }
    if (c.time_x && !xr.empty()) xr.add(std::min(0.0, xr.lo));
    for (const auto& h : c.hlines) yr.add(h.y);
    if (c.y_max_hint > 0) yr.add(c.y_max_hint);
    if (xr.empty()) xr = {0, 1};
    if (xr.hi == xr.lo) xr.hi = xr.lo + 1;
    Axis xa, ya;
    xa.ticks = c.time_x ? time_ticks(xr.lo, xr.hi) : nice_ticks(xr.lo, xr.hi, 6);
    xa.lo = std::min(xr.lo, xa.ticks.front());
    xa.hi = std::max(xr.hi, xa.ticks.back());
    if (c.log_y && !yr.empty() && yr.lo > 0) {
        ya.log = true;
        ya.ticks = log_ticks(yr.lo, yr.hi);
        // Keep only ticks within a decade-aligned range around the data.
        ya.lo = std::pow(10.0, std::floor(std::log10(yr.lo) + 1e-9));
        ya.hi = std::pow(10.0, std::ceil(std::log10(yr.hi) - 1e-9));
        if (ya.hi <= ya.lo) ya.hi = ya.lo * 10;
        std::erase_if(ya.ticks, [&](double t) { return t < ya.lo * 0.999 || t > ya.hi * 1.001; });
    } else {
        if (yr.empty()) yr = {0, 1};
        if (c.y_from_zero) yr.lo = std::min(0.0, yr.lo);
        if (yr.hi == yr.lo) yr.hi = yr.lo + (yr.lo == 0 ? 1 : std::abs(yr.lo) * 0.1);
        ya.ticks = nice_ticks(yr.lo, yr.hi, 5);
        ya.lo = ya.ticks.front();
        ya.hi = ya.ticks.back();
    }
    auto px = [&](double x) { return kLeft + std::clamp(xa.frac(x), 0.0, 1.0) * plot_w; };
    auto py = [&](double y) { return top + plot_h - std::clamp(ya.frac(y), 0.0, 1.0) * plot_h; };
    auto drawable = [&](double y) { return std::isfinite(y) && (!ya.log || y > 0); };

    std::string o;
    o += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11">)",
                     num(width), num(height), num(width), num(height), html_escape(c.title));
    o += "\n";
    o += fmt::format(R"(<text x="{}" y="15" font-size="13" font-weight="600" fill="#202124">{}</text>)", num(kLeft - 60), html_escape(c.title));
    o += "\n";
    if (!c.y_label.empty())
        o += fmt::format(R"(<text x="{}" y="{}" fill="#5f6368" text-anchor="end">{}</text>)", num(width - kRight), 15, html_escape(c.y_label)) + "\n";
    // Legend.
    for (const auto& li : legend) {
        const auto& colour = palette_colour(li.s->colour);
        o += fmt::format(R"(<g class="legend-item"><title>{}</title>)", html_escape(li.s->name));
        if (li.s->style == Style::points)
            o += fmt::format(R"(<circle cx="{}" cy="{}" r="4" fill="{}"/>)", num(li.x + 12), num(li.y - 4), colour);
        else
            o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"{}/>)", num(li.x), num(li.y - 4),
                             num(li.x + 24), num(li.y - 4), colour, dash(li.s->dashed));
        o += fmt::format(R"(<text x="{}" y="{}" fill="#3c4043">{}</text></g>)", num(li.x + 30), num(li.y), html_escape(li.s->name));
        o += "\n";
    }
    // Bands under everything else.
    for (const auto& b : c.bands) {
        const double x0 = px(std::max(b.x0, xa.lo)), x1 = px(std::min(b.x1, xa.hi));
        if (!(x1 > x0) && !(b.x1 >= b.x0 && x1 == x0 && b.x0 >= xa.lo && b.x0 <= xa.hi)) continue;
        o += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="{}" height="{}" {}><title>{}</title></rect>)", html_escape(b.css_class),
                         num(x0), num(top), num(std::max(1.0, x1 - x0)), num(plot_h), band_fill(b.css_class), html_escape(b.label));
        o += "\n";
        if (x1 - x0 > kCharW * static_cast<double>(std::min<std::size_t>(b.label.size(), 40)) + 6 && b.css_class != "band-alert")
            o += fmt::format(R"(<text x="{}" y="{}" fill="#5f6368" font-size="10">{}</text>)", num(x0 + 3), num(top + 11),
                             html_escape(b.label)) + "\n";
    }
    // Grid and axes.
    o += R"(<g class="grid" stroke="#e0e3e7" stroke-width="1">)";
    for (double t : ya.ticks) o += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft), num(py(t)), num(kLeft + plot_w), num(py(t)));
    o += "</g>\n";
    o += R"(<g class="axis" fill="#5f6368">)";
    for (double t : ya.ticks)
        o += fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{}</text>)", num(kLeft - 6), num(py(t) + 4), html_escape(format_value(t, c.y_unit)));
    for (double t : xa.ticks) {
        if (t < xa.lo - 1e-9 || t > xa.hi + 1e-9) continue;
        o += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#9aa0a6"/>)", num(px(t)), num(top + plot_h), num(top + plot_h + 4));
        o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(px(t)), num(top + plot_h + 16),
                         html_escape(format_value(t, c.x_unit)));
    }
    if (!c.x_label.empty())
        o += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(kLeft + plot_w / 2), num(top + plot_h + 34), html_escape(c.x_label));
    o += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#9aa0a6"/>)", num(kLeft), num(top + plot_h), num(kLeft + plot_w));
    o += "</g>\n";
    // Horizontal references.
    for (std::size_t i = 0; i < c.hlines.size(); ++i) {
        const auto& h = c.hlines[i];
        if (!drawable(h.y)) continue;
        // Labels alternate right and left so that close thresholds stay readable.
        const bool right = i % 2 == 0;
        o += fmt::format(R"(<g class="hline"><title>{0}</title><line x1="{1}" y1="{2}" x2="{3}" y2="{2}" stroke="#c5221f" stroke-width="1.2" stroke-dasharray="3 3"/><text x="{4}" y="{5}" text-anchor="{6}" fill="#c5221f" font-size="10">{0}</text></g>)",
                         html_escape(h.label), num(kLeft), num(py(h.y)), num(kLeft + plot_w), num(right ? kLeft + plot_w - 4 : kLeft + 4),
                         num(py(h.y) - 3), right ? "end" : "start");
        o += "\n";
    }
    // Series.
    const auto buckets = static_cast<std::size_t>(std::max(1.0, plot_w));
    for (const auto& s : c.series) {
        const auto& colour = palette_colour(s.colour);
        const Stats st = stats_of(s.y);
        const std::string tip = st.n == 0 ? s.name + ": no data"
                                          : fmt::format("{}: min {}, mean {}, max {}", s.name, format_value(st.min, c.y_unit),
                                                        format_value(st.sum / static_cast<double>(st.n), c.y_unit), format_value(st.max, c.y_unit));
        if (s.style == Style::points) {
            o += fmt::format(R"(<g class="series" fill="{}"><title>{}</title>)", colour, html_escape(s.name));
            for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
                if (!std::isfinite(s.x[i]) || !drawable(s.y[i])) continue;
                const std::string label = i < s.point_labels.size() ? s.point_labels[i]
                                                                    : fmt::format("{}: {}", format_value(s.x[i], c.x_unit), format_value(s.y[i], c.y_unit));
                o += fmt::format(R"(<circle cx="{}" cy="{}" r="4" stroke="#fff" stroke-width="1"><title>{}</title></circle>)", num(px(s.x[i])),
                                 num(py(s.y[i])), html_escape(s.name + " — " + label));
            }
            o += "</g>\n";
            continue;
        }
        // Points to draw, with breaks where a value is missing (or not positive on a log axis).
        std::vector<double> xs, ys;
        xs.reserve(s.x.size());
        ys.reserve(s.y.size());
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            xs.push_back(s.x[i]);
            ys.push_back(drawable(s.y[i]) ? s.y[i] : std::numeric_limits<double>::quiet_NaN());
        }
        std::vector<std::vector<Point>> runs;
        if (xs.size() > 2 * buckets) {
            runs.push_back(downsample_min_max(xs, ys, buckets));
        } else {
            runs.emplace_back();
            for (std::size_t i = 0; i < xs.size(); ++i) {
                if (std::isfinite(xs[i]) && std::isfinite(ys[i])) runs.back().push_back({xs[i], ys[i]});
                else if (!runs.back().empty()) runs.emplace_back();
            }
        }
        std::string d, fill;
        for (const auto& run : runs) {
            if (run.empty()) continue;
            std::string seg;
            for (std::size_t i = 0; i < run.size(); ++i) {
                if (i == 0) seg += fmt::format("M{} {}", num(px(run[i].x)), num(py(run[i].y)));
                else if (s.style == Style::step) seg += fmt::format("H{}V{}", num(px(run[i].x)), num(py(run[i].y)));
                else seg += fmt::format("L{} {}", num(px(run[i].x)), num(py(run[i].y)));
            }
            d += seg;
            if (s.style == Style::area) {
                const double base = ya.log ? py(ya.lo) : py(std::clamp(0.0, ya.lo, ya.hi));
                fill += seg + fmt::format("L{} {}L{} {}Z", num(px(run.back().x)), num(base), num(px(run.front().x)), num(base));
            }
        }
        if (d.empty()) continue;
        o += fmt::format(R"(<g class="series"><title>{}</title>)", html_escape(tip));
        if (!fill.empty()) o += fmt::format(R"(<path d="{}" fill="{}" fill-opacity="0.18" stroke="none"/>)", fill, colour);
        o += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.6" stroke-linejoin="round"{}/>)", d, colour, dash(s.dashed));
        o += "</g>\n";
    }
    // Markers on top.
    for (const auto& m : c.markers) {
        if (m.x < xa.lo || m.x > xa.hi) continue;
        o += fmt::format(R"(<g class="{0}"><title>{1}</title><line x1="{2}" y1="{3}" x2="{2}" y2="{4}" stroke="#c5221f" stroke-width="1.5"/><path d="M{5} {3}L{6} {3}L{2} {7}Z" fill="#c5221f"/></g>)",
                         html_escape(m.css_class), html_escape(m.label), num(px(m.x)), num(top), num(top + plot_h), num(px(m.x) - 4),
                         num(px(m.x) + 4), num(top + 6));
        o += "\n";
    }
    o += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#dadce0"/>)", num(kLeft), num(top), num(plot_w), num(plot_h));
    o += "\n</svg>";
    return o;
}

namespace {

// White -> amber -> red, for utilisation-like values in [0, 1].
std::string heat_colour(double v) {
    if (!std::isfinite(v)) return "#f1f3f4";
    v = std::clamp(v, 0.0, 1.0);
    struct Stop {
        double at;
        double r, g, b;
    };
    static constexpr std::array<Stop, 4> kStops{{{0, 247, 251, 255}, {0.5, 255, 224, 130}, {0.8, 244, 140, 60}, {1, 200, 30, 30}}};
    for (std::size_t i = 1; i < kStops.size(); ++i)
        if (v <= kStops[i].at) {
            const auto& a = kStops[i - 1];
            const auto& b = kStops[i];
            const double t = (v - a.at) / (b.at - a.at);
            return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(a.r + t * (b.r - a.r)), static_cast<int>(a.g + t * (b.g - a.g)),
                               static_cast<int>(a.b + t * (b.b - a.b)));
        }
    return "#c81e1e";
}

}  // namespace

std::string render_heat_map(const HeatMap& m) {
    constexpr double kLabelW = 150, kRowH = 18, kTop = 26, kAxisH = 34;
    const std::size_t n = m.x.size();
    const std::size_t columns = std::min<std::size_t>(n, 120);
    const double width = m.width, cell_w = columns ? (width - kLabelW - 10) / static_cast<double>(columns) : 0;
    const double height = kTop + kRowH * static_cast<double>(m.rows.size()) + kAxisH;
    std::string o = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart heat" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11">)",
                                num(width), num(height), num(width), num(height), html_escape(m.title));
    o += fmt::format(R"(<text x="10" y="15" font-size="13" font-weight="600" fill="#202124">{}</text>)", html_escape(m.title)) + "\n";
    if (columns == 0) return o + "</svg>";
    // Column boundaries in sample indices: column k covers [k*n/columns, (k+1)*n/columns).
    auto first = [&](std::size_t k) { return k * n / columns; };
    for (std::size_t r = 0; r < m.rows.size(); ++r) {
        const double y = kTop + kRowH * static_cast<double>(r);
        o += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" fill="#3c4043">{}</text>)", num(kLabelW - 6), num(y + 13), html_escape(m.rows[r]));
        const auto& vals = m.values[r];
        for (std::size_t k = 0; k < columns; ++k) {
            double sum = 0, peak = -kInf;
            std::size_t cnt = 0;
            for (std::size_t i = first(k); i < first(k + 1) && i < vals.size(); ++i)
                if (std::isfinite(vals[i])) sum += vals[i], peak = std::max(peak, vals[i]), ++cnt;
            const double mean = cnt ? sum / static_cast<double>(cnt) : std::numeric_limits<double>::quiet_NaN();
            const double t0 = first(k) > 0 ? m.x[first(k) - 1] : 0.0, t1 = m.x[std::min(n, first(k + 1)) - 1];
            o += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}–{}: mean {}, peak {}</title></rect>)",
                             num(kLabelW + cell_w * static_cast<double>(k)), num(y + 1), num(cell_w + 0.3), num(kRowH - 2), heat_colour(mean),
                             html_escape(m.rows[r]), html_escape(format_value(t0, Unit::seconds)), html_escape(format_value(t1, Unit::seconds)),
                             html_escape(format_value(mean, m.unit)), html_escape(format_value(cnt ? peak : mean, m.unit)));
        }
        o += "\n";
    }
    const double axis_y = kTop + kRowH * static_cast<double>(m.rows.size());
    for (double t : time_ticks(0, m.x.back())) {
        if (t > m.x.back()) continue;
        const double x = kLabelW + (width - kLabelW - 10) * (t / m.x.back());
        o += fmt::format(R"(<text x="{}" y="{}" text-anchor="{}" fill="#5f6368">{}</text>)", num(x), num(axis_y + 14),
                         t >= m.x.back() ? "end" : t <= 0 ? "start" : "middle",
                         html_escape(format_value(t, Unit::seconds)));
    }
    // Colour scale, top right.
    const double scale_right = width - 40;
    for (int i = 0; i <= 10; ++i)
        o += fmt::format(R"(<rect x="{}" y="6" width="14" height="9" fill="{}"/>)", num(scale_right - 14 * (11 - i)), heat_colour(i / 10.0));
    o += fmt::format(R"(<text x="{}" y="14" text-anchor="end" fill="#5f6368">0%</text><text x="{}" y="14" fill="#5f6368">100%</text>)",
                     num(scale_right - 14 * 11 - 4), num(scale_right + 4));
    o += "\n</svg>";
    return o;
}

}  // namespace stacksim::report
