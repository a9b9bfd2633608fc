import random

import numpy as np
import pytest

from course_utils.config import PROFILES, data_home, get_profile, set_seed, summary
from course_utils.errors import ConfigError, CourseError


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert get_profile().name == "quick"
    monkeypatch.setenv("COURSE_PROFILE", "FULL")
    assert get_profile().name == "full"
    monkeypatch.delenv("COURSE_PROFILE")
    assert get_profile().name == "full"


def test_quick_profile_is_smaller_in_every_size():
    quick, full = PROFILES["quick"], PROFILES["full"]
    assert quick.synthetic_per_genre < full.synthetic_per_genre
    assert quick.synthetic_seconds < full.synthetic_seconds
    assert quick.epochs < full.epochs
    assert quick.image_size < full.image_size
    assert quick.tracks_per_genre is not None and full.tracks_per_genre is None


def test_unknown_profile_names_the_variable(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ConfigError, match=r"\$COURSE_PROFILE='fast'.*quick"):
        get_profile()
    with pytest.raises(CourseError, match="profile='huge'"):
        get_profile("huge")


def test_data_home_is_created_where_configured(tmp_path, monkeypatch):
    target = tmp_path / "nested" / "home"
    monkeypatch.setenv("COURSE_DATA_HOME", str(target))
    assert data_home() == target and target.is_dir()


def test_data_home_that_cannot_be_created(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_HOME", str(blocker / "home"))
    with pytest.raises(ConfigError, match="COURSE_DATA_HOME"):
        data_home()


def test_set_seed_makes_python_and_numpy_repeat():
    set_seed(7)
    first = (random.random(), np.random.rand())
    set_seed(7)
    assert (random.random(), np.random.rand()) == first
    with pytest.raises(ConfigError, match="seed"):
        set_seed(-1)


def test_summary_names_profile_and_versions():
    text = summary(profile=PROFILES["quick"])
    assert "profile   : quick" in text and "librosa" in text and "epochs=2" in text


def test_summary_says_when_a_gpu_is_at_hand(tmp_path, monkeypatch):
    import sys
    import types

    from course_utils import config

    class Devices:
        def __init__(self, names):
            self.names = names

        def list_physical_devices(self, kind):
            assert kind == "GPU"
            return [types.SimpleNamespace(name=n) for n in self.names]

    monkeypatch.setitem(sys.modules, "tensorflow", types.SimpleNamespace(config=Devices([])))
    assert "gpu" not in summary(profile=PROFILES["quick"])
    monkeypatch.setitem(sys.modules, "tensorflow", types.SimpleNamespace(config=Devices(["/physical_device:GPU:0"])))
    assert summary(profile=PROFILES["quick"]).splitlines()[-1] == \
        "gpu       : TensorFlow uses 1 GPU(s): /physical_device:GPU:0"
    monkeypatch.delitem(sys.modules, "tensorflow")  # without TensorFlow: NVIDIA's driver folder decides
    monkeypatch.setattr(config, "NVIDIA_GPUS", tmp_path / "gpus")
    assert "gpu" not in summary(profile=PROFILES["quick"])
    (tmp_path / "gpus" / "0000:01:00.0").mkdir(parents=True)
    assert "1 NVIDIA GPU(s) found" in summary(profile=PROFILES["quick"])
