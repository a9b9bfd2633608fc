import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import pytest

from conftest import make_collection
from course_utils.config import PROFILES
from course_utils.data import ensure_synthetic, load_dataset

TINY = replace(PROFILES["quick"], name="tiny", synthetic_per_genre=1, synthetic_seconds=2.0)


def test_explicit_folder_wins_over_gtzan_dir(tmp_path, monkeypatch):
    make_collection(tmp_path / "env", labels=("jazz", "pop"))
    make_collection(tmp_path / "arg", labels=("folk", "punk"))
    monkeypatch.setenv("GTZAN_DIR", str(tmp_path / "env"))
    assert load_dataset().labels == ["jazz", "pop"]
    assert load_dataset().source == "$GTZAN_DIR"
    assert load_dataset(tmp_path / "arg").labels == ["folk", "punk"]


def test_a_wrong_gtzan_dir_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("GTZAN_DIR", str(tmp_path / "typo"))
    with pytest.raises(Exception, match="typo.*does not exist"):
        load_dataset()


def test_synthetic_is_the_default_and_is_reused(private_data_home):
    first = load_dataset(profile=TINY)
    assert first.synthetic and first.name == "synthetic GTZAN" and not first.is_gtzan  # never GTZAN's splits
    assert first.tracks["track_id"].iloc[0] == "blues.00000"
    assert len(first) == 10 and len(first.labels) == 10
    assert "generated" in first.source and private_data_home in first.root.parents
    stamp = {p: p.stat().st_mtime_ns for p in first.tracks["path"]}
    second = load_dataset("synthetic", profile=TINY)
    assert {p: p.stat().st_mtime_ns for p in second.tracks["path"]} == stamp


def test_a_synthetic_set_written_elsewhere_is_still_synthetic(tmp_path, monkeypatch):
    from course_utils.synth import make_synthetic_gtzan

    make_synthetic_gtzan(tmp_path / "mine", n_per_genre=1, duration=2.0)
    monkeypatch.setenv("GTZAN_DIR", str(tmp_path / "mine"))
    for dataset in (load_dataset(tmp_path / "mine"), load_dataset()):
        assert dataset.synthetic and dataset.name == "synthetic GTZAN" and not dataset.is_gtzan


def _generate(home):
    os.environ["COURSE_DATA_HOME"] = home
    return str(ensure_synthetic(TINY))


def test_parallel_first_use_yields_one_complete_set(private_data_home):
    with ProcessPoolExecutor(2) as pool:
        roots = list(pool.map(_generate, [str(private_data_home)] * 2))
    assert roots[0] == roots[1]
    assert len(load_dataset(profile=TINY)) == 10
    assert not [p for p in (private_data_home / "synthetic-gtzan").iterdir() if p.name.endswith(".tmp")]
