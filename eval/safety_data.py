"""The safety data sets: training corpus, development split, and the locked test set.

- **train** and **dev**: `eval/data/train/*.jsonl`, the corpus written for training (by writers
  given `eval/ROUTES.md`), plus the first red-team set. A message belongs to dev when the sha256
  of its text falls in the dev fifth, so the split never changes when files grow or reorder.
  Rules and the classifier are tuned on train; thresholds are chosen on dev.
- **locked**: `eval/data/locked/*.jsonl`, written blind before any tuning and never edited
  (`eval/data/locked/README.md`). Only its totals are ever printed.

A text that appears in the locked set is dropped from train and dev, so no locked message is
ever learned from, whatever a corpus writer happened to write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from services.common.safety import Route

DATA = Path(__file__).with_name("data")
TRAIN_DIR = DATA / "train"
LOCKED_DIR = DATA / "locked"
SPLITS = ("train", "dev", "locked")
DEV_FIFTH = 0


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    routes: frozenset[Route]
    kind: str
    voice: str
    source: str

    @property
    def is_lookalike(self) -> bool:
        return not self.routes


def _read(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            routes = frozenset(Route(r) for r in row["routes"])
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
        cases.append(
            Case(
                id=str(row["id"]),
                text=str(row["text"]),
                routes=routes,
                kind=str(row.get("kind", "")),
                voice=str(row.get("voice", "")),
                source=path.stem,
            )
        )
    return cases


def read_files(paths: Iterable[Path]) -> list[Case]:
    """Cases from JSON Lines files, each text once (the first label wins)."""
    seen: set[str] = set()
    cases = []
    for path in sorted(paths):
        for case in _read(path):
            if case.text not in seen:
                seen.add(case.text)
                cases.append(case)
    return cases


def in_dev(text: str) -> bool:
    return hashlib.sha256(text.encode()).digest()[0] % 5 == DEV_FIFTH


def load(split: str) -> list[Case]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    locked = read_files(LOCKED_DIR.glob("*.jsonl"))
    if split == "locked":
        return locked
    locked_texts = {c.text for c in locked}
    corpus = [c for c in read_files(TRAIN_DIR.glob("*.jsonl")) if c.text not in locked_texts]
    return [c for c in corpus if in_dev(c.text) == (split == "dev")]
