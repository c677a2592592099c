#include "gui/run/run_controller.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

namespace stacksim::gui {

RunController::RunController(QObject* parent) : QObject(parent), program_(defaultProgram()) {
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&process_, &QProcess::readyReadStandardError, this, &RunController::readLines);
    // The summary on stdout is not needed (the results document has it); drain it.
    connect(&process_, &QProcess::readyReadStandardOutput, this, [this] { process_.readAllStandardOutput(); });
    connect(&process_, &QProcess::finished, this, &RunController::onFinished);
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) emit failed(tr("cannot start %1: %2").arg(program_, process_.errorString()));
    });
}

RunController::~RunController() {
    if (running()) {
        process_.kill();
        process_.waitForFinished(2000);
    }
}

QString RunController::defaultProgram() {
    const QString dir = QCoreApplication::applicationDirPath();
    // Build tree: build/<preset>/gui/stacksim-gui next to build/<preset>/cli/stacksim.
    for (const QString& candidate : {dir + QStringLiteral("/stacksim"), dir + QStringLiteral("/../cli/stacksim")})
        if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).canonicalFilePath();
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("stacksim"));
    return onPath.isEmpty() ? QStringLiteral("stacksim") : onPath;
}

bool RunController::start(const QString& experiment, const QString& outDir, const QStringList& sets) {
    if (running()) {
        emit failed(tr("a run is already in progress"));
        return false;
    }
    buffer_.clear();
    errorLines_.clear();
    cancelling_ = false;
    outDir_ = outDir;
    resultsFile_.clear();
    QStringList args{QStringLiteral("run"), experiment, QStringLiteral("--out"), outDir, QStringLiteral("--quiet"),
                     QStringLiteral("--progress-jsonl"), QStringLiteral("-r"), QStringLiteral("1")};
    for (const QString& s : sets) args << QStringLiteral("--set") << s;
    process_.start(program_, args);
    return true;
}

void RunController::cancel() {
    if (!running()) return;
    cancelling_ = true;
    process_.kill();
}

void RunController::readLines() {
    buffer_ += process_.readAllStandardError();
    qsizetype nl;
    while ((nl = buffer_.indexOf('\n')) >= 0) {
        const QByteArray lineBytes = buffer_.left(nl).trimmed();
        buffer_.remove(0, nl + 1);
        if (lineBytes.isEmpty()) continue;
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(lineBytes, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            errorLines_ << QString::fromUtf8(lineBytes);
            continue;
        }
        const QJsonObject o = doc.object();
        const QString event = o.value(QStringLiteral("event")).toString();
        if (event == QLatin1String("start")) emit started(o);
        else if (event == QLatin1String("progress"))
            emit progress(o.value(QStringLiteral("sim_s")).toDouble(), o.value(QStringLiteral("end_s")).toDouble(),
                          static_cast<qulonglong>(o.value(QStringLiteral("events")).toDouble()));
        else if (event == QLatin1String("interval")) emit interval(o);
        else if (event == QLatin1String("done")) resultsFile_ = o.value(QStringLiteral("results")).toString();
    }
}

void RunController::onFinished(int code, QProcess::ExitStatus status) {
    readLines();
    if (cancelling_) {
        cancelling_ = false;
        emit cancelled();
        return;
    }
    if (status == QProcess::NormalExit && code == 0) {
        emit finished(resultsFile_.isEmpty() ? outDir_ + QStringLiteral("/results.json") : resultsFile_);
        return;
    }
    const QString tail = errorLines_.mid(std::max<qsizetype>(0, errorLines_.size() - 8)).join(QLatin1Char('\n'));
    emit failed(status == QProcess::CrashExit ? tr("stacksim crashed\n%1").arg(tail)
                                              : tr("stacksim exited with code %1\n%2").arg(code).arg(tail));
}

}  // namespace stacksim::gui
