"""The switch that turns a missing ``../shared/data`` from a skip into a failure (``.ci/run`` sets it)."""

import pytest

from conftest import REQUIRE_REAL_DATA_ENV, require_shared_data


def test_missing_shared_data_skips_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(REQUIRE_REAL_DATA_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not available"):
        require_shared_data(tmp_path)


def test_missing_shared_data_fails_when_required(tmp_path, monkeypatch):
    monkeypatch.setenv(REQUIRE_REAL_DATA_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{tmp_path}.*not available.*COURSE_REQUIRE_REAL_DATA=1"):
        require_shared_data(tmp_path)


def test_present_shared_data_is_returned_either_way(tmp_path, monkeypatch):
    (tmp_path / "gtzan-mini").mkdir()
    for value in ("1", ""):
        monkeypatch.setenv(REQUIRE_REAL_DATA_ENV, value)
        assert require_shared_data(tmp_path) == tmp_path
