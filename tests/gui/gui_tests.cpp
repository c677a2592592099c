// GUI tests (QtTest, offscreen): loading fixtures, chart series against the documents' own
// values (read here independently with QJsonDocument), compare, export, topology, and
// run/cancel/failure through a fake `stacksim` child process.
#include <QAreaSeries>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QListWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QMimeData>
#include <QValueAxis>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

#include "gui/app/main_window.hpp"
#include "gui/charts/chart_view.hpp"
#include "gui/charts/charts.hpp"
#include "gui/charts/utilisation_heat_map.hpp"
#include "gui/run/run_controller.hpp"
#include "gui/run/run_panel.hpp"
#include "gui/topology/topology_view.hpp"

using namespace stacksim::gui;

namespace {

const QString kFixtures = QStringLiteral(GUI_FIXTURES);
QString fixture(const QString& rel) { return kFixtures + QLatin1Char('/') + rel; }

QJsonObject readJson(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(file));
    return QJsonDocument::fromJson(f.readAll()).object();
}

template <class T = QXYSeries>
T* findSeries(QChart* chart, const QString& name) {
    for (QAbstractSeries* s : chart->series())
        if (s->name() == name) return qobject_cast<T*>(s);
    return nullptr;
}

// The document's values of `key` as (t, scale * v) points, nulls skipped — what a chart must show.
QList<QPointF> expectedPoints(const QJsonArray& t, const QJsonArray& v, double scale) {
    QList<QPointF> out;
    for (int i = 0; i < t.size() && i < v.size(); ++i)
        if (v[i].isDouble()) out.append({t[i].toDouble(), scale * v[i].toDouble()});
    return out;
}

void comparePoints(const QList<QPointF>& got, const QList<QPointF>& want) {
    QCOMPARE(got.size(), want.size());
    for (int i = 0; i < got.size(); ++i) {
        QVERIFY2(std::abs(got[i].x() - want[i].x()) < 1e-9, qPrintable(QString::number(i)));
        QVERIFY2(std::abs(got[i].y() - want[i].y()) <= 1e-9 * std::max(1.0, std::abs(want[i].y())), qPrintable(QString::number(i)));
    }
}

}  // namespace

class GuiTests : public QObject {
    Q_OBJECT
private:
    QTemporaryDir settingsDir_;

private slots:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
        QCoreApplication::setOrganizationName(QStringLiteral("stacksim-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("gui-tests"));
    }

    void latencySeriesEqualTheDocument() {
        MainWindow w;
        QVERIFY2(w.openPath(fixture(QStringLiteral("chaos/results.json"))), qPrintable(w.errorText()));
        QCOMPARE(w.workspace().runs().size(), std::size_t{1});
        w.setQuantiles({true, false, true});
        const QJsonObject doc = readJson(fixture(QStringLiteral("chaos/results.json")));
        const QJsonObject series = doc[QStringLiteral("series")].toObject();
        QChart* chart = w.chartView(QStringLiteral("Latency"))->chart();
        auto* p99 = findSeries(chart, QStringLiteral("p99"));
        auto* p50 = findSeries(chart, QStringLiteral("p50"));
        QVERIFY(p99 && p50);
        QVERIFY(!findSeries(chart, QStringLiteral("p95")));  // not selected
        comparePoints(p99->points(), expectedPoints(series[QStringLiteral("t_s")].toArray(), series[QStringLiteral("p99_s")].toArray(), 1000));
        comparePoints(p50->points(), expectedPoints(series[QStringLiteral("t_s")].toArray(), series[QStringLiteral("p50_s")].toArray(), 1000));
    }

    void faultIntervalsAreShaded() {
        MainWindow w;
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        const QJsonArray faults = readJson(fixture(QStringLiteral("chaos/results.json")))[QStringLiteral("faults")].toArray();
        QVERIFY(!faults.isEmpty());
        QChart* chart = w.chartView(QStringLiteral("Throughput"))->chart();
        QList<QAreaSeries*> bands;
        for (QAbstractSeries* s : chart->series())
            if (auto* a = qobject_cast<QAreaSeries*>(s); a && a->name().startsWith(QLatin1String("fault: "))) bands << a;
        QCOMPARE(bands.size(), faults.size());
        for (int i = 0; i < faults.size(); ++i) {
            const auto f = faults[i].toObject();
            const auto pts = bands[i]->upperSeries()->points();
            QCOMPARE(pts.first().x(), f[QStringLiteral("start_s")].toDouble());
            QCOMPARE(pts.last().x(), f[QStringLiteral("end_s")].toDouble());
            QCOMPARE(bands[i]->name(), QStringLiteral("fault: %1 %2").arg(f[QStringLiteral("kind")].toString(), f[QStringLiteral("target")].toString()));
        }
        // Throughput itself is the document's completed_rps.
        const QJsonObject series = readJson(fixture(QStringLiteral("chaos/results.json")))[QStringLiteral("series")].toObject();
        comparePoints(findSeries(chart, QStringLiteral("completed/s"))->points(),
                      expectedPoints(series[QStringLiteral("t_s")].toArray(), series[QStringLiteral("completed_rps")].toArray(), 1));
    }

    void burnDownAndAlertMarkers() {
        MainWindow w;
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        const QJsonObject doc = readJson(fixture(QStringLiteral("chaos/results.json")));
        const QJsonArray t = doc[QStringLiteral("series")].toObject()[QStringLiteral("t_s")].toArray();
        QChart* chart = w.chartView(QStringLiteral("Error budget"))->chart();
        int alertsInDoc = 0, markers = 0;
        for (const auto& v : doc[QStringLiteral("slos")].toArray()) {
            const QJsonObject slo = v.toObject();
            const QString name = slo[QStringLiteral("name")].toString();
            auto* line = findSeries(chart, name);
            QVERIFY2(line, qPrintable(name));
            comparePoints(line->points(), expectedPoints(t, slo[QStringLiteral("series")].toObject()[QStringLiteral("budget_remaining")].toArray(), 100));
            for (const auto& a : slo[QStringLiteral("alerts")].toArray()) alertsInDoc += a.toObject()[QStringLiteral("fired")].toArray().size();
            if (auto* m = findSeries<QScatterSeries>(chart, name + QStringLiteral(" alerts"))) markers += m->count();
        }
        QVERIFY2(alertsInDoc > 0, "the chaos fixture fires at least one alert");
        QCOMPARE(markers, alertsInDoc);
    }

    void heatMapAndReplicasFromTheDocument() {
        MainWindow w;
        QVERIFY(w.openPath(fixture(QStringLiteral("autoscale/results.json"))));
        const QJsonObject series = readJson(fixture(QStringLiteral("autoscale/results.json")))[QStringLiteral("series")].toObject();
        const QJsonObject util = series[QStringLiteral("utilisation")].toObject();
        UtilisationHeatMap* map = w.heatMap();
        QCOMPARE(static_cast<int>(map->rows().size()), util.size());
        for (int r = 0; r < static_cast<int>(map->rows().size()); ++r) {
            const QJsonArray v = util[QString::fromStdString(map->rows()[static_cast<std::size_t>(r)])].toArray();
            QCOMPARE(map->columns(), v.size());
            for (int c = 0; c < v.size(); c += 7) QCOMPARE(map->cell(r, c), v[c].toDouble());
        }
        // Replicas change under the autoscaler, and the chart shows exactly the document's counts.
        const QJsonObject reps = series[QStringLiteral("replicas")].toObject();
        QChart* chart = w.chartView(QStringLiteral("Replicas"))->chart();
        bool changed = false;
        for (auto it = reps.begin(); it != reps.end(); ++it) {
            auto* line = findSeries(chart, it.key());
            QVERIFY(line);
            comparePoints(line->points(), expectedPoints(series[QStringLiteral("t_s")].toArray(), it.value().toArray(), 1));
            std::set<double> distinct;
            for (const auto& v : it.value().toArray()) distinct.insert(v.toDouble());
            changed = changed || distinct.size() > 1;
        }
        QVERIFY2(changed, "the autoscale fixture scales a service");
        // One colour per component, distinct within the chart, the same in the queue chart.
        std::set<QRgb> colours;
        for (auto it = reps.begin(); it != reps.end(); ++it) colours.insert(findSeries<QLineSeries>(chart, it.key())->pen().color().rgb());
        QCOMPARE(colours.size(), static_cast<std::size_t>(reps.size()));
        if (auto* api = findSeries<QLineSeries>(w.chartView(QStringLiteral("Queues"))->chart(), QStringLiteral("api")))
            QCOMPARE(api->pen().color(), findSeries<QLineSeries>(chart, QStringLiteral("api"))->pen().color());
        QVERIFY(findSeries<QScatterSeries>(chart, QStringLiteral("scale events")));
        QVERIFY(w.chartView(QStringLiteral("Queues"))->chart()->series().size() > 0);
    }

    void compareOverlaysRunsInDistinctColours() {
        MainWindow w;
        QVERIFY2(w.openPath(fixture(QStringLiteral("compare"))), qPrintable(w.errorText()));
        const auto& runs = w.workspace().runs();
        QCOMPARE(runs.size(), std::size_t{2});
        QChart* chart = w.chartView(QStringLiteral("Latency"))->chart();
        std::set<QRgb> colours;
        for (const auto& r : runs) {
            auto* p99 = findSeries<QLineSeries>(chart, r.label + QStringLiteral(" · p99"));
            QVERIFY2(p99, qPrintable(r.label));
            colours.insert(p99->pen().color().rgb());
            QCOMPARE(p99->pen().color(), r.colour);
            const QJsonObject series = readJson(QString::fromStdString(r.view.file))[QStringLiteral("series")].toObject();
            comparePoints(p99->points(), expectedPoints(series[QStringLiteral("t_s")].toArray(), series[QStringLiteral("p99_s")].toArray(), 1000));
        }
        QCOMPARE(colours.size(), runs.size());
        // Both runs have call policies: their retries (summed over edges) are overlaid too.
        for (const auto& r : runs) {
            auto* retries = findSeries(w.chartView(QStringLiteral("Throughput"))->chart(), r.label + QStringLiteral(" · retries/s"));
            QVERIFY2(retries, qPrintable(r.label));
            const QJsonObject series = readJson(QString::fromStdString(r.view.file))[QStringLiteral("series")].toObject();
            const QJsonObject byEdge = series[QStringLiteral("retries_rps")].toObject();
            double sumLast = 0;
            for (const auto& v : byEdge) sumLast += v.toArray().last().toDouble();
            QCOMPARE(retries->points().last().y(), sumLast);
        }
        // Unchecking a run removes it from the overlay.
        w.workspace().setCompared(0, false);
        chart = w.chartView(QStringLiteral("Latency"))->chart();
        QVERIFY(!findSeries(chart, runs[0].label + QStringLiteral(" · p99")) && !findSeries(chart, runs[0].label));
        QVERIFY(findSeries(chart, QStringLiteral("p99")));  // one run left: plain names
    }

    void sweepCostCurvesPerStrategy() {
        MainWindow w;
        QVERIFY2(w.openPath(fixture(QStringLiteral("sweep"))), qPrintable(w.errorText()));
        QVERIFY(w.workspace().sweep().has_value());
        const QJsonObject doc = readJson(fixture(QStringLiteral("sweep/sweep.json")));
        const double target = doc[QStringLiteral("target_load_rps")].toDouble();
        QChart* chart = w.chartView(QStringLiteral("Cost"))->chart();
        int strategies = 0;
        for (const QString& strategy : {QStringLiteral("horizontal"), QStringLiteral("vertical")}) {
            QList<QPointF> want;
            int meets = 0;
            for (const auto& v : doc[QStringLiteral("points")].toArray()) {
                const auto p = v.toObject();
                if (p[QStringLiteral("strategy")].toString() != strategy || p[QStringLiteral("status")].toString() != QLatin1String("done") ||
                    std::abs(p[QStringLiteral("load_rps")].toDouble() - target) > 1e-6 * target)
                    continue;
                want.append({p[QStringLiteral("cost")].toObject()[QStringLiteral("per_hour_usd")].toDouble(),
                             1000 * p[QStringLiteral("latency_s")].toObject()[QStringLiteral("p99")].toDouble()});
                meets += p[QStringLiteral("slos_met")].toBool() ? 1 : 0;
            }
            if (want.isEmpty()) continue;
            ++strategies;
            std::sort(want.begin(), want.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
            auto* curve = findSeries(chart, strategy);
            QVERIFY2(curve, qPrintable(strategy));
            comparePoints(curve->points(), want);
        }
        QCOMPARE(strategies, 2);
        QVERIFY(findSeries<QScatterSeries>(chart, QStringLiteral("meets every SLO")));
    }

    void dropOpensFilesAndDirectories() {
        MainWindow w;
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(fixture(QStringLiteral("compare"))), QUrl::fromLocalFile(fixture(QStringLiteral("sweep"))),
                      QUrl(QStringLiteral("https://example.com/results.json"))});
        QCOMPARE(w.openDropped(&mime), 2);  // the remote URL is ignored
        QCOMPARE(w.workspace().runs().size(), std::size_t{2});
        QVERIFY(w.workspace().sweep().has_value());
    }

    void wheelZoomsAndDoubleClickResets() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        w.showTab(QStringLiteral("Latency"));
        ChartView* view = w.chartView(QStringLiteral("Latency"));
        auto* x = qobject_cast<QValueAxis*>(view->chart()->axes(Qt::Horizontal).first());
        const double span = x->max() - x->min();
        QWheelEvent wheel(QPointF(300, 200), view->mapToGlobal(QPointF(300, 200)), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY2(x->max() - x->min() < 0.9 * span, "wheel up zooms in");
        QTest::keyClick(view, Qt::Key_Right);  // pan keeps the zoomed span
        QVERIFY(std::abs((x->max() - x->min()) - span / 1.25) < 1e-6 * span);
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 200));
        QVERIFY(std::abs((x->max() - x->min()) - span) < 1e-6 * span);
    }

    void anUnstableRunIsMarkedInTheRunsList() {
        QTemporaryDir dir;
        QJsonObject doc = readJson(fixture(QStringLiteral("chaos/results.json")));
        doc[QStringLiteral("steady_state")] = QJsonObject{
            {QStringLiteral("verdict"), QStringLiteral("unstable")},
            {QStringLiteral("findings"), QJsonArray{QStringLiteral("queue orders grows +135/s")}}};
        const QString path = dir.filePath(QStringLiteral("results.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(doc).toJson());
        f.close();
        MainWindow w;
        QVERIFY2(w.openPath(path), qPrintable(w.errorText()));
        auto* list = w.findChild<QListWidget*>(QStringLiteral("runsList"));
        QVERIFY(list && list->count() == 1);
        QVERIFY2(list->item(0)->text().contains(QStringLiteral("unstable")), qPrintable(list->item(0)->text()));
        QVERIFY(list->item(0)->toolTip().contains(QStringLiteral("queue orders grows +135/s")));
        QVERIFY(list->item(0)->toolTip().contains(QStringLiteral("not conclusive")));
        // A steady run carries no mark.
        MainWindow steady;
        QVERIFY(steady.openPath(fixture(QStringLiteral("chaos/results.json"))));
        QVERIFY(!steady.findChild<QListWidget*>(QStringLiteral("runsList"))->item(0)->text().contains(QStringLiteral("⚠")));
    }

    void badInputIsAnErrorNotACrash() {
        QTemporaryDir dir;
        MainWindow w;
        const QString garbage = dir.filePath(QStringLiteral("garbage.json"));
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ \"kind\": \"run\", \"series\": ");
        f.close();
        QVERIFY(!w.openPath(garbage));
        QVERIFY2(w.errorText().contains(garbage), qPrintable(w.errorText()));
        QVERIFY(w.workspace().runs().empty());
        // Wrong structure: the error names the JSON pointer.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"kind": "run", "series": {"t_s": [1, 2], "p99_s": [0.1]}})");
        f.close();
        QVERIFY(!w.openPath(garbage));
        QVERIFY2(w.errorText().contains(QStringLiteral("/series/p99_s")), qPrintable(w.errorText()));
        QVERIFY(!w.openPath(dir.filePath(QStringLiteral("missing"))));
        QVERIFY(!w.openPath(dir.path()));  // empty directory: nothing to open
        QVERIFY(w.errorText().contains(QStringLiteral("no results here")));
        // A later good open clears the banner.
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        QVERIFY(w.errorText().isEmpty());
    }

    void exportWritesPngAndSvg() {
        QTemporaryDir dir;
        MainWindow w;
        w.resize(1200, 800);
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        for (const QString& tab : {QStringLiteral("Latency"), QStringLiteral("Utilisation"), QStringLiteral("Topology")}) {
            QVERIFY(w.showTab(tab));
            for (const QString& ext : {QStringLiteral("png"), QStringLiteral("svg")}) {
                const QString file = dir.filePath(tab + QLatin1Char('.') + ext);
                const QString err = w.exportCurrent(file);
                QVERIFY2(err.isEmpty(), qPrintable(err));
                QVERIFY2(QFileInfo(file).size() > 1000, qPrintable(file));
            }
        }
        QFile svg(dir.filePath(QStringLiteral("Latency.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QVERIFY(QImage(dir.filePath(QStringLiteral("Latency.png"))).width() > 0);
        QVERIFY(!w.exportCurrent(dir.filePath(QStringLiteral("x.gif"))).isEmpty());
    }

    void recentFilesAndLayoutAreRemembered() {
        {
            MainWindow w;
            QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
            QVERIFY(w.openPath(fixture(QStringLiteral("sweep"))));
            QCOMPARE(w.recentFiles().value(0), QFileInfo(fixture(QStringLiteral("sweep"))).absoluteFilePath());
            QCOMPARE(w.recentFiles().value(1), QFileInfo(fixture(QStringLiteral("chaos/results.json"))).absoluteFilePath());
            w.showTab(QStringLiteral("Replicas"));
            w.close();
        }
        MainWindow again;
        QCOMPARE(again.tabs()->tabText(again.tabs()->currentIndex()), QStringLiteral("Replicas"));
        QCOMPARE(again.recentFiles().value(0), QFileInfo(fixture(QStringLiteral("sweep"))).absoluteFilePath());
        QVERIFY(again.recentFiles().size() <= 10);
    }

    void topologyIsColouredByUtilisation() {
        MainWindow w;
        QVERIFY(w.openPath(fixture(QStringLiteral("chaos/results.json"))));
        TopologyView* view = w.topology();
        QString error;
        const auto topo = topologyForRun(w.workspace().current()->view, error);
        QVERIFY2(topo, qPrintable(error));
        QCOMPARE(view->nodeCount(), static_cast<int>(topo->services.size()));
        QVERIFY(view->edgeCount() >= view->nodeCount() - 1);
        // A busy service's colour is the heat-map colour of its mean measured utilisation.
        const auto& run = w.workspace().current()->view;
        const auto& u = run.utilisation.at("api");
        double sum = 0;
        int n = 0;
        for (std::size_t i = 0; i < u.size(); ++i)
            if (run.t_s[i] > run.warmup_s + 1e-9) sum += u[i], ++n;
        QCOMPARE(view->nodeColour("api"), UtilisationHeatMap::colourFor(sum / n));
    }

    void runReportsProgressIntervalsAndLoadsResults() {
        QTemporaryDir out;
        qputenv("FAKE_STACKSIM_MODE", "ok");
        qputenv("FAKE_STACKSIM_RESULTS", fixture(QStringLiteral("chaos/results.json")).toUtf8());
        MainWindow w;
        RunPanel* panel = w.runPanel();
        panel->controller().setProgram(QStringLiteral(FAKE_STACKSIM));
        QVERIFY(w.openPath(QStringLiteral(STACKSIM_SOURCE_DIR "/experiments/hyperly-1m.json")));  // goes to the Run tab
        QCOMPARE(w.tabs()->currentWidget(), panel);
        panel->setOutputDir(out.filePath(QStringLiteral("run")));
        QSignalSpy progress(&panel->controller(), &RunController::progress);
        QSignalSpy intervals(&panel->controller(), &RunController::interval);
        QSignalSpy done(panel, &RunPanel::resultsReady);
        panel->run();
        QVERIFY(done.wait(20000));
        QCOMPARE(intervals.count(), 3);
        QVERIFY(progress.count() >= 3);
        QCOMPARE(panel->progressPercent(), 100);
        // Live series received every interval row.
        QCOMPARE(panel->liveThroughput()->count(), 3);
        QCOMPARE(panel->liveP99()->at(2), QPointF(3, 30));
        // The finished run is loaded and charted.
        QCOMPARE(w.workspace().runs().size(), std::size_t{1});
        QVERIFY(QFileInfo::exists(out.filePath(QStringLiteral("run/results.json"))));
    }

    void editedParametersBecomeSetOverrides() {
        MainWindow w;
        RunPanel* panel = w.runPanel();
        QVERIFY(panel->openExperiment(QStringLiteral(STACKSIM_SOURCE_DIR "/experiments/hyperly-1m.json")));
        QVERIFY(panel->overrides().isEmpty());  // nothing edited
        auto* table = panel->findChild<QTableWidget*>();
        QVERIFY(table);
        int row = -1;
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->item(r, 0)->text() == QLatin1String("topology.services.api.replicas")) row = r;
        QVERIFY(row >= 0);
        table->item(row, 1)->setText(QStringLiteral("13"));
        QCOMPARE(panel->overrides(), QStringList{QStringLiteral("topology.services.api.replicas=13")});
        QTemporaryDir out;
        qputenv("FAKE_STACKSIM_MODE", "ok");
        qputenv("FAKE_STACKSIM_RESULTS", fixture(QStringLiteral("chaos/results.json")).toUtf8());
        panel->controller().setProgram(QStringLiteral(FAKE_STACKSIM));
        panel->setOutputDir(out.filePath(QStringLiteral("r")));
        QSignalSpy done(panel, &RunPanel::resultsReady);
        panel->run();
        QVERIFY(done.wait(20000));
        const QStringList args = panel->controller().arguments();
        QVERIFY(args.contains(QStringLiteral("--progress-jsonl")));
        const int at = static_cast<int>(args.indexOf(QStringLiteral("--set")));
        QVERIFY(at >= 0);
        QCOMPARE(args[at + 1], QStringLiteral("topology.services.api.replicas=13"));
    }

    void cancelKillsTheChildAndLoadsNothing() {
        QTemporaryDir out;
        qputenv("FAKE_STACKSIM_MODE", "slow");
        MainWindow w;
        RunPanel* panel = w.runPanel();
        panel->controller().setProgram(QStringLiteral(FAKE_STACKSIM));
        QVERIFY(panel->openExperiment(QStringLiteral(STACKSIM_SOURCE_DIR "/experiments/hyperly-1m.json")));
        panel->setOutputDir(out.filePath(QStringLiteral("slow")));
        QSignalSpy progress(&panel->controller(), &RunController::progress);
        QSignalSpy cancelled(&panel->controller(), &RunController::cancelled);
        QSignalSpy done(panel, &RunPanel::resultsReady);
        panel->run();
        QVERIFY(progress.wait(10000));
        QVERIFY(panel->controller().running());
        panel->cancel();
        QVERIFY(cancelled.wait(10000));
        QVERIFY(!panel->controller().running());
        QCOMPARE(done.count(), 0);
        QVERIFY(!QFileInfo::exists(out.filePath(QStringLiteral("slow/results.json"))));
        QVERIFY(w.workspace().runs().empty());
        QCOMPARE(panel->status(), QStringLiteral("cancelled"));
    }

    void failedRunIsShownNotCrashed() {
        qputenv("FAKE_STACKSIM_MODE", "fail");
        MainWindow w;
        RunPanel* panel = w.runPanel();
        panel->controller().setProgram(QStringLiteral(FAKE_STACKSIM));
        QVERIFY(panel->openExperiment(QStringLiteral(STACKSIM_SOURCE_DIR "/experiments/hyperly-1m.json")));
        QTemporaryDir out;
        panel->setOutputDir(out.filePath(QStringLiteral("f")));
        QSignalSpy failed(&panel->controller(), &RunController::failed);
        panel->run();
        QVERIFY(failed.wait(10000));
        QVERIFY2(w.errorText().contains(QStringLiteral("exited with code 2")), qPrintable(w.errorText()));
        QVERIFY2(w.errorText().contains(QStringLiteral("/workload/rate")), qPrintable(w.errorText()));
        // A program that does not exist is an error too.
        panel->controller().setProgram(out.filePath(QStringLiteral("no-such-stacksim")));
        panel->run();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 10000);
        QVERIFY2(w.errorText().contains(QStringLiteral("cannot start")), qPrintable(w.errorText()));
        QVERIFY(w.workspace().runs().empty());
    }
};

QTEST_MAIN(GuiTests)
#include "gui_tests.moc"
