// Does the studio stay responsive while a run trains at full speed? Opens the main
// window, starts a run from a config, and probes the GUI event loop with a 5 ms timer for
// the whole run: every gap beyond the interval is time the loop could not answer.
// Prints max and p99 of the gaps, and the run's steps. Usage:
//   xvfb-run -a build/tests/bench/bench_gui_stall CONFIG.toml [DB] [screenshot.png]
// (QT_QPA_PLATFORM=offscreen works too; Xvfb also exercises real painting.)
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/rl/torch_engine.h"
#include "ui/window/main_window.h"
#include "ui/runs/run_controller.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("aha-studio-bench");
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_gui_stall CONFIG.toml [DB] [screenshot.png]\n");
    return 2;
  }
  QFile config(argv[1]);
  if (!config.open(QIODevice::ReadOnly)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const QString db = argc > 2 ? argv[2] : "/tmp/aha-stall.db";
  for (const char* suffix : {"", "-wal", "-shm"}) QFile::remove(db + suffix);
  aha::ui::MainWindow window(aha::torch_engine());
  window.resize(1500, 950);
  window.show();
  window.openDatabase(db);

  std::vector<double> gaps;
  QElapsedTimer clock, total;
  int steps = 0;
  QTimer probe;
  probe.setInterval(5);
  QObject::connect(&probe, &QTimer::timeout, [&] {
    gaps.push_back(clock.nsecsElapsed() / 1e6 - 5.0);
    clock.restart();
  });
  QObject::connect(window.controller(), &aha::ui::RunController::stepFinished, [&] { ++steps; });
  QObject::connect(window.controller(), &aha::ui::RunController::statusChanged,
                   [&](const QString&, const QString& status, const QString& message) {
                     std::printf("status %s %s\n", qPrintable(status), qPrintable(message));
                     std::fflush(stdout);
                     if (status == "finished" || status == "failed" || status == "stopped") {
                       if (argc > 3) window.grab().save(argv[3]);
                       probe.stop();
                       // Out of the signal's delivery, once the worker thread has ended.
                       QTimer::singleShot(1000, &app, [&app] { app.exit(0); });
                     }
                   });
  QTimer::singleShot(500, [&] {
    window.startRun(QString::fromUtf8(config.readAll()));
    total.start();
    clock.start();
    probe.start();
  });
  app.exec();
  if (gaps.empty()) return 1;
  std::sort(gaps.begin(), gaps.end());
  std::printf("probed %.0f s of training (%d steps, %zu probes): GUI stall max %.1f ms, p99 %.1f ms, p50 %.2f ms\n",
              total.elapsed() / 1000.0, steps, gaps.size(), gaps.back(), gaps[gaps.size() * 99 / 100],
              gaps[gaps.size() / 2]);
  std::fflush(stdout);
  return 0;
}
