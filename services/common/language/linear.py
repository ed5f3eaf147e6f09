"""A trained linear classifier over hashed features: one logistic regression per label.

A model file is plain JSON written by its training command (`eval/train_safety.py`,
`eval/train_faq.py`), which reproduces it byte for byte from the committed corpus: weights,
intercepts and two thresholds per label chosen on the development split. A reviewer can diff a
retrained model, and nothing executable is loaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from scipy.sparse import csr_matrix

from services.common.language.features import N_FEATURES, vectorizer

FORMAT = 2
L = TypeVar("L", bound=StrEnum)


@dataclass(frozen=True)
class Thresholds:
    # At or above: the label is certain.
    certain: float
    # At or above (and below `certain`): the grey band, where a use may ask or check.
    uncertain: float


@dataclass(frozen=True)
class LinearModel(Generic[L]):
    labels: tuple[L, ...]
    weights: Any  # csr_matrix, features × labels
    intercepts: Any  # ndarray, one per label
    thresholds: dict[L, Thresholds]

    def probabilities(self, feature_names: list[str]) -> dict[L, float]:
        row = vectorizer().transform([feature_names])
        logits = np.asarray((row @ self.weights).todense()).ravel() + self.intercepts
        return {
            label: 1.0 / (1.0 + math.exp(-float(logit)))
            for label, logit in zip(self.labels, logits, strict=True)
        }


def to_json(
    *,
    labels: Sequence[L],
    coefficients: Any,
    intercepts: Any,
    thresholds: Mapping[L, Thresholds],
    training: dict[str, Any],
) -> str:
    """The model file's text: deterministic (sorted, rounded) so retraining reproduces it."""
    dense = np.asarray(coefficients)
    nonzero = np.flatnonzero(np.any(np.abs(dense) >= 1e-6, axis=0))
    rows = [[int(i), *(round(float(w), 6) for w in dense[:, i])] for i in nonzero]
    document = {
        "format": FORMAT,
        "n_features": N_FEATURES,
        "labels": [label.value for label in labels],
        "intercepts": [round(float(b), 6) for b in intercepts],
        "thresholds": {
            label.value: {"certain": t.certain, "uncertain": t.uncertain}
            for label, t in thresholds.items()
        },
        "training": training,
        "weights": rows,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def from_json(text: str, label_type: type[L]) -> LinearModel[L]:
    document = json.loads(text)
    if document["format"] != FORMAT or document["n_features"] != N_FEATURES:
        raise ValueError("the model file does not match this code; retrain it")
    labels = tuple(label_type(label) for label in document["labels"])
    rows = document["weights"]
    indices = np.array([row[0] for row in rows], dtype=np.int64)
    values = np.array([row[1:] for row in rows], dtype=np.float64).reshape(-1, len(labels))
    weights = csr_matrix(
        (
            values.ravel(),
            (np.repeat(indices, len(labels)), np.tile(np.arange(len(labels)), len(indices))),
        ),
        shape=(N_FEATURES, len(labels)),
    )
    return LinearModel(
        labels=labels,
        weights=weights,
        intercepts=np.array(document["intercepts"], dtype=np.float64),
        thresholds={
            label_type(label): Thresholds(certain=t["certain"], uncertain=t["uncertain"])
            for label, t in document["thresholds"].items()
        },
    )


def load(path: Path, label_type: type[L]) -> LinearModel[L] | None:
    """The committed model, or None before the first training (the rules still run)."""
    if not path.exists():
        return None
    return from_json(path.read_text(encoding="utf-8"), label_type)
