#include "gui/charts/chart_common.hpp"

#include <QAreaSeries>
#include <QLegendMarker>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace stacksim::gui::detail {

QString seriesName(const Runs& runs, const LoadedRun& run, const QString& metric) {
    return runs.size() > 1 ? run.label + QStringLiteral(" · ") + metric : metric;
}

QLineSeries* line(const QString& name, const std::vector<double>& t, const std::vector<double>& v, const QColor& colour,
                  Qt::PenStyle style, double scale) {
    auto* s = new QLineSeries;
    s->setName(name);
    QList<QPointF> points;
    const std::size_t n = std::min(t.size(), v.size());
    points.reserve(static_cast<qsizetype>(n));
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(v[i])) points.append({t[i], scale * v[i]});
    s->replace(points);
    QPen pen(colour);
    pen.setWidthF(1.6);
    pen.setStyle(style);
    s->setPen(pen);
    return s;
}

QChart* newChart(const QString& title) {
    auto* c = new QChart;
    c->setTitle(title);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->setMargins(QMargins(4, 4, 4, 4));
    return c;
}

void timeAxes(QChart* chart, const QString& yTitle, double yMin, bool tight) {
    double xMin = 0, xMax = 1, yMax = tight ? -1e300 : 0, yLow = tight ? 1e300 : yMin;
    bool any = false;
    for (QAbstractSeries* a : chart->series()) {
        const auto* s = qobject_cast<QXYSeries*>(a);
        if (!s) continue;
        for (const QPointF& p : s->points()) {
            xMin = any ? std::min(xMin, p.x()) : p.x();
            xMax = any ? std::max(xMax, p.x()) : p.x();
            yMax = std::max(yMax, p.y());
            yLow = std::min(yLow, p.y());
            any = true;
        }
    }
    if (xMax <= xMin) xMax = xMin + 1;
    auto* x = new QValueAxis;
    x->setTitleText(QStringLiteral("simulated time (s)"));
    x->setRange(std::min(0.0, xMin), xMax);
    x->setLabelFormat(QStringLiteral("%g"));
    auto* y = new QValueAxis;
    y->setTitleText(yTitle);
    if (tight && yMax >= yLow) {
        const double pad = std::max(0.05 * (yMax - yLow), 1e-6 * std::max(1.0, std::abs(yMax)));
        y->setRange(yLow - pad, yMax + pad);
    } else {
        if (yLow > yMax) yLow = yMin;
        y->setRange(yLow, yMax > yLow ? yMax * 1.08 : yLow + 1);
    }
    y->setLabelFormat(QStringLiteral("%g"));
    y->applyNiceNumbers();  // round tick values
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    // Overlays have long series names: a legend at the side keeps them whole.
    if (chart->series().size() > 5) chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setShowToolTips(true);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
}

void faultBands(QChart* chart, const Runs& runs) {
    const auto axes = chart->axes(Qt::Vertical);
    const auto xaxes = chart->axes(Qt::Horizontal);
    if (axes.isEmpty() || xaxes.isEmpty()) return;
    auto* y = qobject_cast<QValueAxis*>(axes.first());
    const double top = y ? y->max() : 1;
    for (const LoadedRun* run : runs) {
        for (const auto& f : run->view.faults) {
            auto* upper = new QLineSeries;
            upper->append(f.start_s, top);
            upper->append(f.end_s, top);
            auto* lower = new QLineSeries;
            lower->append(f.start_s, y ? y->min() : 0);
            lower->append(f.end_s, y ? y->min() : 0);
            auto* band = new QAreaSeries(upper, lower);
            // QAreaSeries does not own its boundary lines: the band (owned by the chart) does.
            upper->setParent(band);
            lower->setParent(band);
            band->setName(QStringLiteral("fault: %1 %2").arg(QString::fromStdString(f.kind), QString::fromStdString(f.target)));
            QColor fill = runs.size() > 1 ? run->colour : QColor(0xe15759);
            fill.setAlpha(40);
            band->setBrush(fill);
            band->setPen(Qt::NoPen);
            chart->addSeries(band);
            band->attachAxis(xaxes.first());
            band->attachAxis(axes.first());
            // One legend entry per fault kind is enough; bands are labelled on hover.
            const auto markers = chart->legend()->markers(band);
            const bool first = &f == &run->view.faults.front() && run == runs.front();
            for (auto* m : markers) {
                m->setVisible(first);
                if (first) m->setLabel(QStringLiteral("fault intervals (hover: which)"));
            }
        }
    }
}

}  // namespace stacksim::gui::detail
