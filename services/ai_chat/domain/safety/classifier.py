"""The trained classifier: one logistic regression per route over the hashed features.

The model file (`model/classifier.json`) is written by `python -m eval.train_safety`, which
reproduces it byte for byte from the committed corpus: weights, intercepts, and the two
thresholds per route chosen on the development split. Plain JSON, so a reviewer can diff a
retrained model and nothing executable is loaded.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from services.ai_chat.domain.safety.features import N_FEATURES, vectorizer
from services.ai_chat.domain.safety.routes import Route

MODEL_PATH = Path(__file__).with_name("model") / "classifier.json"
FORMAT = 1


@dataclass(frozen=True)
class Thresholds:
    # At or above: the route is certain (full guidance, urgent request).
    certain: float
    # At or above (and below `certain`): the grey band (a short check, a review by a person).
    uncertain: float


@dataclass(frozen=True)
class Classifier:
    routes: tuple[Route, ...]
    weights: Any  # csr_matrix, features × routes
    intercepts: Any  # ndarray, one per route
    thresholds: dict[Route, Thresholds]

    def probabilities(self, feature_names: list[str]) -> dict[Route, float]:
        row = vectorizer().transform([feature_names])
        logits = np.asarray((row @ self.weights).todense()).ravel() + self.intercepts
        return {
            route: 1.0 / (1.0 + math.exp(-float(logit)))
            for route, logit in zip(self.routes, logits, strict=True)
        }


def to_json(
    *,
    routes: tuple[Route, ...],
    coefficients: Any,
    intercepts: Any,
    thresholds: dict[Route, Thresholds],
    training: dict[str, Any],
) -> str:
    """The model file's text: deterministic (sorted, rounded) so retraining reproduces it."""
    dense = np.asarray(coefficients)
    nonzero = np.flatnonzero(np.any(np.abs(dense) >= 1e-6, axis=0))
    rows = [[int(i), *(round(float(w), 6) for w in dense[:, i])] for i in nonzero]
    document = {
        "format": FORMAT,
        "n_features": N_FEATURES,
        "routes": [r.value for r in routes],
        "intercepts": [round(float(b), 6) for b in intercepts],
        "thresholds": {
            r.value: {"certain": t.certain, "uncertain": t.uncertain} for r, t in thresholds.items()
        },
        "training": training,
        "weights": rows,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def from_json(text: str) -> Classifier:
    document = json.loads(text)
    if document["format"] != FORMAT or document["n_features"] != N_FEATURES:
        raise ValueError("the model file does not match this code; retrain it")
    routes = tuple(Route(r) for r in document["routes"])
    rows = document["weights"]
    indices = np.array([row[0] for row in rows], dtype=np.int64)
    values = np.array([row[1:] for row in rows], dtype=np.float64).reshape(-1, len(routes))
    weights = csr_matrix(
        (
            values.ravel(),
            (np.repeat(indices, len(routes)), np.tile(np.arange(len(routes)), len(indices))),
        ),
        shape=(N_FEATURES, len(routes)),
    )
    return Classifier(
        routes=routes,
        weights=weights,
        intercepts=np.array(document["intercepts"], dtype=np.float64),
        thresholds={
            Route(r): Thresholds(certain=t["certain"], uncertain=t["uncertain"])
            for r, t in document["thresholds"].items()
        },
    )


@lru_cache(maxsize=1)
def default_classifier() -> Classifier | None:
    """The committed model, or None before the first training (the rules still run)."""
    if not MODEL_PATH.exists():
        return None
    return from_json(MODEL_PATH.read_text(encoding="utf-8"))
