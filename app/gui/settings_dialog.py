"""Settings: threads, context, GPU layers, KV cache, auto-lock, OCR, the firm server.

A setting IT fixed in the managed policy (app/policy.py) is shown with its enforced value,
greyed out and marked "Managed by your organisation", so nobody wonders why a change
does not stick. The firm inference server comes from the machine policy and is only shown
(address, how its certificate is checked, which models and matters may use it); what the
user sets is how many documents a grid or batch sends to it at once, up to the policy's
``max_parallel`` for that server.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.config import Settings, load_settings, managed, save_settings
from app.errors import ChambersError
from app.policy import inference_servers, ocr_allowed, ocr_languages

#: The most documents at once when the policy sets no ``max_parallel`` for the server.
PARALLEL_CAP = 64


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(440)
        settings = load_settings()
        #: Settings this dialog does not show are saved back as they were, not reset.
        self._loaded = settings
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("Automatic"))
        self.threads.setValue(settings.threads)
        self.context = QSpinBox()
        self.context.setRange(0, 262_144)
        self.context.setSingleStep(1024)
        self.context.setSpecialValueText(self.tr("Automatic"))
        self.context.setValue(settings.context)
        self.gpu_auto = QCheckBox(self.tr("Choose automatically"))
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(0, 999)
        auto = settings.gpu_layers == "auto"
        self.gpu_auto.setChecked(auto)
        self.gpu_layers.setValue(0 if auto else int(settings.gpu_layers))
        self.gpu_layers.setEnabled(not auto)
        self.gpu_auto.toggled.connect(lambda on: self.gpu_layers.setEnabled(not on))
        self.kv_cache = QComboBox()
        for value, label in (
            ("auto", "Automatic"),
            ("f16", "16-bit (f16)"),
            ("q8_0", "8-bit (q8_0)"),
        ):
            self.kv_cache.addItem(self.tr(label), value)
        self.kv_cache.setCurrentIndex(max(0, self.kv_cache.findData(settings.kv_cache)))
        self.kv_cache.setToolTip(self.tr("KV cache precision (for IT): 8-bit halves its memory"))
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 24 * 60)
        self.auto_lock.setSpecialValueText(self.tr("Never"))
        self.auto_lock.setSuffix(self.tr(" min"))
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self._default_model = settings.default_model
        self._ocr_user = (settings.ocr_enabled, settings.ocr_languages)  # kept if IT overrides
        self.ocr = QCheckBox(self.tr("Recognise text in scanned pages and images"))
        self.ocr.setChecked(settings.ocr_enabled)
        self.ocr_languages = QLineEdit(settings.ocr_languages)
        self.ocr_languages.setToolTip(
            self.tr('Tesseract language codes joined by "+", e.g. eng+deu')
        )
        self._inference_server = settings.inference_server
        self._server_timeout = settings.server_timeout_seconds  # kept as is (settings file)
        entry = _server_entry(settings.inference_server)
        self.server = QLabel(self._server_text(entry))
        self.server.setWordWrap(True)
        self.server.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.parallel = QSpinBox()
        limit = entry.get("max_parallel") if entry else None
        self.parallel.setRange(1, limit if isinstance(limit, int) else PARALLEL_CAP)
        self.parallel.setValue(min(max(1, settings.server_parallel), self.parallel.maximum()))
        self.parallel.setEnabled(entry is not None)
        self.parallel.setToolTip(
            self.tr(
                "How many documents an extraction grid or a batch of summaries sends to the "
                "firm server at once (its parallel slots). On this computer documents run "
                "one at a time."
            )
        )

        form = QFormLayout(self)
        rows = (
            (self.tr("CPU &threads:"), self.threads),
            (self.tr("&Context (tokens):"), self.context),
            (self.tr("&GPU layers:"), self.gpu_auto),
            ("", self.gpu_layers),
            (self.tr("&Working memory:"), self.kv_cache),
            (self.tr("&Lock matters after idle:"), self.auto_lock),
            (self.tr("&OCR on import:"), self.ocr),
            (self.tr("OCR lan&guages:"), self.ocr_languages),
            (self.tr("Firm inference server:"), self.server),
            (self.tr("Documents &at once on the server:"), self.parallel),
        )
        for label, widget in rows:
            form.addRow(label, widget)
            widget.setAccessibleName(
                label.replace("&", "").rstrip(":") or self.tr("GPU layer count")
            )
        self.managed_names = sorted(managed())
        controls: dict[str, tuple[QWidget, ...]] = {
            "threads": (self.threads,),
            "context": (self.context,),
            "gpu_layers": (self.gpu_auto, self.gpu_layers),
            "kv_cache": (self.kv_cache,),
            "auto_lock_minutes": (self.auto_lock,),
            "ocr_enabled": (self.ocr,),
            "ocr_languages": (self.ocr_languages,),
            "inference_server": (self.server,),
            "server_parallel": (self.parallel,),
        }
        # OCR has its own policy keys (ocr.enabled, ocr.languages), greyed out the same way.
        if not ocr_allowed():
            self.ocr.setChecked(False)
            self.managed_names.append("ocr_enabled")
        if ocr_languages() is not None:
            self.ocr_languages.setText(ocr_languages() or "")
            self.managed_names.append("ocr_languages")
        managed_text = self.tr("Managed by your organisation")
        for name in self.managed_names:
            for control in controls.get(name, ()):
                # The server's description is read-only anyway: greyed, it would not read.
                control.setEnabled(isinstance(control, QLabel))
                control.setToolTip(managed_text)
                control.setAccessibleDescription(managed_text)
                row_label = form.labelForField(control)
                if isinstance(row_label, QLabel) and row_label.text():
                    row_label.setText(row_label.text() + " " + self.tr("(managed)"))
        if self.managed_names:
            notice = QLabel(
                self.tr(
                    "{0}: the greyed-out settings were set by IT and cannot be changed here."
                ).format(managed_text)
            )
            notice.setWordWrap(True)
            notice.setAccessibleName(managed_text)
            form.insertRow(0, notice)
        note = QLabel(self.tr("Model settings apply the next time a model is loaded."))
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> Settings:
        return replace(
            self._loaded,
            threads=self.threads.value(),
            context=self.context.value(),
            gpu_layers="auto" if self.gpu_auto.isChecked() else str(self.gpu_layers.value()),
            kv_cache=str(self.kv_cache.currentData()),
            auto_lock_minutes=self.auto_lock.value(),
            default_model=self._default_model,
            ocr_enabled=self._ocr_user[0]
            if "ocr_enabled" in self.managed_names
            else self.ocr.isChecked(),
            ocr_languages=self._ocr_user[1]
            if "ocr_languages" in self.managed_names
            else self.ocr_languages.text().strip() or "eng",
            inference_server=self._inference_server,
            server_parallel=self.parallel.value(),
            server_timeout_seconds=self._server_timeout,
        )

    def accept(self) -> None:
        save_settings(self.values())
        super().accept()

    def _server_text(self, entry: dict[str, Any] | None) -> str:
        """Where the model runs, from the policy: read-only, IT decides it."""
        from app.engine.server_link import ServerConfig

        listed = [str(e["base_url"]) for e in inference_servers()]
        if not listed:
            return self.tr("None: the model runs on this computer (no server is allowed).")
        if entry is None:
            if self._inference_server:
                return self.tr(
                    "{0} is not allowed by your organisation: the model runs on this computer."
                ).format(self._inference_server)
            return self.tr("Not chosen: the model runs on this computer. Allowed: {0}.").format(
                ", ".join(listed)
            )
        try:
            config = ServerConfig.from_policy(entry)
        except ChambersError as exc:
            return exc.message
        trust = (
            self.tr("certificate pinned")
            if config.fingerprint
            else self.tr("certificate checked against {0}").format(config.ca_cert)
        )
        models = ", ".join(entry.get("models", [])) or self.tr("any model")
        matters = (
            self.tr("every matter")
            if "matters" not in entry
            else self.tr("{0} listed matter(s)").format(len(entry["matters"]))
        )
        return self.tr("{0} ({1}); {2}; {3}. Allowed by your organisation's policy.").format(
            config.base_url, trust, models, matters
        )


def _server_entry(url: str) -> dict[str, Any] | None:
    """The policy's entry for the chosen server, or None (none chosen, or not allowed)."""
    wanted = url.rstrip("/")
    if not wanted:
        return None
    return next((e for e in inference_servers() if str(e["base_url"]).rstrip("/") == wanted), None)
