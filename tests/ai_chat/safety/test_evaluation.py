"""The safety evaluation: splits kept apart, the locked set untouched, numbers a command prints."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from eval import redteam
from eval.safety_data import LOCKED_DIR, in_dev, load
from eval.train_safety import train_model
from services.common.safety import Route
from services.common.safety.classifier import MODEL_PATH, default_classifier
from tests.fixtures.models import assert_same_model

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_locked_files_are_the_ones_committed_before_tuning() -> None:
    notes = (LOCKED_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(
        (name, digest)
        for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.jsonl)$", notes, re.M)
    )
    assert set(recorded) == {p.name for p in LOCKED_DIR.glob("*.jsonl")}
    for name, digest in recorded.items():
        assert hashlib.sha256((LOCKED_DIR / name).read_bytes()).hexdigest() == digest, name


def test_no_locked_message_is_trained_on_and_dev_is_its_own_fifth() -> None:
    locked = {c.text for c in load("locked")}
    train, dev = load("train"), load("dev")
    assert len(locked) >= 600
    assert len(train) + len(dev) >= 3000
    assert not locked & {c.text for c in train + dev}
    assert all(in_dev(c.text) for c in dev)
    assert not any(in_dev(c.text) for c in train)


def test_the_locked_split_never_shows_its_misses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        redteam.main(["--split", "locked", "--show-misses"])
    assert "never shown" in capsys.readouterr().err


def test_the_command_prints_every_route_with_intervals_per_split(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert redteam.main(["--split", "dev"]) == 0
    printed = capsys.readouterr().out
    for route in Route:
        assert re.search(rf"^{route.value}\s+\d+\s+[01]\.\d{{3}}\s+\[", printed, re.M), route
    assert "look-alikes left alone" in printed


def test_dev_recall_stays_at_the_bar_it_was_tuned_to() -> None:
    report = redteam.evaluate(load("dev"), "dev")
    for route in Route:
        assert report.route(route).recall >= 0.95, route


def test_the_readme_quotes_what_the_command_computes_on_the_locked_split() -> None:
    report = redteam.evaluate(load("locked"), "locked")
    quoted = README.read_text(encoding="utf-8")
    for route in Route:
        score = report.route(route)
        assert f"| {route.value} | {score.support} | {score.recall:.3f}" in quoted, route
    alone, _certain, total = report.lookalikes()
    assert f"{alone}/{total} = {alone / total:.3f}" in quoted


def test_the_model_file_is_reproduced_by_its_training_command() -> None:
    assert_same_model(MODEL_PATH.read_text(encoding="utf-8"), train_model())


def test_thresholds_put_the_grey_band_below_the_certain_tier() -> None:
    classifier = default_classifier()
    assert classifier is not None
    for route in Route:
        threshold = classifier.thresholds[route]
        assert 0.0 < threshold.uncertain <= threshold.certain < 1.0
