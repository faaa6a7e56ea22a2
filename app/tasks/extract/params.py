"""Fitted decision parameters: when a rule decides alone, and how the model's vote counts.

Fitted on the CUAD dev contracts only (tools/fit_extract.py) and stored as data in
``resources/extract/chooser.json`` with the figures they were fitted on, per model
(by SHA-256): a model's letter scores are on its own scale, so its weights are its own.
A model with none fitted uses the defaults, and says so (``fitted`` is False), so a
bigger model a firm imports runs the same pipeline with neutral weights rather than
weights shaped around the 0.5B default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.paths import resource_path

PARAMS_FILE = ("resources", "extract", "chooser.json")
DEFAULT_MARGIN = 1.0
DEFAULT_WEIGHTS = (1.0, 1.0)
DEFAULT_CLAUSE_THRESHOLD = 1.0
DEFAULT_MAX_OPTIONS = 4


@dataclass(frozen=True)
class ChooserParams:
    fitted: bool = False
    model_sha256: str | None = None
    max_options: int = DEFAULT_MAX_OPTIONS
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    def _get(self, name: str, key: str, default: Any) -> Any:
        return self.fields.get(name, {}).get(key, self.defaults.get(key, default))

    def margin(self, name: str) -> float:
        return float(self._get(name, "margin", DEFAULT_MARGIN))

    def weights(self, name: str) -> tuple[float, float]:
        rule, model = self._get(name, "weights", list(DEFAULT_WEIGHTS))
        return float(rule), float(model)

    def clause_threshold(self, name: str) -> float:
        return float(self._get(name, "clause_threshold", DEFAULT_CLAUSE_THRESHOLD))


def load_params(model_sha256: str | None) -> ChooserParams:
    """The parameters fitted for this model, else the shared defaults (``fitted`` False)."""
    path = resource_path(*PARAMS_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ChooserParams()
    defaults = data.get("defaults", {})
    rules = data.get("rules", {})  # model-independent (clause thresholds): always apply
    per_model = data.get("models", {}).get(model_sha256 or "", None)
    if per_model is None:
        return ChooserParams(
            False, model_sha256, int(defaults.get("max_options", 4)), rules, defaults
        )
    merged = {
        name: {**rules.get(name, {}), **per_model.get("fields", {}).get(name, {})}
        for name in set(rules) | set(per_model.get("fields", {}))
    }
    return ChooserParams(
        True,
        model_sha256,
        int(per_model.get("max_options", defaults.get("max_options", DEFAULT_MAX_OPTIONS))),
        merged,
        {**defaults, **per_model.get("defaults", {})},
    )
