#include "ui/probes/anchor_worker.h"

namespace aha::ui {

void AnchorWorker::run(const aha::AnchorRequest& request) {
  try {
    auto map = map_(request, [this](int done, int total) {
      emit progress(done, total);
      return !cancelled_.load();
    });
    if (map) emit finished(*map, QString(), false);
    else emit finished(AnchorMap{}, QString(), true);
  } catch (const std::exception& e) {
    emit finished(AnchorMap{}, QString::fromStdString(e.what()), false);
  }
}

}  // namespace aha::ui
