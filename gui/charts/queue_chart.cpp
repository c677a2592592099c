#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

QChart* queueDepthChart(const Runs& runs) {
    using namespace detail;
    QChart* c = newChart(QStringLiteral("Queue depth per component (requests or messages waiting, end of interval)"));
    const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    int r = 0;
    for (const LoadedRun* run : runs) {
        for (const auto& [name, values] : run->view.queue_depth) {
            const QString n = QString::fromStdString(name);
            c->addSeries(line(seriesName(runs, *run, n), run->view.t_s, values, nameColour(n), styles[r % 4]));
        }
        ++r;
    }
    timeAxes(c, QStringLiteral("depth"));
    faultBands(c, runs);
    return c;
}

}  // namespace stacksim::gui
