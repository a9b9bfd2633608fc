"""benchmarks/bench_scale.py runs at its smallest sizes in the quick profile, on one cheap chapter."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


def scale_table(book_seconds_at_1000: float, peak_mb: float) -> pd.DataFrame:
    rows = []
    for tracks, factor in ((100, 0.1), (1000, 1.0)):
        for chapter, share in (("01_audio_basics", 0.25), ("08_cnn", 0.75)):
            rows.append({"tracks": tracks, "chapter": chapter, "seconds": book_seconds_at_1000 * factor * share,
                         "peak_mb": peak_mb * (0.5 if chapter == "01_audio_basics" else 1.0),
                         "processes_at_peak": 2, "ok": True, "cache_mb": 10.0})
    return pd.DataFrame(rows)


def test_summary_checks_the_targets_at_1000_tracks():
    bench = load_bench()
    within = bench.summary(scale_table(40 * 60, 2048), profile="full", seconds=30)
    assert "**1000 tracks**: the chapters took 40.0 min in all; the longest, 08_cnn, 30.0 min" in within
    assert "the book within 60 min, every chapter over 10 min, peak memory within 3 GB" in within
    assert "**100 tracks**" in within and within.count("Targets") == 1  # no verdict below 1000 tracks
    over = bench.summary(scale_table(100 * 60, 4096), profile="full", seconds=30)
    assert "the book over 60 min" in over and "peak memory over 3 GB" in over and "4.00 GB (08_cnn)" in over


def test_readme_block_is_replaced_between_its_markers(tmp_path):
    bench = load_bench()
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{bench.BEGIN}\nold figures\n{bench.END}\nafter\n")
    bench.write_readme("new figures\n", readme)
    assert readme.read_text() == f"before\n{bench.BEGIN}\nnew figures\n{bench.END}\nafter\n"
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="markers"):
        bench.write_readme("x", readme)


def test_no_sizes_with_append_writes_the_earlier_results_again(tmp_path, monkeypatch):
    bench = load_bench()
    scale_table(30 * 60, 1024).to_csv(tmp_path / "scale.csv", index=False)
    monkeypatch.setattr(bench, "measure", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError("measured")))
    table = bench.main(["--sizes", "--append", "--out", str(tmp_path)])
    assert sorted(table["tracks"].unique()) == [100, 1000]
    assert "wall time (s) @ 1000" in (tmp_path / "scale.md").read_text()
    with pytest.raises(SystemExit, match="--append"):
        bench.main(["--sizes", "--out", str(tmp_path / "empty")])


def test_append_replaces_only_the_chapters_measured_again(tmp_path, monkeypatch):
    bench = load_bench()
    scale_table(30 * 60, 1024).to_csv(tmp_path / "scale.csv", index=False)
    again = pd.DataFrame([{"tracks": 1000, "chapter": "08_cnn", "seconds": 60.0, "peak_mb": 900.0,
                           "processes_at_peak": 2, "ok": True, "cache_mb": 1.0}])
    monkeypatch.setattr(bench, "measure", lambda *args, **kwargs: again.copy())
    table = bench.main(["--sizes", "100", "--chapters", "08", "--out", str(tmp_path), "--append"])
    assert len(table) == 4
    rows = table.set_index(["tracks", "chapter"])
    assert rows.loc[(1000, "08_cnn"), "seconds"] == 60.0 and rows.loc[(100, "08_cnn"), "seconds"] == 0.1 * 30 * 60 * 0.75
    assert rows.loc[(1000, "01_audio_basics"), "seconds"] == 30 * 60 * 0.25
