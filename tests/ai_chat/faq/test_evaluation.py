"""The FAQ's evaluation: the locked split untouched and unseen, the model its command's output."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from eval import faq as evaluation
from eval.train_faq import train_model
from services.ai_chat.domain.faq.classifier import MODEL_PATH, default_classifier
from tests.fixtures.models import assert_same_model

NOTES = evaluation.DATA / "README.md"
README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_locked_split_is_the_file_written_before_tuning() -> None:
    recorded = re.findall(r"^([0-9a-f]{64})  locked\.jsonl$", NOTES.read_text("utf-8"), re.M)
    actual = hashlib.sha256((evaluation.DATA / "locked.jsonl").read_bytes()).hexdigest()
    assert recorded == [actual]


def test_no_locked_message_is_trained_on_or_used_for_thresholds() -> None:
    locked = {case.text for case in evaluation.load("locked")}
    assert len(locked) >= 400
    for split in ("seed", "train", "dev"):
        assert not locked & {case.text for case in evaluation.load(split)}, split


def test_the_locked_split_never_shows_its_misses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        evaluation.main(["--split", "locked", "--show-misses"])
    assert "never shown" in capsys.readouterr().err


def test_the_model_file_is_reproduced_by_its_training_command() -> None:
    assert_same_model(MODEL_PATH.read_text(encoding="utf-8"), train_model())


def test_every_topic_has_a_threshold_and_dev_keeps_its_precision() -> None:
    classifier = default_classifier()
    assert classifier is not None
    report = evaluation.evaluate("dev", evaluation.load("dev"))
    for score in report.scores:
        assert 0.3 <= classifier.thresholds[type(classifier.labels[0])(score.label)].certain < 1
        assert score.precision >= 0.85, score.label
    assert report.left_alone_rate >= 0.9


def test_the_readme_quotes_the_last_look_at_the_locked_split() -> None:
    report = evaluation.evaluate("locked", evaluation.load("locked"))
    quoted = README.read_text(encoding="utf-8")
    for score in report.scores:
        assert f"{score.label} {score.recall:.3f}" in quoted, score.label
    assert f"left alone {report.left_alone_rate:.3f}" in quoted
