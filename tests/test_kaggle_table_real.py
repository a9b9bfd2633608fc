"""The chapter's SVM and XGBoost pipelines on all of GTZAN (the Kaggle feature table).

Scores each model on the fault-filtered split and on a random track split of the same tracks and
sizes, prints the figures (chapter 07 computes the same ones when ``$KAGGLE_FEATURES_CSV`` is set)
and checks that they are far above chance (10 %).
"""

import pytest

from course_utils.config import get_profile
from course_utils.data import GTZAN_GENRES
from course_utils.errors import ConfigError
from course_utils import evaluate
from course_utils.evaluate import reference
from course_utils.features import feature_columns
from course_utils.models import classical


@pytest.fixture
def kaggle(shared_data, monkeypatch):
    csv, lists = shared_data / "features_30_sec.csv", shared_data / "splits"
    if not csv.is_file() or not (lists / "test_filtered.txt").is_file():
        pytest.skip("the Kaggle table or the fault-filtered lists are not in ../shared/data")
    monkeypatch.setenv(reference.KAGGLE_ENV, str(csv))
    monkeypatch.setenv("GTZAN_SPLITS_DIR", str(lists))
    return reference.kaggle_features()


@pytest.mark.real_data
def test_kaggle_table_is_read_by_track_id(kaggle):
    assert len(kaggle) == 1000 and kaggle["track_id"].iloc[0] == "blues.00000"
    assert set(kaggle["label"]) == set(GTZAN_GENRES)
    assert list(kaggle.columns[2:]) == feature_columns() == classical.feature_columns(kaggle)


def test_no_table_without_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(reference.KAGGLE_ENV, raising=False)
    assert reference.kaggle_features() is None
    with pytest.raises(ConfigError, match="does not exist"):
        reference.kaggle_features(tmp_path / "missing.csv")


@pytest.mark.real_data
def test_fault_filtered_split_of_the_table(kaggle):
    split = reference.fault_filtered_split(kaggle)
    assert split.part.value_counts().to_dict() == {"train": 443, "test": 290, "valid": 197}
    random = reference.comparable_random_split(kaggle, split, seed=0)
    assert set(random.part.index) == set(split.part.index)
    assert abs((random.part == "test").sum() - 290) <= 10


@pytest.mark.real_data
@pytest.mark.parametrize("name", ["svm_rbf", "xgboost"])
def test_svm_and_xgboost_on_all_of_gtzan(kaggle, name):
    profile = get_profile("quick")
    fault_filtered = reference.fault_filtered_split(kaggle)
    splits = {"fault-filtered": fault_filtered,
              "random tracks": reference.comparable_random_split(kaggle, fault_filtered, seed=42)}
    accuracy = {}
    for split_name, split in splits.items():
        fitted = evaluate.fit_and_evaluate(name, split.assign(kaggle), features=feature_columns(),
                                            labels=list(GTZAN_GENRES), profile=profile, seed=42)
        accuracy[split_name] = fitted.scores.accuracy
        print(f"{name} on the Kaggle table, {split_name} split: {fitted.scores} "
              f"(best {fitted.best_params}, {fitted.train_seconds:.1f} s)")
    assert accuracy["fault-filtered"] > 0.35
    assert accuracy["random tracks"] > 0.5
