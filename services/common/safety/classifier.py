"""The safety classifier: `services.common.language.linear` with one label per route.

The model file (`model/classifier.json`) is written by `python -m eval.train_safety`, which
reproduces it byte for byte from the committed corpus; the two thresholds per route (certain,
and the grey band below it) are chosen on the development split.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from services.common.language.linear import LinearModel, load
from services.common.safety.routes import Route

MODEL_PATH = Path(__file__).with_name("model") / "classifier.json"

Classifier = LinearModel[Route]


@lru_cache(maxsize=1)
def default_classifier() -> Classifier | None:
    """The committed model, or None before the first training (the rules still run)."""
    return load(MODEL_PATH, Route)
