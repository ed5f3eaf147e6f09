"""Train the safety classifier on the train split; choose its thresholds on the dev split.

    python -m eval.train_safety            # writes services/common/safety/model/classifier.json
    python -m eval.train_safety --check    # retrains in memory; fails if the committed file differs

One logistic regression per route (liblinear, fixed seed, balanced classes) over the features of
`services/common/safety/features.py`. Thresholds per route, on dev:

- `uncertain`: the highest threshold at which the local layers together (rules, and the
  classifier at or above it) reach the recall target on dev; the grey band starts there;
- `certain`: the lowest threshold down to which the classifier alone stays precise enough on dev
  to send the full guidance and an urgent request, counting only what it adds to the rules (the
  messages a certain rule already routes say nothing about trusting the classifier alone).

The locked test set takes no part: it is neither read nor scored here.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from eval.model_file import write_or_check
from eval.safety_data import TRAIN_DIR, Case, load
from services.common.language.features import vectorizer
from services.common.language.linear import Thresholds, to_json
from services.common.language.morphology import analyse
from services.common.safety.classifier import MODEL_PATH
from services.common.safety.detector import rule_detection
from services.common.safety.features import features
from services.common.safety.matcher import matching, sentence_mentions
from services.common.safety.routes import ROUTE_ORDER, Route
from services.common.safety.rules import RULES

REGULARISATION = 16.0
# Look-alikes (messages needing no route) weigh more than other negatives: they are what the
# classifier must learn to leave alone, and the corpus has fewer of them than of positives.
LOOKALIKE_WEIGHT = 3.0
# Recall the local layers must reach on dev when the grey band is counted.
RECALL_TARGET = {
    Route.EMERGENCY: 0.98,
    Route.SELF_HARM: 0.98,
    Route.FRAUD: 0.96,
    Route.PERSON: 0.96,
}
# Precision the classifier alone must keep on dev, on what it adds, to make a route certain.
CERTAIN_PRECISION = 0.97
# The grey band never starts below this: under it a score says nothing.
UNCERTAIN_FLOOR = 0.1
GRID = [round(t, 2) for t in np.arange(0.05, 0.96, 0.01)]


@dataclass(frozen=True)
class Prepared:
    case: Case
    features: list[str]
    # Routes the rules already give (at any tier): the classifier need not catch these.
    by_rules: frozenset[Route]
    # Routes a certain rule gives.
    by_certain_rules: frozenset[Route]


def prepare(cases: Sequence[Case]) -> list[Prepared]:
    prepared = []
    for case in cases:
        analysis = analyse(case.text)
        mentions = sentence_mentions(analysis)
        hits = matching(RULES, analysis, mentions)
        detection = rule_detection(hits)
        prepared.append(
            Prepared(
                case=case,
                features=features(analysis, hits, mentions),
                by_rules=frozenset(detection.any_routes),
                by_certain_rules=frozenset(detection.routes),
            )
        )
    return prepared


def _fit(train: list[Prepared], route: Route) -> Any:
    x = vectorizer().transform([p.features for p in train])
    y = np.array([route in p.case.routes for p in train], dtype=np.int64)
    weights = np.array([LOOKALIKE_WEIGHT if p.case.is_lookalike else 1.0 for p in train])
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", solver="liblinear", random_state=0, max_iter=2000
    )
    return model.fit(x, y, sample_weight=weights)


def _thresholds(dev: list[Prepared], probabilities: Any, route: Route) -> Thresholds:
    expected = np.array([route in p.case.routes for p in dev])
    by_rules = np.array([route in p.by_rules for p in dev])
    by_certain_rules = np.array([route in p.by_certain_rules for p in dev])
    certain = GRID[-1]
    for t in sorted(GRID, reverse=True):
        added = (probabilities >= t) & ~by_certain_rules
        if added.sum() and expected[added].mean() < CERTAIN_PRECISION:
            break
        certain = t
    uncertain = UNCERTAIN_FLOOR
    for t in sorted(GRID, reverse=True):
        if t > certain or t < UNCERTAIN_FLOOR:
            continue
        caught = by_rules | (probabilities >= t)
        if expected.sum() == 0 or caught[expected].mean() >= RECALL_TARGET[route]:
            uncertain = t
            break
    return Thresholds(certain=certain, uncertain=min(uncertain, certain))


def _training_record(train: list[Prepared], dev: list[Prepared]) -> dict[str, Any]:
    files = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(TRAIN_DIR.glob("*.jsonl"))
    }
    return {
        "command": "python -m eval.train_safety",
        "train_messages": len(train),
        "dev_messages": len(dev),
        "corpus_sha256": files,
        "regularisation": REGULARISATION,
        "lookalike_weight": LOOKALIKE_WEIGHT,
        "scikit_learn": sklearn.__version__,
    }


def train_model() -> str:
    train, dev = prepare(load("train")), prepare(load("dev"))
    x_dev = vectorizer().transform([p.features for p in dev])
    coefficients, intercepts, thresholds = [], [], {}
    for route in ROUTE_ORDER:
        model = _fit(train, route)
        coefficients.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
        thresholds[route] = _thresholds(dev, model.predict_proba(x_dev)[:, 1], route)
    return to_json(
        labels=ROUTE_ORDER,
        coefficients=np.vstack(coefficients),
        intercepts=np.array(intercepts),
        thresholds=thresholds,
        training=_training_record(train, dev),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed model")
    args = parser.parse_args(argv)
    return write_or_check(
        MODEL_PATH, train_model(), command="python -m eval.train_safety", check=args.check
    )


if __name__ == "__main__":
    sys.exit(main())
