#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// Inline SVG charts for the HTML report: lines, steps, areas and points over a numeric x axis,
// with nice ticks in the data's unit, a legend, shaded bands (faults, warm-up, alerts) and
// vertical markers. No scripts: hover tooltips are SVG <title> elements.
namespace stacksim::report {

enum class Unit { plain, seconds, rate, fraction, usd };

// A value formatted for an axis tick or a tooltip: "250ms", "16.7k/s", "87%", "$1.20".
std::string format_value(double v, Unit unit);

// Round tick positions covering [lo, hi]: steps of 1, 2 or 5 x 10^k, about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// Ticks for a time axis in seconds: steps of 1 s, 5 s, 15 s, 1 min, 5 min, 1 h, 6 h, 1 d, ...
std::vector<double> time_ticks(double lo, double hi, int target = 6);
// Powers of ten covering [lo, hi] (lo > 0) for a logarithmic axis.
std::vector<double> log_ticks(double lo, double hi);

struct Point {
    double x, y;
};

// At most 2 * buckets points: the minimum and the maximum of each of `buckets` equal x
// ranges, in x order, so that spikes survive. Non-finite y values are dropped.
std::vector<Point> downsample_min_max(const std::vector<double>& xs, const std::vector<double>& ys, std::size_t buckets);

enum class Style { line, step, area, points };

struct Series {
    Series() = default;
    Series(std::string name_, std::vector<double> x_, std::vector<double> y_, int colour_ = 0, Style style_ = Style::line, bool dashed_ = false)
        : name(std::move(name_)), x(std::move(x_)), y(std::move(y_)), colour(colour_), style(style_), dashed(dashed_) {}
    std::string name;
    std::vector<double> x, y;
    int colour = 0;             // index into the report palette: the same series keeps its colour
    Style style = Style::line;
    bool dashed = false;
    std::vector<std::string> point_labels;  // Style::points: a tooltip per point (optional)
    bool in_legend = true;
};

struct Band {          // a shaded x range, e.g. a fault or the warm-up
    double x0, x1;
    std::string label;
    std::string css_class = "band-fault";  // band-fault | band-warmup | band-alert
};

struct Marker {        // a vertical line, e.g. an alert firing or the knee
    double x;
    std::string label;
    std::string css_class = "marker";
};

struct HLine {         // a horizontal reference, e.g. an SLO threshold
    double y;
    std::string label;
};

struct Chart {
    std::string title;
    std::string x_label, y_label;
    Unit x_unit = Unit::seconds, y_unit = Unit::plain;
    bool time_x = true;         // time ticks on the x axis
    bool log_y = false;
    bool y_from_zero = true;
    double y_max_hint = 0;      // when > 0, the y axis reaches at least this value (e.g. 1 for fractions)
    int width = 860, height = 260;
    std::vector<Series> series;
    std::vector<Band> bands;
    std::vector<Marker> markers;
    std::vector<HLine> hlines;
};

// The palette, shared with the HTML legends and tables.
const std::string& palette_colour(int index);

// Renders the chart as a standalone <svg> element (escaped text, balanced tags). Long series
// are reduced to at most two points per horizontal pixel.
std::string render_svg(const Chart& chart);

// A heat map: one row per name, one column per x bucket, colour from the value in [0, 1].
struct HeatMap {
    std::string title;
    std::vector<std::string> rows;
    std::vector<std::vector<double>> values;  // values[row][i], aligned with x
    std::vector<double> x;
    Unit unit = Unit::fraction;
    int width = 860;
};
std::string render_heat_map(const HeatMap& map);

}  // namespace stacksim::report
