#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <spdlog/spdlog.h>

#include "app/studio/export_command.h"
#include "core/support/logging.h"
#include "core/support/version.h"
#include "core/rl/torch_engine.h"
#include "ui/window/main_window.h"

int main(int argc, char** argv) {
  const bool headless = aha::studio::is_export_command(argc, argv);
  // Figures from scripts need no display.
  if (headless && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setApplicationName("aha-studio");
  QApplication::setOrganizationName("aha-studio");
  QApplication::setApplicationVersion(aha::version());

  if (headless) return aha::studio::run_export_command(argc, argv);

  const QString dataDir = aha::ui::MainWindow::dataDirectory();
  aha::init_logging(QDir(dataDir).filePath("logs/aha-studio.log").toStdString());
  spdlog::info("Aha Studio {} ({}) starting", aha::version(), aha::git_revision());

  aha::ui::MainWindow window(aha::torch_engine());
  // The last database, else the default one in the user's data directory.
  const QString last = QSettings().value("database/last").toString();
  if (last.isEmpty() || !window.openDatabase(last, /*quiet=*/true)) window.openDatabase(aha::ui::MainWindow::defaultDatabasePath());
  window.show();
  return app.exec();
}
