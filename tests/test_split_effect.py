"""compare.split_effect on the Kaggle feature table: both splits scored once, then read back from the registry."""

from __future__ import annotations

import pytest

from course_utils.compare import split_effect
from course_utils.config import get_profile


def test_without_the_table_there_is_nothing_to_score(monkeypatch):
    monkeypatch.delenv("KAGGLE_FEATURES_CSV", raising=False)
    assert split_effect(profile=get_profile("quick")) is None


def test_both_splits_are_scored_then_reused(shared_data, monkeypatch):
    monkeypatch.setenv("KAGGLE_FEATURES_CSV", str(shared_data / "features_30_sec.csv"))
    monkeypatch.setenv("GTZAN_SPLITS_DIR", str(shared_data / "splits"))
    quick = get_profile("quick")
    first = split_effect(profile=quick, models=("svm_rbf",))
    assert first["split"].tolist() == ["fault-filtered", "random tracks"]
    assert first["status"].tolist() == ["trained", "trained"]
    assert (first["test tracks"] == 290).all()  # the fault-filtered test list, and a random split of its size
    assert ((first["low"] <= first["accuracy"]) & (first["accuracy"] <= first["high"])).all()
    # artist and recording leakage: the random split flatters the same model
    assert first.loc[1, "accuracy"] > first.loc[0, "accuracy"]
    again = split_effect(profile=quick, models=("svm_rbf",))
    assert again["status"].tolist() == ["reused", "reused"]
    assert again["accuracy"].tolist() == pytest.approx(first["accuracy"].tolist())
