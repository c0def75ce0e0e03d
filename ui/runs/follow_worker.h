#pragma once
// Follows a veRL or TRL job's output directory on a worker thread: new steps go into
// the open run database, and the dashboard picks them up as for a local run.
#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace aha {
class RunFollower;
class RolloutStepBuilder;
namespace db {
class RunStore;
}
}  // namespace aha

namespace aha::ui {

struct FollowRequest {
  QString engine;  // verl | trl
  QString directory, dbPath, runName;
};

class FollowWorker : public QObject {
  Q_OBJECT
 public:
  explicit FollowWorker(FollowRequest request);
  ~FollowWorker() override;

 public slots:
  void start();  // in the worker thread: opens the run, then polls every second
  void stop();   // stores nothing more; the run is marked stopped

 signals:
  void stepsStored(const QString& run, qint64 lastStep);
  void message(const QString& text);  // a skipped line, or why following stopped
  void finished();

 private:
  void poll();
  FollowRequest request_;
  QTimer* timer_ = nullptr;
  std::unique_ptr<db::RunStore> store_;
  std::unique_ptr<RolloutStepBuilder> builder_;
  std::unique_ptr<RunFollower> follower_;
};

}  // namespace aha::ui
