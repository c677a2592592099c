// stacksim-gui: explore results documents, compare runs, read sweeps' cost curves, and run
// experiments as `stacksim run` child processes (docs/gui.md).
#include <QApplication>
#include <QCommandLineParser>
#include <QScreen>
#include <QTimer>

#include "gui/app/main_window.hpp"
#include "gui/run/run_panel.hpp"
#include "stacksim/version.hpp"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("stacksim"));
    QApplication::setApplicationName(QStringLiteral("stacksim-gui"));
    QApplication::setApplicationVersion(QString::fromLatin1(stacksim::kVersion));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral("Explore stacksim results: charts, comparisons, sweeps, topology, live runs"));
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument(QStringLiteral("paths"), QStringLiteral("Results files, run or sweep directories, directories of runs, or an experiment"));
    const QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show first (e.g. Latency, Cost, Topology, Run)"), QStringLiteral("name"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save a screenshot of the window to FILE and exit"), QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1500x900"), QStringLiteral("WxH"));
    const QCommandLineOption quantiles(QStringLiteral("quantiles"), QStringLiteral("Latency quantiles shown, e.g. p50,p99"), QStringLiteral("list"));
    const QCommandLineOption stacksim(QStringLiteral("stacksim"), QStringLiteral("The stacksim executable for runs"), QStringLiteral("path"));
    const QCommandLineOption runNow(QStringLiteral("run"), QStringLiteral("Start running the opened experiment immediately"));
    cli.addOptions({tab, screenshot, size, quantiles, stacksim, runNow});
    cli.process(app);

    stacksim::gui::MainWindow window;
    if (cli.isSet(stacksim)) window.runPanel()->controller().setProgram(cli.value(stacksim));
    for (const QString& path : cli.positionalArguments()) window.openPath(path);
    if (cli.isSet(quantiles)) {
        const QString q = cli.value(quantiles);
        window.setQuantiles({q.contains(QLatin1String("p50")), q.contains(QLatin1String("p95")), q.contains(QLatin1String("p99"))});
    }
    if (cli.isSet(tab)) window.showTab(cli.value(tab));
    if (cli.isSet(size)) {
        const QStringList wh = cli.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
    }
    window.show();
    if (cli.isSet(runNow)) window.runPanel()->run();
    if (cli.isSet(screenshot)) {
        const QString file = cli.value(screenshot);
        // With --run, wait for the run to end (or 60 s) so the live chart is filled.
        const int delay = cli.isSet(runNow) ? 0 : 800;
        auto shoot = [&window, file] {
            window.grab().save(file, "PNG");
            QApplication::quit();
        };
        if (cli.isSet(runNow)) {
            QObject::connect(window.runPanel(), &stacksim::gui::RunPanel::resultsReady, &app, [shoot] { QTimer::singleShot(800, shoot); });
            QTimer::singleShot(60000, &app, shoot);
        } else {
            QTimer::singleShot(delay, &app, shoot);
        }
    }
    return QApplication::exec();
}
