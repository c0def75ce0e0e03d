#include "ui/probes/gain_worker.h"

#include "db/probe_source.h"

namespace aha::ui {

void GainWorker::run(const QString& dbPath, const GainRequest& request) {
  cancelled_ = false;
  try {
    const auto source = db::open_probe_source(dbPath.toStdString());  // a connection of this thread's own
    const auto result = gain_of_run(*source, request, probe_, [this](const GainProgress& p) {
      emit progress(QString::fromStdString(p.what), p.done, p.total);
      return !cancelled_.load();
    });
    emit finished(result, QString(), false);
  } catch (const std::exception& e) {
    emit finished(GainResult{}, cancelled_.load() ? QString() : QString::fromStdString(e.what()), cancelled_.load());
  }
}

}  // namespace aha::ui
