#pragma once
// Runs one TrainingJob (or a sweep's) on the thread it lives in (a QThread of RunController). It
// reports to the UI by queued signals only; pause/resume/stop are forwarded to the job,
// which is thread-safe and acts at the next step boundary.
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>

#include "core/run/engine.h"

namespace aha {
class SweepJob;
class TrainingJob;
}

namespace aha::ui {

struct StepInfo {
  QString run;
  qint64 step = 0, total = 0;
  double reward = 0, accuracy = 0, meanLength = 0, ahaRate = 0;
  double tokensPerSecond = 0, stepSeconds = 0, etaSeconds = 0;
  double gpuMemoryBytes = -1;  // negative on CPU
};

class RunWorker : public QObject {
  Q_OBJECT
 public:
  explicit RunWorker(Engine engine, QObject* parent = nullptr);
  ~RunWorker() override;
  // Thread-safe; no-ops when no job runs.
  void pause();
  void resume();
  void stop();

 public slots:
  // Parses `configToml`, runs it to the end (blocking this thread's event loop).
  void run(const QString& configToml, const QString& dbPath, bool resume);
  // Trains a sweep (core/run/sweep.h) from its TOML (`dir`: where its base path is
  // relative to) into `dbPath`: every member not finished yet, one after another; each
  // member reports as a run does.
  void runSweep(const QString& sweepToml, const QString& dir, const QString& dbPath);

 signals:
  void stepFinished(const aha::ui::StepInfo& info);
  // status: "running", "paused", "stopped", "finished", "failed"
  void statusChanged(const QString& run, const QString& status, const QString& message);
  void jobEnded(const QString& run);

 private:
  Engine engine_;
  std::mutex mutex_;
  std::shared_ptr<TrainingJob> job_;
  std::shared_ptr<SweepJob> sweep_;
};

}  // namespace aha::ui

Q_DECLARE_METATYPE(aha::ui::StepInfo)
