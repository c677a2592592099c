#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

QChart* throughputChart(const Runs& runs) {
    using namespace detail;
    QChart* c = newChart(QStringLiteral("Throughput and errors (requests/s); fault intervals shaded"));
    for (const LoadedRun* run : runs) {
        const bool overlay = runs.size() > 1;
        c->addSeries(line(seriesName(runs, *run, QStringLiteral("completed/s")), run->view.t_s, run->view.total("completed_rps"),
                          overlay ? run->colour : QColor(0x59a14f)));
        c->addSeries(line(seriesName(runs, *run, QStringLiteral("errors/s")), run->view.t_s, run->view.total("errors_rps"),
                          overlay ? run->colour : QColor(0xe15759), overlay ? Qt::DashLine : Qt::SolidLine));
        // With call policies: retries over every edge (a retry storm shows here).
        if (!run->view.retries_rps.empty()) {
            std::vector<double> retries(run->view.t_s.size(), 0.0);
            for (const auto& [edge, v] : run->view.retries_rps)
                for (std::size_t i = 0; i < v.size() && i < retries.size(); ++i) retries[i] += v[i];
            c->addSeries(line(seriesName(runs, *run, QStringLiteral("retries/s")), run->view.t_s, retries,
                              overlay ? run->colour : QColor(0xb07aa1), Qt::DotLine));
        }
    }
    timeAxes(c, QStringLiteral("requests/s"));
    faultBands(c, runs);
    return c;
}

}  // namespace stacksim::gui
