#include "ui/runs/follow_worker.h"

#include <QTimer>

#include "core/analysis/reflection.h"
#include "core/interop/run_follower.h"
#include "db/run_reader.h"
#include "db/run_store.h"

namespace aha::ui {

FollowWorker::FollowWorker(FollowRequest request) : request_(std::move(request)) {}
FollowWorker::~FollowWorker() = default;

void FollowWorker::start() {
  try {
    const std::string db = request_.dbPath.toStdString(), name = request_.runName.toStdString();
    bool exists = false;
    {
      db::RunReader reader(db);
      exists = reader.run_by_name(name).has_value();
    }
    store_ = std::make_unique<db::RunStore>(db);
    RunInfo info;
    info.name = name;
    info.source = request_.engine.toStdString();
    info.task = info.source + " import";
    info.code_version = info.source;
    store_->begin_run(info, exists);
    store_->set_status(RunStatus::Running, "following " + request_.directory.toStdString());
    builder_ = std::make_unique<RolloutStepBuilder>(default_reflection_lexicon(), nullptr);
    follower_ = std::make_unique<RunFollower>(info.source, request_.directory.toStdString(), *store_, *builder_,
                                              [this](const std::string& m) { emit message(QString::fromStdString(m)); });
  } catch (const std::exception& e) {
    emit message(tr("Cannot follow %1: %2").arg(request_.directory, QString::fromStdString(e.what())));
    emit finished();
    return;
  }
  timer_ = new QTimer(this);
  timer_->setInterval(1000);
  connect(timer_, &QTimer::timeout, this, &FollowWorker::poll);
  timer_->start();
  poll();
}

void FollowWorker::poll() {
  try {
    if (follower_->poll(2.0) > 0) emit stepsStored(request_.runName, store_->last_step());
  } catch (const std::exception& e) {
    emit message(QString::fromStdString(e.what()));  // e.g. the directory went away: try again next time
  }
}

void FollowWorker::stop() {
  if (timer_) timer_->stop();
  if (store_) {
    try {
      store_->set_status(RunStatus::Stopped, "follow ended");
    } catch (const std::exception&) {
    }
  }
  follower_.reset();
  store_.reset();
  emit finished();
}

}  // namespace aha::ui
