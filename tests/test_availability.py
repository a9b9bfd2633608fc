"""available_models: one decision on which embedding models a run can use, shown as a note on the page."""

from __future__ import annotations

import pytest

from conftest import ROOT
from course_utils import embeddings
from course_utils.embeddings import WeightsError, musicnn
from course_utils.errors import ConfigError

TFLITE = ROOT.parent / "shared" / "models" / "yamnet" / "yamnet.tflite"


def test_offline_without_a_handle_yamnet_is_missing_and_musicnn_runs(monkeypatch):
    monkeypatch.delenv("YAMNET_HANDLE", raising=False)
    monkeypatch.setenv("TFHUB_CACHE_DIR", "/nonexistent/tfhub-cache")
    available = embeddings.available_models()
    assert available.usable == ("MSD_musicnn",) and available.preferred == "MSD_musicnn"
    assert "yamnet" not in available and "MSD_musicnn" in available
    assert "COURSE_OFFLINE" in available.missing["yamnet"] and "YAMNET_HANDLE" in available.missing["yamnet"]
    note = available._repr_markdown_()
    assert note.startswith("> **Not available in this run: YAMNet.**") and "musicnn (MSD_musicnn) only" in note
    assert "YAMNET_HANDLE" in note and "Pretrained weights" in note
    assert "YAMNet is not available in this run" in available.skipped("yamnet")
    table = available.table()
    assert table["available"].tolist() == [True, False] and "musicnn==0.1.0" in table.iloc[0, 2]


def test_with_a_local_handle_both_run_in_the_order_asked(monkeypatch):
    if not TFLITE.is_file():
        pytest.skip("../shared/models/yamnet/yamnet.tflite is not available")
    monkeypatch.setenv("YAMNET_HANDLE", str(TFLITE))
    available = embeddings.available_models(["MSD_musicnn", "yamnet", "MSD_musicnn"])
    assert available.usable == ("MSD_musicnn", "yamnet") and not available.missing
    assert available.sources["yamnet"] == str(TFLITE.resolve())  # handles are resolved paths
    assert "All the models this chapter uses are available" in available.note()


def test_a_missing_wheel_is_reported_not_raised(monkeypatch):
    monkeypatch.setattr(musicnn.importlib.util, "find_spec", lambda name: None)
    musicnn.load_musicnn.cache_clear()
    try:
        available = embeddings.available_models(["MTT_vgg"])
    finally:
        musicnn.load_musicnn.cache_clear()
    assert available.usable == () and "pip install --no-deps musicnn==0.1.0" in available.missing["MTT_vgg"]
    with pytest.raises(WeightsError, match="no embedding model could be loaded: MTT_vgg"):
        available.preferred


@pytest.mark.parametrize("models", [["vggish"], []])
def test_unknown_models_are_refused(models):
    with pytest.raises(ConfigError, match="models must name some of yamnet"):
        embeddings.available_models(models)
