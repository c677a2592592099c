#include "gui/app/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

#include "gui/charts/chart_view.hpp"
#include "gui/charts/utilisation_heat_map.hpp"
#include "gui/run/run_panel.hpp"
#include "gui/topology/topology_view.hpp"
#include "model/results/results_view.hpp"

namespace stacksim::gui {
namespace {

constexpr int kMaxRecent = 10;

QWidget* withToolbar(QWidget* toolbar, QWidget* view) {
    auto* w = new QWidget;
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(toolbar);
    l->addWidget(view, 1);
    return w;
}

// An experiment or topology (not results) goes to the Run tab.
bool isExperimentFile(const QString& path) {
    if (QFileInfo(path).isDir()) return false;
    try {
        const auto doc = results::read_results_json(path.toStdString());
        return doc.is_object() && doc.contains("workload") && !doc.contains("kind");
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("stacksim explorer"));
    setAcceptDrops(true);
    setObjectName(QStringLiteral("MainWindow"));

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    banner_ = new QLabel;
    banner_->setObjectName(QStringLiteral("errorBanner"));
    banner_->setWordWrap(true);
    banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner_->setStyleSheet(QStringLiteral("QLabel { background: #fde2e1; color: #8a1f17; border: 1px solid #e15759; padding: 6px; }"));
    banner_->hide();
    layout->addWidget(banner_);
    tabs_ = new QTabWidget;
    layout->addWidget(tabs_, 1);
    setCentralWidget(central);

    // Latency tab with its quantile selector.
    latency_ = new ChartView;
    auto* qbar = new QWidget;
    auto* ql = new QHBoxLayout(qbar);
    ql->setContentsMargins(4, 0, 4, 0);
    p50_ = new QCheckBox(QStringLiteral("p50"));
    p95_ = new QCheckBox(QStringLiteral("p95"));
    p99_ = new QCheckBox(QStringLiteral("p99"));
    p95_->setChecked(true);
    p99_->setChecked(true);
    ql->addWidget(new QLabel(tr("Quantiles:")));
    for (auto* b : {p50_, p95_, p99_}) {
        ql->addWidget(b);
        connect(b, &QCheckBox::toggled, this, [this] { rebuildCharts(); });
    }
    ql->addStretch(1);
    ql->addWidget(new QLabel(tr("wheel/drag: zoom · right-drag: pan · double-click: reset")));
    tabs_->addTab(withToolbar(qbar, latency_), tr("Latency"));
    throughput_ = new ChartView;
    tabs_->addTab(throughput_, tr("Throughput && errors"));
    heatMap_ = new UtilisationHeatMap;
    tabs_->addTab(heatMap_, tr("Utilisation"));
    queues_ = new ChartView;
    tabs_->addTab(queues_, tr("Queues"));
    replicas_ = new ChartView;
    tabs_->addTab(replicas_, tr("Replicas"));
    budget_ = new ChartView;
    tabs_->addTab(budget_, tr("Error budget"));
    cost_ = new ChartView;
    auto* cbar = new QWidget;
    auto* cl = new QHBoxLayout(cbar);
    cl->setContentsMargins(4, 0, 4, 0);
    loadCombo_ = new QComboBox;
    cl->addWidget(new QLabel(tr("Load:")));
    cl->addWidget(loadCombo_);
    recommendation_ = new QLabel;
    recommendation_->setWordWrap(true);
    recommendation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cl->addWidget(recommendation_, 1);
    connect(loadCombo_, &QComboBox::currentIndexChanged, this, [this] { rebuildCost(); });
    tabs_->addTab(withToolbar(cbar, cost_), tr("Cost curves"));
    topology_ = new TopologyView;
    tabs_->addTab(topology_, tr("Topology"));
    runPanel_ = new RunPanel;
    tabs_->addTab(runPanel_, tr("Run"));

    // Runs list: check to overlay, select for single-run views (heat map, topology).
    runsList_ = new QListWidget;
    runsList_->setObjectName(QStringLiteral("runsList"));
    runsList_->setToolTip(tr("Check runs to overlay them in the charts; select one for the heat map and topology"));
    runsDock_ = new QDockWidget(tr("Runs"), this);
    auto* runsDock = runsDock_;
    runsDock->setObjectName(QStringLiteral("runsDock"));
    runsDock->setWidget(runsList_);
    addDockWidget(Qt::LeftDockWidgetArea, runsDock);
    connect(runsList_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        if (!updatingList_) workspace_.setCompared(runsList_->row(item), item->checkState() == Qt::Checked);
    });
    connect(runsList_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (!updatingList_) workspace_.setCurrentRun(row);
    });

    pointsTree_ = new QTreeWidget;
    pointsTree_->setHeaderLabels({tr("point"), tr("strategy"), tr("config"), tr("load"), tr("p99"), tr("SLOs"), tr("$/h")});
    pointsTree_->setRootIsDecorated(false);
    pointsTree_->setToolTip(tr("Double-click a point to open its run"));
    pointsDock_ = new QDockWidget(tr("Sweep points"), this);
    auto* pointsDock = pointsDock_;
    pointsDock->setObjectName(QStringLiteral("pointsDock"));
    pointsDock->setWidget(pointsTree_);
    addDockWidget(Qt::LeftDockWidgetArea, pointsDock);
    connect(pointsTree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        const QString file = item->data(0, Qt::UserRole).toString();
        if (file.isEmpty()) showError(tr("This point has no results (it failed)"));
        else openPath(file);
    });

    connect(&workspace_, &Workspace::changed, this, &MainWindow::rebuild);
    connect(&workspace_, &Workspace::errorOccurred, this, &MainWindow::showError);
    connect(runPanel_, &RunPanel::error, this, &MainWindow::showError);
    connect(runPanel_, &RunPanel::resultsReady, this, [this](const QString& file) {
        if (openPath(file)) statusBar()->showMessage(tr("Run finished: %1").arg(file), 8000);
    });

    pointsTree_->setMinimumWidth(320);
    buildMenus();
    statusBar()->showMessage(tr("Open results (Ctrl+O), a directory of runs or a sweep (Ctrl+Shift+O), or drop them here"));
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    tabs_->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
    rebuild();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open results file…"), QKeySequence::Open, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open results"), QString(),
                                                       tr("Results or experiments (*.json);;All files (*)"));
        if (!f.isEmpty()) openPath(f);
    });
    file->addAction(tr("Open &directory (run, runs, sweep)…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Open a run, a directory of runs or a sweep"));
        if (!d.isEmpty()) openPath(d);
    });
    file->addAction(tr("Open &experiment to run…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(), tr("Experiments (*.json)"));
        if (!f.isEmpty() && runPanel_->openExperiment(f)) showTab(tr("Run"));
    });
    recentMenu_ = file->addMenu(tr("&Recent"));
    file->addSeparator();
    file->addAction(tr("E&xport current view (PNG/SVG)…"), QKeySequence(Qt::CTRL | Qt::Key_S), this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Export view"), tabs_->tabText(tabs_->currentIndex()).remove(QLatin1Char('&')) + QStringLiteral(".png"),
                                                       tr("PNG image (*.png);;SVG drawing (*.svg)"));
        if (f.isEmpty()) return;
        const QString err = exportCurrent(f);
        if (err.isEmpty()) statusBar()->showMessage(tr("Exported %1").arg(f), 5000);
        else showError(err);
    });
    file->addAction(tr("&Close all"), this, [this] { workspace_.clear(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < tabs_->count(); ++i)
        view->addAction(tabs_->tabText(i).replace(QStringLiteral("&&"), QStringLiteral("&")), QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)),
                        this, [this, i] { tabs_->setCurrentIndex(i); });
    refreshRecentMenu();
}

bool MainWindow::openPath(const QString& path) {
    banner_->hide();
    if (isExperimentFile(path)) {
        if (!runPanel_->openExperiment(path)) return false;
        rememberRecent(path);
        showTab(tr("Run"));
        return true;
    }
    if (!workspace_.open(path)) return false;
    rememberRecent(path);
    if (workspace_.sweep() && workspace_.runs().empty()) showTab(tr("Cost"));
    statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
    return true;
}

bool MainWindow::showTab(const QString& name) {
    for (int i = 0; i < tabs_->count(); ++i)
        if (tabs_->tabText(i).remove(QLatin1Char('&')).startsWith(name, Qt::CaseInsensitive)) {
            tabs_->setCurrentIndex(i);
            return true;
        }
    return false;
}

ChartView* MainWindow::chartView(const QString& tab) const {
    const QString t = tab.toLower();
    if (t.startsWith(QLatin1String("latency"))) return latency_;
    if (t.startsWith(QLatin1String("throughput"))) return throughput_;
    if (t.startsWith(QLatin1String("queue"))) return queues_;
    if (t.startsWith(QLatin1String("replica"))) return replicas_;
    if (t.startsWith(QLatin1String("error budget")) || t.startsWith(QLatin1String("budget"))) return budget_;
    if (t.startsWith(QLatin1String("cost"))) return cost_;
    return nullptr;
}

QWidget* MainWindow::currentExportable() const {
    QWidget* w = tabs_->currentWidget();
    if (w == runPanel_) return runPanel_;
    // Tabs with a toolbar export the view below it.
    for (ChartView* v : {latency_, cost_})
        if (v->parentWidget() == w) return v;
    return w;
}

QString MainWindow::exportCurrent(const QString& file) { return exportWidget(currentExportable(), file); }

QString MainWindow::errorText() const { return banner_->isHidden() ? QString() : banner_->text(); }

void MainWindow::showError(const QString& message) {
    banner_->setText(message);
    banner_->show();
    statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 10000);
}

void MainWindow::setQuantiles(Quantiles q) {
    p50_->setChecked(q.p50);
    p95_->setChecked(q.p95);
    p99_->setChecked(q.p99);
    rebuildCharts();
}

void MainWindow::rebuild() {
    updatingList_ = true;
    runsList_->clear();
    for (const auto& r : workspace_.runs()) {
        // A run not in steady state says so beside its name: its SLO verdicts are not conclusive.
        const bool unsteady = !r.view.steady_verdict.empty() && r.view.steady_verdict != "steady";
        auto* item = new QListWidgetItem(unsteady ? r.label + QStringLiteral("  ⚠ ") + QString::fromStdString(r.view.steady_verdict) : r.label);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(r.compared ? Qt::Checked : Qt::Unchecked);
        item->setForeground(r.colour.darker(120));
        QString tip = QString::fromStdString(r.view.file);
        if (unsteady) {
            tip += tr("\nNot in steady state: the SLO verdicts are not conclusive");
            for (const auto& f : r.view.steady_findings) tip += QStringLiteral("\n• ") + QString::fromStdString(f);
        }
        item->setToolTip(tip);
        runsList_->addItem(item);
    }
    runsList_->setCurrentRow(workspace_.currentRun());
    updatingList_ = false;

    pointsTree_->clear();
    pointsDock_->setVisible(workspace_.sweep().has_value());
    runsDock_->setVisible(!workspace_.runs().empty() || !workspace_.sweep());
    if (const auto& sweep = workspace_.sweep()) {
        for (const auto& p : sweep->points) {
            auto* item = new QTreeWidgetItem({QString::fromStdString(p.id), QString::fromStdString(p.strategy),
                                              QStringLiteral("%1 x %2").arg(p.replicas).arg(QString::fromStdString(p.machine)),
                                              QString::fromStdString(p.load),
                                              std::isfinite(p.p99_s) ? QString::number(1000 * p.p99_s, 'f', 0) + QStringLiteral(" ms") : QStringLiteral("–"),
                                              p.status != "done" ? QString::fromStdString(p.status)
                                              : !p.slos_met ? tr("FAIL")
                                              : p.steady_state != "steady" ? tr("ok*") : tr("ok"),
                                              QString::number(p.cost.per_hour_usd, 'f', 2)});
            item->setData(0, Qt::UserRole, QString::fromStdString(p.results));
            pointsTree_->addTopLevelItem(item);
        }
        for (int c = 0; c < pointsTree_->columnCount(); ++c) pointsTree_->resizeColumnToContents(c);
        const QSignalBlocker block(loadCombo_);
        const double keep = loadCombo_->currentData().toDouble();
        loadCombo_->clear();
        for (double l : sweepLoads(*sweep)) {
            QString label = QString::number(l, 'f', 1) + QStringLiteral("/s");
            for (const auto& p : sweep->points)
                if (p.load_rps == l && !p.load.empty()) label = QString::fromStdString(p.load);
            loadCombo_->addItem(label, l);
        }
        int pick = loadCombo_->findData(keep > 0 ? keep : sweep->target_load_rps);
        loadCombo_->setCurrentIndex(pick >= 0 ? pick : 0);
        recommendation_->setText(sweep->recommendation.empty() ? QString()
                                                                : tr("Recommendation: %1").arg(QString::fromStdString(sweep->recommendation)));
    } else {
        loadCombo_->clear();
        recommendation_->clear();
    }
    rebuildCharts();
    rebuildCost();
    const LoadedRun* cur = workspace_.current();
    heatMap_->setRun(cur ? &cur->view : nullptr);
    topology_->showRun(cur ? &cur->view : nullptr);
    QString title = tr("stacksim explorer");
    if (cur) title += QStringLiteral(" — ") + cur->label;
    if (workspace_.sweep()) title += QStringLiteral(" — sweep ") + QString::fromStdString(workspace_.sweep()->name);
    setWindowTitle(title);
}

void MainWindow::rebuildCharts() {
    const Runs runs = workspace_.comparedRuns();
    latency_->replaceChart(latencyChart(runs, {p50_->isChecked(), p95_->isChecked(), p99_->isChecked()}));
    throughput_->replaceChart(throughputChart(runs));
    queues_->replaceChart(queueDepthChart(runs));
    replicas_->replaceChart(replicasChart(runs));
    budget_->replaceChart(burnDownChart(runs));
}

void MainWindow::rebuildCost() {
    if (const auto& sweep = workspace_.sweep()) cost_->replaceChart(costChart(*sweep, loadCombo_->currentData().toDouble()));
    else {
        auto* empty = new QChart;
        empty->setTitle(tr("Cost curves: open a sweep (its directory or sweep.json)"));
        cost_->replaceChart(empty);
    }
}

QStringList MainWindow::recentFiles() const { return QSettings().value(QStringLiteral("recent")).toStringList(); }

void MainWindow::rememberRecent(const QString& path) {
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentFiles();
    recent.removeAll(abs);
    recent.prepend(abs);
    while (recent.size() > kMaxRecent) recent.removeLast();
    QSettings().setValue(QStringLiteral("recent"), recent);
    refreshRecentMenu();
}

void MainWindow::refreshRecentMenu() {
    if (!recentMenu_) return;
    recentMenu_->clear();
    const QStringList recent = recentFiles();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(path), this, [this, path] { openPath(path); });
    }
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

int MainWindow::openDropped(const QMimeData* mime) {
    int opened = 0;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile()) opened += openPath(url.toLocalFile()) ? 1 : 0;
    return opened;
}

void MainWindow::dropEvent(QDropEvent* e) {
    openDropped(e->mimeData());
    e->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (runPanel_->controller().running()) runPanel_->controller().cancel();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
    QMainWindow::closeEvent(e);
}

}  // namespace stacksim::gui
