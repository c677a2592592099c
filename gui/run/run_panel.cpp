#include "gui/run/run_panel.hpp"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

#include "gui/charts/chart_view.hpp"

namespace stacksim::gui {

RunPanel::RunPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    auto* openButton = new QPushButton(tr("Open experiment…"));
    experimentLabel_ = new QLabel(tr("No experiment open"));
    experimentLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(openButton);
    top->addWidget(experimentLabel_, 1);
    layout->addLayout(top);

    auto* split = new QSplitter(Qt::Horizontal);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    table_ = new QTableWidget(0, 2);
    table_->setHorizontalHeaderLabels({tr("parameter (--set path)"), tr("value")});
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    left->setMinimumWidth(460);
    table_->verticalHeader()->hide();
    leftLayout->addWidget(table_, 1);
    leftLayout->addWidget(new QLabel(tr("More overrides, one PATH=VALUE per line:")));
    extraSets_ = new QPlainTextEdit;
    extraSets_->setPlaceholderText(QStringLiteral("workload.arrivals=poisson"));
    extraSets_->setMaximumHeight(70);
    leftLayout->addWidget(extraSets_);
    auto* form = new QFormLayout;
    outDir_ = new QLineEdit;
    form->addRow(tr("Output directory"), outDir_);
    leftLayout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    runButton_ = new QPushButton(tr("Run"));
    runButton_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    buttons->addWidget(runButton_);
    buttons->addWidget(cancelButton_);
    leftLayout->addLayout(buttons);
    progress_ = new QProgressBar;
    progress_->setRange(0, 100);
    progress_->setValue(0);
    leftLayout->addWidget(progress_);
    status_ = new QLabel;
    status_->setWordWrap(true);
    leftLayout->addWidget(status_);
    split->addWidget(left);

    auto* right = new QSplitter(Qt::Vertical);
    liveView_ = new ChartView;
    right->addWidget(liveView_);
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(500);
    right->addWidget(log_);
    right->setStretchFactor(0, 4);
    split->addWidget(right);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    resetLiveChart(1);

    connect(openButton, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(), tr("Experiments (*.json)"));
        if (!f.isEmpty()) openExperiment(f);
    });
    connect(runButton_, &QPushButton::clicked, this, &RunPanel::run);
    connect(cancelButton_, &QPushButton::clicked, this, &RunPanel::cancel);
    connect(&controller_, &RunController::started, this, [this](const QJsonObject& o) {
        resetLiveChart(o.value(QStringLiteral("duration_s")).toDouble(1));
        log_->appendPlainText(tr("started %1 (seed %2)").arg(o.value(QStringLiteral("name")).toString()).arg(o.value(QStringLiteral("seed")).toDouble()));
    });
    connect(&controller_, &RunController::progress, this, [this](double s, double end, qulonglong events) {
        progress_->setValue(end > 0 ? static_cast<int>(std::lround(100 * std::min(1.0, s / end))) : 0);
        status_->setText(tr("simulated %1 of %2 s, %3 events").arg(s, 0, 'f', 0).arg(end, 0, 'f', 0).arg(events));
    });
    connect(&controller_, &RunController::interval, this, &RunPanel::appendInterval);
    connect(&controller_, &RunController::finished, this, [this](const QString& file) {
        setRunning(false);
        progress_->setValue(100);
        status_->setText(tr("done: %1").arg(file));
        log_->appendPlainText(tr("results: %1").arg(file));
        emit resultsReady(file);
    });
    connect(&controller_, &RunController::failed, this, [this](const QString& message) {
        setRunning(false);
        status_->setText(tr("run failed"));
        log_->appendPlainText(message);
        emit error(tr("The run failed:\n%1").arg(message));
    });
    connect(&controller_, &RunController::cancelled, this, [this] {
        setRunning(false);
        progress_->setValue(0);
        status_->setText(tr("cancelled"));
        log_->appendPlainText(tr("cancelled; no results were written"));
    });
}

bool RunPanel::openExperiment(const QString& file) {
    params_ = readExperimentParameters(file);
    table_->setRowCount(0);
    if (!params_.error.isEmpty()) {
        experimentLabel_->setText(tr("Cannot open %1").arg(file));
        status_->setText(params_.error);
        emit error(params_.error);
        return false;
    }
    experimentLabel_->setText(QStringLiteral("%1 — %2").arg(params_.name, QFileInfo(file).absoluteFilePath()));
    table_->setRowCount(static_cast<int>(params_.parameters.size()));
    for (int r = 0; r < table_->rowCount(); ++r) {
        const auto& p = params_.parameters[static_cast<std::size_t>(r)];
        auto* key = new QTableWidgetItem(p.path);
        key->setFlags(key->flags() & ~Qt::ItemIsEditable);
        table_->setItem(r, 0, key);
        table_->setItem(r, 1, new QTableWidgetItem(p.value));
    }
    const QString base = QStandardPaths::writableLocation(QStandardPaths::TempLocation) + QStringLiteral("/stacksim-gui/");
    outDir_->setText(base + params_.name + QLatin1Char('-') + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss")));
    status_->setText(tr("Edit values, then Run (edited values become --set overrides)"));
    return true;
}

QStringList RunPanel::overrides() const {
    ExperimentParameters edited = params_;
    for (int r = 0; r < table_->rowCount() && r < static_cast<int>(edited.parameters.size()); ++r)
        if (const auto* item = table_->item(r, 1)) edited.parameters[static_cast<std::size_t>(r)].value = item->text();
    QStringList sets = edited.overrides();
    for (const QString& line : extraSets_->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty()) sets << line.trimmed();
    return sets;
}

void RunPanel::setOutputDir(const QString& dir) { outDir_->setText(dir); }
QString RunPanel::outputDir() const { return outDir_->text(); }
QString RunPanel::status() const { return status_->text(); }
int RunPanel::progressPercent() const { return progress_->value(); }

void RunPanel::run() {
    if (params_.file.isEmpty() || !params_.error.isEmpty()) {
        emit error(tr("Open an experiment first"));
        return;
    }
    const QStringList sets = overrides();
    log_->clear();
    log_->appendPlainText(QStringLiteral("%1 run %2 %3").arg(controller_.program(), params_.file, sets.join(QLatin1Char(' '))));
    QDir().mkpath(outDir_->text());
    // Running state first: a program that cannot start reports failure from inside start().
    setRunning(true);
    progress_->setValue(0);
    status_->setText(tr("starting…"));
    if (!controller_.start(QFileInfo(params_.file).absoluteFilePath(), QDir(outDir_->text()).absolutePath(), sets))
        setRunning(controller_.running());
}

void RunPanel::cancel() { controller_.cancel(); }

void RunPanel::setRunning(bool on) {
    runButton_->setEnabled(!on);
    cancelButton_->setEnabled(on);
    table_->setEnabled(!on);
}

void RunPanel::resetLiveChart(double duration_s) {
    auto* chart = new QChart;
    chart->setTitle(tr("Live: throughput and p99 per interval"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    liveThroughput_ = new QLineSeries;
    liveThroughput_->setName(tr("completed/s"));
    liveThroughput_->setColor(QColor(0x59a14f));
    liveP99_ = new QLineSeries;
    liveP99_->setName(tr("p99 (ms)"));
    liveP99_->setColor(QColor(0xe15759));
    chart->addSeries(liveThroughput_);
    chart->addSeries(liveP99_);
    auto* x = new QValueAxis;
    x->setRange(0, duration_s);
    x->setTitleText(tr("simulated time (s)"));
    auto* yRate = new QValueAxis;
    yRate->setTitleText(tr("requests/s"));
    yRate->setRange(0, 1);
    auto* yLat = new QValueAxis;
    yLat->setTitleText(tr("p99 (ms)"));
    yLat->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(yRate, Qt::AlignLeft);
    chart->addAxis(yLat, Qt::AlignRight);
    liveThroughput_->attachAxis(x);
    liveThroughput_->attachAxis(yRate);
    liveP99_->attachAxis(x);
    liveP99_->attachAxis(yLat);
    liveChart_ = chart;
    liveView_->replaceChart(chart);
}

void RunPanel::appendInterval(const QJsonObject& row) {
    const double t = row.value(QStringLiteral("t_s")).toDouble();
    const double rate = row.value(QStringLiteral("completed_rps")).toDouble();
    liveThroughput_->append(t, rate);
    const QJsonValue p99 = row.value(QStringLiteral("p99_s"));
    if (p99.isDouble()) liveP99_->append(t, 1000 * p99.toDouble());
    // Grow the axes to the data seen so far.
    const auto axes = liveChart_->axes(Qt::Vertical);
    if (axes.size() == 2) {
        auto* yRate = qobject_cast<QValueAxis*>(axes[0]);
        auto* yLat = qobject_cast<QValueAxis*>(axes[1]);
        if (yRate && rate * 1.1 > yRate->max()) yRate->setMax(rate * 1.1);
        if (yLat && p99.isDouble() && 1100 * p99.toDouble() > yLat->max()) yLat->setMax(1100 * p99.toDouble());
    }
    auto* x = qobject_cast<QValueAxis*>(liveChart_->axes(Qt::Horizontal).value(0));
    if (x && t > x->max()) x->setMax(t);
}

}  // namespace stacksim::gui
