"""genre-classify predict over a library: worker processes, rows streamed to a file, resuming after a kill."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from course_utils.classifier import train_classifier
from course_utils.classifier.library import finished_files, predict_library
from course_utils.data import load_dataset
from course_utils.errors import ConfigError
from course_utils.synth import make_synthetic_gtzan


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A folder of 40 short clips (the synthetic set of 2 clips per genre, copied twice) and the default model
    trained on it (its regularization is chosen by cross-validation grouped by artist: 2 clips per genre)."""
    root = tmp_path_factory.mktemp("library")
    clips = make_synthetic_gtzan(root / "data", n_per_genre=2, duration=3.0, seed=2)
    for copy in range(2):
        shutil.copytree(clips, root / "music" / f"disc{copy}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_DATA_HOME", str(root / "home"))
        train_classifier(load_dataset(clips), model="musicnn_logreg").save(root / "genres.gcm")
    return root


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def command(library, *extra):
    return [sys.executable, "-m", "course_utils.cli", "predict", "-m", str(library / "genres.gcm"),
            str(library / "music"), "-q", *map(str, extra)]


def test_resume_after_a_kill_writes_every_file_exactly_once(library, tmp_path):
    output = tmp_path / "genres.csv"
    env = {**os.environ, "COURSE_OFFLINE": "1"}
    process = subprocess.Popen(command(library, "--output", output, "--jobs", "1"), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if output.is_file() and output.read_text().count("\n") >= 4:  # the header and three files
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = read_rows(output)
    assert 3 <= len(written) < 40, "the run was meant to be killed halfway"
    with open(output, "a", encoding="utf-8") as handle:
        handle.write(written[0]["path"][:-5])  # a row cut short by the kill: resume drops it
    done = subprocess.run(command(library, "--output", output, "--resume", "--jobs", "1"), env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{40 - len(written)} files predicted" in done.stderr and f"{len(written)} already there" in done.stderr
    rows = read_rows(output)
    paths = [row["path"] for row in rows]
    expected = sorted(str(p) for p in (library / "music").rglob("*.wav"))
    assert sorted(paths) == expected and len(set(paths)) == len(paths) == 40
    assert rows[:len(written)] == written  # the finished rows were kept as they were


def test_worker_processes_write_the_same_rows_in_the_same_order(library, tmp_path):
    files = sorted((library / "music").rglob("*.wav"))[:8]
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    run_one = predict_library(library / "genres.gcm", files, output=one, jobs=1, progress=False)
    run_two = predict_library(library / "genres.gcm", files, output=two, jobs=2, progress=False)
    assert run_one.predicted == run_two.predicted == 8 and run_two.problems.empty
    assert one.read_text() == two.read_text()
    assert [row["path"] for row in read_rows(two)] == [str(f) for f in files]


def test_a_broken_file_is_reported_and_tried_again_on_resume(library, tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not audio at all" * 10)
    good = sorted((library / "music").rglob("*.wav"))[:2]
    output = tmp_path / "out.csv"
    run = predict_library(library / "genres.gcm", [*good, broken], output=output, jobs=1, progress=False)
    assert run.predicted == 2 and run.problems["path"].tolist() == [str(broken)]
    again = predict_library(library / "genres.gcm", [*good, broken], output=output, jobs=1, resume=True,
                            progress=False)
    assert again.skipped == 2 and again.predicted == 0 and len(again.problems) == 1
    assert len(read_rows(output)) == 2


def test_resume_refuses_an_output_of_another_shape(library, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("path,genre,a,b\nx.wav,a,1.0,0.0\n")
    with pytest.raises(ConfigError, match="header"):
        finished_files(other, header="path,genre,blues\n")
    with pytest.raises(ConfigError, match="--output"):
        predict_library(library / "genres.gcm", [], output=None, resume=True)
