#include <QApplication>
#include <QDir>
#include <QIcon>
#include <QSettings>
#include <QStandardPaths>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

#include "app/studio/export_command.h"
#include "core/support/logging.h"
#include "core/support/version.h"
#include "core/rl/torch_engine.h"
#include "ui/window/main_window.h"

int main(int argc, char** argv) {
  // Answered without a display (a GUI that starts, or aborts, for --version is no answer).
  if (argc > 1 && (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "-v"))) {
    std::printf("aha-studio %s (git %s)\n", aha::version(), aha::git_revision());
    return 0;
  }
  if (argc > 1 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    std::printf(
        "usage: aha-studio [DATABASE]\n"
        "       aha-studio export chart --db FILE --metric NAME --out FIG.pdf|svg|png [options]\n"
        "       aha-studio --help | --version\n\n"
        "Aha Studio: launch GRPO runs, watch them learn, read and tag their traces, export figures.\n\n"
        "  DATABASE     a run database to open; default: the last one opened, else runs.aha.db in\n"
        "               the user's data folder (~/.local/share/aha-studio/); the log is logs/aha-studio.log\n"
        "               in that folder\n"
        "  export chart draws stored metrics as a paper figure without a display\n"
        "               (aha-studio export chart --help)\n"
        "  --help, -h   this text\n"
        "  --version, -v  the release and the git revision\n\n"
        "The studio needs a display (X11 or Wayland). The headless command line is 'aha' (aha --help).\n");
    return 0;
  }
  const bool headless = aha::studio::is_export_command(argc, argv);
  // Figures from scripts need no display.
  if (headless && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  // Without a display Qt aborts (exit 134) with advice to reinstall; say what is wrong instead.
  const bool noDisplay = qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
                         qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
  if (!headless && noDisplay) {
    std::fprintf(stderr,
                 "aha-studio: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); the studio needs X11 or\n"
                 "Wayland. Without one: 'aha' trains, imports and exports (aha --help), and\n"
                 "'aha-studio export chart' draws figures (aha-studio export chart --help).\n");
    return 2;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("aha-studio");
  QIcon icon;
  for (const int size : {16, 32, 64, 256}) icon.addFile(QString(":/icons/aha-studio-%1.png").arg(size));
  QApplication::setWindowIcon(icon);
  QApplication::setOrganizationName("aha-studio");
  QApplication::setApplicationVersion(aha::version());

  if (headless) return aha::studio::run_export_command(argc, argv);

  const QString dataDir = aha::ui::MainWindow::dataDirectory();
  aha::init_logging(QDir(dataDir).filePath("logs/aha-studio.log").toStdString());
  spdlog::info("Aha Studio {} ({}) starting", aha::version(), aha::git_revision());

  aha::ui::MainWindow window(aha::torch_engine());
  // A database named on the command line, else the last one, else the default one in
  // the user's data directory.
  const QStringList args = QApplication::arguments();
  const QString named = args.size() > 1 && !args[1].startsWith('-') ? args[1] : QString();
  const QString last = QSettings().value("database/last").toString();
  if (!named.isEmpty()) window.openDatabase(named);
  else if (last.isEmpty() || !window.openDatabase(last, /*quiet=*/true))
    window.openDatabase(aha::ui::MainWindow::defaultDatabasePath());
  window.show();
  return app.exec();
}
