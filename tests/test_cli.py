"""The genre-classify command line: train on a small synthetic set, predict, evaluate, and the error paths."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from course_utils.classifier import RECIPES, load_classifier
from course_utils.cli import main
from course_utils.native_logs import NATIVE_LOG_LINE

GENRES = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]
SCRIPT = Path(sys.executable).with_name("genre-classify")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A synthetic set written by ``synth`` and the default model trained on it by the installed ``train``
    (with an empty data home, so TensorFlow runs; its standard streams are kept in ``train.out``/``train.err``)."""
    root = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_DATA_HOME", str(root / "home"))
        patch.setenv("COURSE_OFFLINE", "1")
        assert main(["synth", str(root / "data"), "--per-genre", "3", "--seconds", "4", "--seed", "5"]) == 0
        done = subprocess.run([str(SCRIPT), "train", str(root / "data"), "-o", str(root / "genres.gcm")],
                              capture_output=True, text=True, timeout=900, env=dict(os.environ))
    (root / "train.out").write_text(done.stdout)
    (root / "train.err").write_text(done.stderr)
    assert done.returncode == 0, done.stderr
    return root


def run(capsys, *argv):
    """Exit status, standard output and standard error of one command."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_synth_and_train_write_the_set_and_the_default_model(trained):
    clips = sorted((trained / "data" / "genres").glob("*/*.wav"))
    assert [p.parent.name for p in clips] == [g for g in GENRES for _ in range(3)]
    assert sf.info(clips[0]).duration == pytest.approx(4.0)
    model = load_classifier(trained / "genres.gcm")
    assert model.name == "musicnn_lda" and model.input.patches and model.labels == GENRES


def test_predict_one_file_as_csv(trained, capsys):
    clip = trained / "data" / "genres" / "metal" / "metal.00001.wav"
    status, out, err = run(capsys, "predict", "-m", trained / "genres.gcm", clip, "--format", "csv")
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "path,genre," + ",".join(GENRES)
    [row] = rows(out)
    assert row["path"] == str(clip) and row["genre"] == "metal"    # a training clip, well fitted
    probabilities = {g: float(row[g]) for g in GENRES}
    assert max(probabilities, key=probabilities.get) == "metal"
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_predict_folder_with_an_undecodable_file(trained, tmp_path, capsys):
    folder = tmp_path / "music"
    (folder / "inner").mkdir(parents=True)
    for genre, target in (("jazz", folder), ("reggae", folder / "inner")):
        (target / f"{genre}.wav").write_bytes((trained / "data" / "genres" / genre / f"{genre}.00000.wav").read_bytes())
    (folder / "inner" / "broken.wav").write_bytes(b"RIFF\x00\x00 this is not audio")
    (folder / "cover.jpg").write_bytes(b"\xff\xd8 not audio and not looked at")
    status, out, err = run(capsys, "predict", "-m", trained / "genres.gcm", folder, "--format", "json")
    assert status == 1
    assert re.search(r"broken\.wav: does not decode as audio", err) and "cover.jpg" not in err
    items = json.loads(out)
    assert [i["path"] for i in items] == [str(folder / "inner" / "reggae.wav"), str(folder / "jazz.wav")]  # sorted
    assert [i["genre"] for i in items] == ["reggae", "jazz"]
    assert all(list(i) == ["path", "genre", *GENRES] for i in items)


def test_predict_a_short_clip_with_segments(trained, tmp_path, capsys):
    y, sr = sf.read(trained / "data" / "genres" / "classical" / "classical.00002.wav")
    sf.write(tmp_path / "short.wav", y[:int(1.5 * sr)], sr)
    status, out, err = run(capsys, "predict", "-m", trained / "genres.gcm", tmp_path / "short.wav",
                           "--format", "csv", "--segments")
    assert status == 0
    whole, first = rows(out)
    assert (whole["segment"], whole["start"], whole["end"]) == ("all", "0.000", "1.500")
    assert (first["segment"], first["start"], first["end"]) == ("0", "0.000", "1.500")
    assert list(whole)[:5] == ["path", "segment", "start", "end", "genre"]
    status, out, _ = run(capsys, "predict", "-m", trained / "genres.gcm", tmp_path / "short.wav", "--segments")
    assert status == 0 and "short.wav" in out and "0.0-1.5 s" in out


def test_predict_segments_of_a_long_clip_in_json(trained, tmp_path, capsys):
    y, sr = sf.read(trained / "data" / "genres" / "disco" / "disco.00000.wav")
    sf.write(tmp_path / "long.ogg", np.tile(y, 3), sr)
    status, out, _ = run(capsys, "predict", "-m", trained / "genres.gcm", tmp_path / "long.ogg", "--format", "json",
                         "--segments")
    [item] = json.loads(out)
    assert status == 0 and item["duration"] == 12.0
    assert [(s["segment"], s["start"], s["end"]) for s in item["segments"]] == [
        (0, 0.0, 3.0), (1, 3.0, 6.0), (2, 6.0, 9.0), (3, 9.0, 12.0)]


def test_too_short_and_missing_files_are_named_and_fail(trained, tmp_path, capsys):
    y, sr = sf.read(trained / "data" / "genres" / "pop" / "pop.00000.wav")
    sf.write(tmp_path / "blip.wav", y[:sr // 2], sr)
    status, out, err = run(capsys, "predict", "-m", trained / "genres.gcm", tmp_path / "blip.wav",
                           tmp_path / "nowhere", "--format", "csv")
    assert status == 1 and out == "path,genre," + ",".join(GENRES) + "\n"   # the header alone
    assert f"{tmp_path / 'blip.wav'}: lasts 0.500 s; expected at least 1 s" in err
    assert f"{tmp_path / 'nowhere'}: no such file or folder" in err


def test_evaluate_prints_accuracy_interval_report_and_confusion(trained, capsys):
    status, out, err = run(capsys, "evaluate", "-m", trained / "genres.gcm", trained / "data", "-q")
    assert status == 0
    accuracy = float(re.search(r"accuracy  : ([\d.]+) \(95% interval [\d.]+-[\d.]+\) on 30 tracks", out).group(1))
    # Its own training clips: the default's shrinkage, chosen by artist-grouped CV, is strong, so it
    # does not memorise all 30 of them, but it is far above chance (0.10).
    assert accuracy >= 0.8
    assert "per genre:" in out and "confusion matrix" in out
    assert all(genre in out.split("per genre:")[1] for genre in GENRES)
    temperature = float(re.search(r"calibrated: temperature ([\d.]+) \(", out).group(1))
    assert temperature == pytest.approx(load_classifier(trained / "genres.gcm").temperature, abs=0.005)


def test_a_file_that_is_not_a_model_is_refused(tmp_path, capsys):
    fake = tmp_path / "model.gcm"
    fake.write_text("hello")
    status, out, err = run(capsys, "predict", "-m", fake, tmp_path)
    assert status == 1 and out == ""
    assert f"genre-classify: error: {fake}: not a model: expected a zip archive" in err


def test_bad_arguments_exit_2(capsys):
    for argv in (["predict", "song.wav"], ["train", "data"], ["synth", "out", "--per-genre", "0"],
                 ["train", "data", "-o", "m.gcm", "--model", "best"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
    assert "invalid choice: 'best'" in capsys.readouterr().err


@pytest.mark.parametrize("command, documented", [
    ("train", ["DATA_DIR", "-o MODEL_PATH", "--model NAME", "--seed", "--jobs", "--no-cache", "--skip-unreadable",
               *RECIPES]),
    ("predict", ["-m MODEL_PATH", "PATH [PATH ...]", "--format {table,csv,json}", "--segments", "--quiet", "--trust",
                 "path,genre,<one probability column per genre>"]),
    ("evaluate", ["-m MODEL_PATH", "DATA_DIR", "--skip-unreadable", "--quiet", "95%", "--trust SHA256",
                  "--verbose", "trained on"]),
    ("synth", ["OUT_DIR", "--per-genre N", "--seconds S", "--seed K"]),
])
def test_help_documents_every_option(capsys, command, documented):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(" ".join(item.split()) in text for item in documented)


def test_installed_script_predicts_without_tensorflow_and_keeps_stdout_clean(trained):
    assert SCRIPT.is_file(), "run `make install` to install the genre-classify script"
    clip = trained / "data" / "genres" / "hiphop" / "hiphop.00002.wav"
    missing = trained / "missing.wav"
    done = subprocess.run([str(SCRIPT), "predict", "-m", str(trained / "genres.gcm"), str(clip), str(missing),
                           "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and f"{missing}: no such file or folder" in done.stderr   # the status is returned
    assert [r["genre"] for r in rows(done.stdout)] == ["hiphop"]                          # and output is flushed
    probe = ("import sys; from course_utils.cli import main; status = main(sys.argv[1:]); "
             "sys.exit(100 + status if 'tensorflow' in sys.modules else status)")
    done = subprocess.run([sys.executable, "-c", probe, "predict", "-m", str(trained / "genres.gcm"), str(clip), "-q"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COURSE_OFFLINE": "1"})
    assert done.returncode == 0, f"status {done.returncode} (100 + status: TensorFlow was imported)\n{done.stderr}"


def test_synth_shows_its_progress_on_standard_error(tmp_path, capsys):
    assert main(["synth", str(tmp_path / "data"), "--per-genre", "1", "--seconds", "1", "--seed", "2"]) == 0
    out, err = capsys.readouterr()
    assert "synthetic GTZAN" in err and "10/10" in err and "synthetic GTZAN" not in out


def native_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if NATIVE_LOG_LINE.match(line.encode())]


def test_standard_error_holds_no_tensorflow_log_lines(trained):
    """Training ran TensorFlow (cold caches) and predicting runs LiteRT: neither prints its C++ log lines;
    --verbose shows them (so this test would see them)."""
    train_err = (trained / "train.err").read_text()
    assert native_lines(train_err) == [] and "absl" not in train_err and "oneDNN" not in train_err
    assert "MSD_musicnn embeddings" in train_err          # progress bars still show
    clip = trained / "data" / "genres" / "jazz" / "jazz.00000.wav"
    env = {**os.environ, "COURSE_DATA_HOME": str(trained / "home"), "COURSE_OFFLINE": "1"}
    quiet, verbose = (subprocess.run([str(SCRIPT), "predict", "-m", str(trained / "genres.gcm"), str(clip), *extra],
                                     capture_output=True, text=True, timeout=120, env=env)
                      for extra in ([], ["--verbose"]))
    assert quiet.returncode == verbose.returncode == 0 and quiet.stdout == verbose.stdout
    assert quiet.stderr == ""
    assert any("XNNPACK" in line for line in native_lines(verbose.stderr)), verbose.stderr


def test_a_native_line_that_is_not_a_log_line_still_shows(tmp_path):
    probe = ("import os, sys; from course_utils.native_logs import filtered_stderr\n"
             "with filtered_stderr():\n"
             "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
             "    os.write(2, b'I0000 00:00:1796422029.924508    8337 port.cc:153] oneDNN custom operations are on\\n')\n"
             "    os.write(2, b'Fatal Python error: a crash report\\n')\n"
             "    print('the program speaks', file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert sorted(done.stderr.splitlines()) == ["Fatal Python error: a crash report", "the program speaks"]


def test_train_checks_its_output_before_any_work(tmp_path, capsys):
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    missing_data = tmp_path / "no-data-here"        # the data would fail next: the output is checked first
    for output, message in ((precious, "refusing to overwrite"), (tmp_path, "it is a folder"),
                            (tmp_path / "gone" / "m.gcm", "does not exist; create it first")):
        status, out, err = run(capsys, "train", missing_data, "-o", output)
        assert status == 1 and out == "" and f"{output}: cannot write: " in err and message in err
    assert precious.read_text() == "years of work"
    if os.geteuid() != 0:                           # root writes everywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        status, _, err = run(capsys, "train", missing_data, "-o", locked / "m.gcm")
        assert status == 1 and "is not writable" in err


def test_synthetic_data_is_never_called_real_and_paths_stay_as_given(trained, capsys):
    train_out = (trained / "train.out").read_text()
    assert "synthetic GTZAN (synthetic)" in train_out and "real audio" not in train_out
    assert "root=" not in train_out                   # no path of the training machine in the model
    status, out, _ = run(capsys, "evaluate", "-m", trained / "genres.gcm", trained / "data", "-q")
    assert "synthetic GTZAN (synthetic)" in out and "real audio" not in out


def test_evaluate_reports_and_warns_about_overlap_with_the_training_data(trained, tmp_path, capsys):
    status, out, err = run(capsys, "evaluate", "-m", trained / "genres.gcm", trained / "data", "-q")
    assert status == 0 and "overlap   : 30 of 30 tracks were training tracks" in out
    assert "genre-classify: warning: 30 of the 30 evaluated tracks were training tracks" in err
    assert main(["synth", str(tmp_path / "other"), "--per-genre", "1", "--seconds", "4", "--seed", "9"]) == 0
    capsys.readouterr()
    status, out, err = run(capsys, "evaluate", "-m", trained / "genres.gcm", tmp_path / "other", "-q")
    assert status == 0 and "overlap   : 0 of 10 tracks were training tracks" in out
    assert "warning" not in err           # same track ids (blues.00000 ...), other audio: not the same tracks


def test_the_readme_session_shows_no_machine_paths_and_never_calls_synthetic_data_real():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    session = readme.split("```console\n$ genre-classify synth synth-train", 1)[1].split("```", 1)[0]
    assert not re.search(r"(?<![\w.])/(work|home|tmp|root|Users)/", session)
    assert "real audio" not in session and "synthetic GTZAN (synthetic)" in session
