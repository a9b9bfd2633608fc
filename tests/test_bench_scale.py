"""benchmarks/bench_scale.py runs at its smallest sizes in the quick profile, on one cheap chapter."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_scale", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_growth_exponents_of_known_powers():
    bench = load_bench()
    tracks = np.array([100, 300, 1000])
    table = pd.DataFrame({"tracks": tracks, "chapter": "x", "seconds": 2.0 * tracks, "peak_mb": 5.0 * tracks**2,
                          "cache_mb": 0.0, "ok": True})
    exponents = bench.growth(table).loc["x"]
    assert abs(exponents["seconds"] - 1) < 1e-9
    assert abs(exponents["peak_mb"] - 2) < 1e-9 and np.isnan(exponents["cache_mb"])


def test_smallest_sizes_in_the_quick_profile(tmp_path):
    bench = load_bench()
    table = bench.main(["--sizes", "2", "3", "--profile", "quick", "--seconds", "10", "--chapters", "01",
                        "--out", str(tmp_path), "--work", str(tmp_path / "work"), "--timeout", "600"])
    assert table["ok"].all() and list(table["tracks"]) == [20, 30]
    assert (table["seconds"] > 0).all() and (table["peak_mb"] > 50).all()  # a kernel holds tens of MB at least
    assert (table["processes_at_peak"] >= 2).all()  # nbconvert and its kernel at least
    saved = pd.read_csv(tmp_path / "scale.csv")
    assert list(saved["chapter"]) == ["01_audio_basics"] * 2
    text = (tmp_path / "scale.md").read_text()
    assert "| 01_audio_basics |" in text and "wall time (s) @ 20" in text
    assert (tmp_path / "scale.png").stat().st_size > 1000


def test_append_keeps_the_rows_of_other_sizes(tmp_path, monkeypatch):
    bench = load_bench()
    earlier = pd.DataFrame({"tracks": [100, 300], "chapter": "01_audio_basics", "seconds": [10.0, 30.0],
                            "peak_mb": [500.0, 600.0], "processes_at_peak": 2, "ok": True, "cache_mb": 0.0})
    earlier.to_csv(tmp_path / "scale.csv", index=False)
    fresh = earlier.iloc[:1].assign(tracks=30, seconds=3.0)
    monkeypatch.setattr(bench, "measure", lambda *args, **kwargs: fresh.copy())
    table = bench.main(["--sizes", "3", "--chapters", "01", "--out", str(tmp_path), "--append"])
    assert list(table["tracks"]) == [30, 100, 300]
    assert abs(bench.growth(table).loc["01_audio_basics", "seconds"] - 1.0) < 1e-9
    assert "wall time (s) @ 300" in (tmp_path / "scale.md").read_text()
