#include <QScatterSeries>

#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

QChart* burnDownChart(const Runs& runs) {
    using namespace detail;
    QChart* c = newChart(QStringLiteral("Error budget remaining (% of the SLO window's budget); alerts marked"));
    const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    int r = 0;
    for (const LoadedRun* run : runs) {
        const auto& t = run->view.t_s;
        for (const auto& slo : run->view.slos) {
            if (slo.budget_remaining.empty()) continue;
            const QString n = QString::fromStdString(slo.name);
            c->addSeries(line(seriesName(runs, *run, n), t, slo.budget_remaining, nameColour(n), styles[r % 4], 100.0));
            auto* alerts = new QScatterSeries;
            alerts->setName(seriesName(runs, *run, n + QStringLiteral(" alerts")));
            alerts->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
            alerts->setMarkerSize(12);
            alerts->setColor(nameColour(n).darker(140));
            // Marker on the burn-down line at the interval where the alert fired.
            for (const auto& a : slo.alerts) {
                double y = 100.0;
                for (std::size_t i = 0; i < t.size() && i < slo.budget_remaining.size(); ++i)
                    if (t[i] >= a.at_s - 1e-9) {
                        y = 100.0 * slo.budget_remaining[i];
                        break;
                    }
                alerts->append(a.at_s, y);
            }
            if (alerts->count() > 0) c->addSeries(alerts);
            else delete alerts;
        }
        ++r;
    }
    // A 30-day budget barely moves in minutes of simulated time: zoom to the data.
    timeAxes(c, QStringLiteral("budget remaining (%)"), 0, true);
    faultBands(c, runs);
    return c;
}

}  // namespace stacksim::gui
