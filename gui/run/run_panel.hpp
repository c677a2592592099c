#pragma once
#include <QWidget>

#include "gui/run/experiment_parameters.hpp"
#include "gui/run/run_controller.hpp"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QLineSeries;
class QChart;

// Open an experiment, edit its key parameters (as --set overrides), run it as a child
// process and watch progress and live charts; Cancel kills the child.
namespace stacksim::gui {

class ChartView;

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    bool openExperiment(const QString& file);   // false: the error is shown in the panel
    [[nodiscard]] RunController& controller() { return controller_; }
    [[nodiscard]] QStringList overrides() const;  // edited parameters + free-form --set lines
    void setOutputDir(const QString& dir);
    [[nodiscard]] QString outputDir() const;
    [[nodiscard]] QString status() const;
    [[nodiscard]] QLineSeries* liveThroughput() const { return liveThroughput_; }
    [[nodiscard]] QLineSeries* liveP99() const { return liveP99_; }
    [[nodiscard]] int progressPercent() const;

public slots:
    void run();
    void cancel();

signals:
    void resultsReady(const QString& resultsFile);
    void error(const QString& message);

private:
    void setRunning(bool on);
    void appendInterval(const QJsonObject& row);
    void resetLiveChart(double duration_s);

    RunController controller_;
    ExperimentParameters params_;
    QLabel* experimentLabel_;
    QLabel* status_;
    QTableWidget* table_;
    QPlainTextEdit* extraSets_;
    QLineEdit* outDir_;
    QPushButton* runButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QPlainTextEdit* log_;
    ChartView* liveView_;
    QChart* liveChart_ = nullptr;
    QLineSeries* liveThroughput_ = nullptr;
    QLineSeries* liveP99_ = nullptr;
};

}  // namespace stacksim::gui
