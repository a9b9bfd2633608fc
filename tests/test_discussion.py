"""Chapter 12's discussion: written from the run, chapter rows added, baselines out of the mistakes."""

from __future__ import annotations

import pytest

from conftest import make_collection
from course_utils import compare, evaluate, zoo
from course_utils.config import get_profile
from course_utils.evaluate import wording


@pytest.fixture
def comparison(tmp_path, monkeypatch):
    """Majority class and logreg compared; the SVM recorded by "its chapter" on the same protocol only."""
    root = make_collection(tmp_path / "tones", labels=("blues", "jazz", "rock"), per_label=6, seconds=2.0)
    protocol = compare.Protocol.create(root, profile=get_profile("quick"))
    zoo.get("SVM, handcrafted").fit(**protocol.record_options, verbose=False)
    monkeypatch.delenv("YAMNET_HANDLE", raising=False)  # YAMNet's weights are then missing
    missing = zoo.get("logreg, YAMNet")
    assert missing.unavailable()
    return compare.run_all(protocol, [zoo.get("majority class"), zoo.get("logreg, handcrafted"), missing],
                           verbose=False)


def test_accuracy_intervals_are_wilson_as_in_every_chapter(comparison):
    for row in comparison.results.itertuples():
        tracks = comparison.predictions[row.key]
        right = int((tracks["label"] == tracks["predicted"]).sum())
        assert (row.accuracy_low, row.accuracy_high) == evaluate.accuracy_interval(right, len(tracks))


def test_chapter_rows_are_the_protocols_rows_the_comparison_lacks(comparison):
    extra = compare.chapter_rows(comparison)
    assert extra[["model", "features"]].values.tolist() == [["svm_rbf", "handcrafted"]]
    assert (extra["accuracy_low"] <= extra["accuracy"]).all()


def test_baselines_are_left_out_of_the_mistakes(comparison):
    mistakes = comparison.confused_genres(top=20)
    assert comparison.constant == [next(k for k in comparison.predictions if k.startswith("majority"))]
    # only logreg is counted, not the majority class (one answer for all)
    assert mistakes.empty or mistakes["models"].max() <= 1
    everything = comparison.confused_genres(top=20, leave_out_constant=False)
    assert everything["tracks"].sum() > mistakes["tracks"].sum()


def test_discussion_follows_the_rule_and_says_what_is_missing(comparison):
    text = compare.discussion(comparison)
    assert wording.RULE in text
    assert "svm_rbf on handcrafted" in text and "Missing from this run: logreg, YAMNet" in text
    assert "leaving out majority class" in text
    verdicts = wording.with_verdicts(comparison.paired())["verdict"].tolist()
    if wording.VERDICTS["none"] not in verdicts:
        assert "at no loss these test tracks can measure" not in text
