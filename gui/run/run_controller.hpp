#pragma once
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>

// Runs an experiment as a `stacksim run --progress-jsonl` child process (the GUI never links
// SimGrid: one engine per process) and turns its JSON lines into signals. Cancel kills the
// child; the CLI writes results atomically, so a cancelled run leaves no results file.
namespace stacksim::gui {

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    // The stacksim executable (default: next to this program, else on PATH).
    void setProgram(const QString& program) { program_ = program; }
    [[nodiscard]] QString program() const { return program_; }
    static QString defaultProgram();

    // Starts `program run EXPERIMENT --out OUT --quiet --progress-jsonl [--set S]...`.
    // Returns false (and emits failed) when a run is already going or the program is missing.
    bool start(const QString& experiment, const QString& outDir, const QStringList& sets);
    void cancel();
    [[nodiscard]] bool running() const { return process_.state() != QProcess::NotRunning; }
    [[nodiscard]] QStringList arguments() const { return process_.arguments(); }

signals:
    void started(const QJsonObject& start);          // the "start" line: name, duration_s, interval_s
    void progress(double sim_s, double end_s, qulonglong events);
    void interval(const QJsonObject& row);           // one series row per closed interval
    void finished(const QString& resultsFile);       // success: results written
    void failed(const QString& message);             // non-zero exit, crash or bad start; stderr tail
    void cancelled();

private:
    void readLines();
    void onFinished(int code, QProcess::ExitStatus status);
    QProcess process_;
    QString program_, outDir_, resultsFile_;
    QByteArray buffer_;
    QStringList errorLines_;  // stderr lines that are not JSON: the CLI's error messages
    bool cancelling_ = false;
};

}  // namespace stacksim::gui
