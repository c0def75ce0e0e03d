#pragma once
// What a first-time user sees on an empty database: what the demo run will do, what to
// watch for, and one button that starts it.
#include <QWidget>

class QPushButton;

namespace aha::ui {

class WelcomePanel : public QWidget {
  Q_OBJECT
 public:
  explicit WelcomePanel(QWidget* parent = nullptr);
  QPushButton* startButton() const { return start_; }
  // The built-in demo preset's TOML ("" when the resources are missing).
  static QString demoPresetToml();

 signals:
  void startDemo(const QString& configToml);
  void choosePreset();

 private:
  QPushButton* start_;
};

}  // namespace aha::ui
