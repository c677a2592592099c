#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

std::vector<double> sweepLoads(const results::SweepView& sweep) {
    std::vector<double> loads;
    for (const auto& p : sweep.points)
        if (std::isfinite(p.load_rps) && std::find(loads.begin(), loads.end(), p.load_rps) == loads.end()) loads.push_back(p.load_rps);
    std::sort(loads.begin(), loads.end());
    return loads;
}

QChart* costChart(const results::SweepView& sweep, double load_rps) {
    using namespace detail;
    const auto loads = sweepLoads(sweep);
    if (load_rps <= 0) {
        load_rps = std::isfinite(sweep.target_load_rps) && sweep.target_load_rps > 0 ? sweep.target_load_rps
                   : loads.empty()                                                   ? 0
                                                                                     : loads.front();
    }
    QString load_label;
    // Points of one strategy at this load, cheapest first: the cost curve of that strategy.
    std::map<std::string, std::vector<const results::SweepPointView*>> by_strategy;
    for (const auto& p : sweep.points) {
        if (p.status != "done" || std::abs(p.load_rps - load_rps) > 1e-6 * std::max(1.0, load_rps)) continue;
        by_strategy[p.strategy].push_back(&p);
        load_label = QString::fromStdString(p.load);
    }
    QChart* c = newChart(QStringLiteral("Cost vs p99 at %1 — %2").arg(load_label.isEmpty() ? QString::number(load_rps) + QStringLiteral("/s") : load_label,
                                                                   QString::fromStdString(sweep.name)));
    auto* meets = new QScatterSeries;
    meets->setName(QStringLiteral("meets every SLO"));
    meets->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    meets->setMarkerSize(11);
    meets->setColor(QColor(0x59a14f));
    const QColor strategyColour[] = {QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xb07aa1)};
    int k = 0;
    for (auto& [strategy, pts] : by_strategy) {
        std::sort(pts.begin(), pts.end(), [](auto* a, auto* b) { return a->cost.per_hour_usd < b->cost.per_hour_usd; });
        auto* s = new QLineSeries;
        s->setName(QString::fromStdString(strategy));
        s->setPointsVisible(true);
        QPen pen(strategyColour[k++ % 3]);
        pen.setWidthF(2);
        s->setPen(pen);
        for (const auto* p : pts) {
            if (!std::isfinite(p->p99_s) || !std::isfinite(p->cost.per_hour_usd)) continue;
            s->append(p->cost.per_hour_usd, 1000 * p->p99_s);
            if (p->slos_met) meets->append(p->cost.per_hour_usd, 1000 * p->p99_s);
        }
        c->addSeries(s);
    }
    c->addSeries(meets);
    double xmin = 1e300, xmax = 0, ymin = 1e300, ymax = 0;
    for (auto* a : c->series())
        for (const QPointF& p : qobject_cast<QXYSeries*>(a)->points()) {
            xmin = std::min(xmin, p.x());
            xmax = std::max(xmax, p.x());
            ymin = std::min(ymin, p.y());
            ymax = std::max(ymax, p.y());
        }
    if (xmax < xmin) xmin = 0, xmax = 1, ymin = 1, ymax = 10;
    auto* x = new QValueAxis;
    x->setTitleText(QStringLiteral("deployment cost ($/hour, whole stack)"));
    const double pad = std::max(0.05 * (xmax - xmin), 0.1);
    x->setRange(xmin - pad, xmax + pad);
    x->setLabelFormat(QStringLiteral("%.2f"));
    // p99 spans orders of magnitude between an overloaded and a healthy point.
    auto* y = new QLogValueAxis;
    y->setTitleText(QStringLiteral("p99 latency (ms, log)"));
    y->setBase(10);
    y->setRange(std::max(1e-3, ymin / 1.5), ymax * 1.5);
    y->setLabelFormat(QStringLiteral("%g"));
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    for (auto* s : c->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    return c;
}

}  // namespace stacksim::gui
