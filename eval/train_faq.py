"""Train the FAQ classifier on the seed and train splits; choose each topic's threshold on dev.

    python -m eval.train_faq            # writes services/ai_chat/domain/faq/model/classifier.json
    python -m eval.train_faq --check    # exit 1 when the committed model differs from a fresh one

One logistic regression per topic (the messages asking it against all others: other topics,
the senior's own loan dates, small talk and look-alikes) over `services.common.language.features`. The
questions that held are among its features. A topic's threshold is the lowest at which the
answers it gives on dev are still at least `ADDED_PRECISION` right: an FAQ answer to a message
that asked something else is worse than letting Dai-chan talk. The locked split is
never read here.
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

from eval.faq import DATA, Case, load
from eval.model_file import write_or_check
from services.ai_chat.domain.faq import Topic, about_the_programme, held_questions
from services.ai_chat.domain.faq.classifier import MODEL_PATH, features
from services.common.language.features import vectorizer
from services.common.language.linear import Thresholds, to_json
from services.common.language.morphology import analyse

TRAINING_SPLITS = ("seed", "train")
REGULARISATION = 8.0
ADDED_PRECISION = 0.9
GRID = [round(t, 2) for t in np.arange(0.3, 0.96, 0.01)]


@dataclass(frozen=True)
class Prepared:
    case: Case
    features: list[str]
    # Whether the message names the programme's things at all (no answer otherwise).
    anchored: bool


def prepare(cases: Sequence[Case]) -> list[Prepared]:
    prepared = []
    for case in cases:
        analysis = analyse(case.text)
        held, mentions = held_questions(analysis)
        prepared.append(
            Prepared(case, features(analysis, held, mentions), about_the_programme(mentions))
        )
    return prepared


def _fit(train: list[Prepared], topic: Topic) -> Any:
    x = vectorizer().transform([p.features for p in train])
    y = np.array([p.case.label == topic.value for p in train], dtype=np.int64)
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", solver="liblinear", random_state=0, max_iter=2000
    )
    return model.fit(x, y)


def _thresholds(dev: list[Prepared], probabilities: Any) -> dict[Topic, Thresholds]:
    """Per topic, on the dev messages where that topic scores highest."""
    topics = list(Topic)
    best = probabilities.argmax(axis=1)
    anchored = np.array([p.anchored for p in dev])
    chosen: dict[Topic, Thresholds] = {}
    for i, topic in enumerate(topics):
        expected = np.array([p.case.label == topic.value for p in dev])
        threshold = GRID[-1]
        for t in sorted(GRID, reverse=True):
            added = anchored & (best == i) & (probabilities[:, i] >= t)
            if added.sum() and expected[added].mean() < ADDED_PRECISION:
                break
            threshold = t
        chosen[topic] = Thresholds(certain=threshold, uncertain=threshold)
    return chosen


def _training_record(train: list[Prepared], dev: list[Prepared]) -> dict[str, Any]:
    files = {
        name: hashlib.sha256((DATA / f"{name}.jsonl").read_bytes()).hexdigest()
        for name in (*TRAINING_SPLITS, "dev")
    }
    return {
        "command": "python -m eval.train_faq",
        "train_messages": len(train),
        "dev_messages": len(dev),
        "corpus_sha256": files,
        "regularisation": REGULARISATION,
        "added_precision": ADDED_PRECISION,
        "scikit_learn": sklearn.__version__,
    }


def train_model() -> str:
    train = prepare([case for split in TRAINING_SPLITS for case in load(split)])
    dev = prepare(load("dev"))
    x_dev = vectorizer().transform([p.features for p in dev])
    coefficients, intercepts, columns = [], [], []
    for topic in Topic:
        model = _fit(train, topic)
        coefficients.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
        columns.append(model.predict_proba(x_dev)[:, 1])
    return to_json(
        labels=tuple(Topic),
        coefficients=np.vstack(coefficients),
        intercepts=np.array(intercepts),
        thresholds=_thresholds(dev, np.column_stack(columns)),
        training=_training_record(train, dev),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed model")
    args = parser.parse_args(argv)
    return write_or_check(
        MODEL_PATH, train_model(), command="python -m eval.train_faq", check=args.check
    )


if __name__ == "__main__":
    sys.exit(main())
