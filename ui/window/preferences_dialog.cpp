#include "ui/window/preferences_dialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "core/support/config_reader.h"
#include "core/run/run_config.h"

namespace aha::ui {
namespace {
const char* kKey = "reflection/toml";
const char* kExample =
    "# Phrases added to the aha detector's built-in lexicon for new runs. Each entry:\n"
    "# phrase, category (verification | backtracking | restart), and optional context\n"
    "# lists preceded_by / followed_by / not_followed_by / not_preceded_by (\"#\" = a digit,\n"
    "# \"^\" = line start).\n"
    "[reflection]\n"
    "use_default_lexicon = true\n"
    "phrases = [\n"
    "  # { phrase = \"look again\", category = \"verification\", preceded_by = [\"let me \"] },\n"
    "]\n";
}  // namespace

QString PreferencesDialog::reflectionToml() { return QSettings().value(kKey).toString(); }

QString PreferencesDialog::validateReflection(const QString& toml) {
  try {
    const auto root = parse_toml_text(toml.toStdString(), "preferences");
    for (const auto& [key, value] : root)
      if (key.str() != "reflection") return tr("preferences: only a [reflection] table belongs here, not '%1'").arg(QString::fromUtf8(key.str().data(), int(key.str().size())));
    RunConfig::from_toml(toml.toStdString(), "preferences");  // the same checks as a run config
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

PreferencesDialog::PreferencesDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  edit_ = new QPlainTextEdit(this);
  edit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  const QString stored = reflectionToml();
  edit_->setPlainText(stored.isEmpty() ? kExample : stored);
  error_ = new QLabel(this);
  error_->setStyleSheet("color:#D55E00");
  error_->setWordWrap(true);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons_, &QDialogButtonBox::accepted, this, &PreferencesDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(edit_, &QPlainTextEdit::textChanged, this, [this] {
    const QString err = validateReflection(edit_->toPlainText());
    error_->setText(err);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(err.isEmpty());
  });
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<b>Reflection lexicon</b> for new runs (a run keeps its own copy in its config):"), this));
  layout->addWidget(edit_, 1);
  layout->addWidget(error_);
  layout->addWidget(buttons_);
  resize(720, 420);
}

void PreferencesDialog::accept() {
  if (!validateReflection(edit_->toPlainText()).isEmpty()) return;
  QSettings().setValue(kKey, edit_->toPlainText());
  QDialog::accept();
}

}  // namespace aha::ui
