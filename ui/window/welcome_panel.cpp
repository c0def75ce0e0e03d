#include "ui/window/welcome_panel.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/run/run_config.h"
#include "core/support/paths.h"

namespace aha::ui {

QString WelcomePanel::demoPresetToml() {
  QFile f(QString::fromStdString((resources_dir() / "presets" / "demo-arithmetic.toml").string()));
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

WelcomePanel::WelcomePanel(QWidget* parent) : QWidget(parent) {
  auto* text = new QLabel(this);
  text->setWordWrap(true);
  text->setTextFormat(Qt::RichText);
  text->setMaximumWidth(760);
  text->setText(tr(
      "<h2>Watch a small model learn to check its own work</h2>"
      "<p>The demo run trains the <b>built-in tiny model</b> (1.2 M parameters, pretrained on worked sums "
      "of three numbers in which some steps are wrong and a few solutions check each step column by column) "
      "with <b>GRPO</b>, the reinforcement learning of DeepSeek-R1-Zero: for each problem it samples 8 "
      "answers, rewards the right ones, and makes them more likely. It runs on this computer's CPU in about "
      "ten minutes.</p>"
      "<p><b>What to watch for</b></p>"
      "<ul>"
      "<li><b>accuracy</b> and <b>reward</b> rise;</li>"
      "<li><b>response length</b> grows: the model starts to write longer answers;</li>"
      "<li><b>aha rate</b>, the share of answers that stop and check themselves (\"622 check 7+5=12 ... so "
      "632\"), climbs towards nearly all answers, because checking is what makes the answers right;</li>"
      "<li><b>aha quality</b> tells real checks from ritual ones, as shares of all answers. Checks that fix a wrong sum (the "
      "<b>real aha</b>) and checks that confirm a right one both grow; so does a recited \"wait, 632 was "
      "wrong\" that changes nothing, which the chart shows as <b>ritual</b>, not as an aha.</li>"
      "</ul>"
      "<p>Click any point of a chart to read the answers of that step in the <b>Traces</b> tab, where each "
      "reflection carries its outcome (\"fix 622 \u2192 632\", \"ritual\") and the answers GRPO compared "
      "sit side by side.</p>"));
  start_ = new QPushButton(tr("Start the demo run"), this);
  start_->setDefault(true);
  start_->setMinimumHeight(36);
  auto* other = new QPushButton(tr("Choose another preset..."), this);
  const QString preset = demoPresetToml();
  start_->setEnabled(!preset.isEmpty());
  if (preset.isEmpty()) start_->setToolTip(tr("The built-in resources were not found; reinstall Aha Studio."));
  connect(start_, &QPushButton::clicked, this, [this] { emit startDemo(demoPresetToml()); });
  connect(other, &QPushButton::clicked, this, &WelcomePanel::choosePreset);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(other);
  buttons->addStretch();
  auto* column = new QVBoxLayout;
  column->addStretch();
  column->addWidget(text);
  column->addSpacing(12);
  column->addLayout(buttons);
  column->addStretch();
  auto* outer = new QHBoxLayout(this);
  outer->addStretch();
  outer->addLayout(column);
  outer->addStretch();
}

}  // namespace aha::ui
