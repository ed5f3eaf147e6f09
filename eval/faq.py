"""How well Dai-chan recognises the programme's questions, per split.

    python -m eval.faq                      # every split: seed, train, dev, locked
    python -m eval.faq --split dev --show-misses     # what dev gets wrong (never the locked split)

Splits (`eval/data/faq/README.md`): seed, the lead's first examples the questions were written
on; train and dev, a corpus written by a helper who never saw the code; locked, written blind
before any tuning by another helper and scored, never read.

A message is read as the dialogue reads it (`faq.answerable`): the senior's own loan dates
first when a date is asked (`intents`), then the FAQ topics. Per topic: recall = the messages asking it that got its answer; precision = the
messages that got its answer that asked it. "Left alone" = messages asking no programme question
(small talk and look-alikes: another thing borrowed, another class, another desk) that got no FAQ
answer. The locked split's misses are never printed: reading them would be tuning on them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.redteam import wilson
from services.ai_chat.domain import faq
from services.ai_chat.domain.intents import Intent, recognise
from services.common.language.morphology import analyse

DATA = Path(__file__).parent / "data" / "faq"
SPLITS = ("seed", "train", "dev", "locked")
NOT_FAQ = ("my_loan", "other")
LABELS = (*(topic.value for topic in faq.Topic), *NOT_FAQ)


@dataclass(frozen=True)
class Case:
    text: str
    label: str


def load(split: str) -> list[Case]:
    lines = (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [Case(**json.loads(line)) for line in lines if line.strip()]
    unknown = {case.label for case in cases} - set(LABELS)
    if unknown:
        raise ValueError(f"{split}: unknown labels {sorted(unknown)}")
    return cases


def predict(text: str) -> str:
    own_loan = recognise(text) is Intent.MY_LOAN
    topic = faq.answerable(analyse(text), own_loan_asked=own_loan)
    if topic:
        return topic.value
    return "my_loan" if own_loan else "other"


@dataclass(frozen=True)
class Score:
    label: str
    hits: int
    expected: int
    predicted: int

    @property
    def recall(self) -> float:
        return self.hits / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0


@dataclass(frozen=True)
class Report:
    split: str
    scores: tuple[Score, ...]
    left_alone: int
    not_faq: int
    misses: tuple[tuple[Case, str], ...]

    @property
    def left_alone_rate(self) -> float:
        return self.left_alone / self.not_faq if self.not_faq else 1.0


def evaluate(split: str, cases: Sequence[Case]) -> Report:
    predictions = [predict(case.text) for case in cases]
    pairs = list(zip(cases, predictions, strict=True))
    scores = tuple(
        Score(
            label=topic.value,
            hits=sum(c.label == p == topic.value for c, p in pairs),
            expected=sum(c.label == topic.value for c, _ in pairs),
            predicted=sum(p == topic.value for _, p in pairs),
        )
        for topic in faq.Topic
    )
    not_faq = [(c, p) for c, p in pairs if c.label in NOT_FAQ]
    return Report(
        split=split,
        scores=scores,
        left_alone=sum(p in NOT_FAQ for _, p in not_faq),
        not_faq=len(not_faq),
        misses=tuple((c, p) for c, p in pairs if c.label != p),
    )


def render(report: Report) -> str:
    lines = [f"## {report.split}", "| topic | recall | precision | n |", "|---|---|---|---|"]
    for s in report.scores:
        low, high = wilson(s.hits, s.expected)
        lines.append(
            f"| {s.label} | {s.recall:.3f} ({low:.2f}–{high:.2f}) | {s.precision:.3f} | {s.expected} |"
        )
    low, high = wilson(report.left_alone, report.not_faq)
    lines.append(
        f"| left alone (no programme question) | {report.left_alone_rate:.3f} ({low:.2f}–{high:.2f})"
        f" | | {report.not_faq} |"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    if args.show_misses and args.split in (None, "locked"):
        parser.error("the locked split's misses are never shown; pass --split seed, train or dev")
    for split in [args.split] if args.split else SPLITS:
        report = evaluate(split, load(split))
        print(render(report))
        if args.show_misses:
            for case, predicted in report.misses:
                print(f"  {case.label:12} -> {predicted:12} {case.text}")


if __name__ == "__main__":
    main()
