"""Saved genre classifiers (course_utils.classifier): exact round trips, refusals, inputs and prediction rules."""

from __future__ import annotations

import dataclasses
import json
import warnings
import zipfile

import numpy as np
import pytest
import soundfile as sf

from conftest import SHARED_DATA, write_tone
from course_utils.classifier import (RECIPES, EmbeddingInput, GenreClassifier, SavedModelError, find_audio_files,
                                     load_classifier, predict_paths, train_classifier)
from course_utils.classifier.storage import MANIFEST
from course_utils.data import load_dataset
from course_utils.errors import ConfigError
from course_utils.synth import make_synthetic_gtzan

SHARED_YAMNET = SHARED_DATA.parent / "models" / "yamnet" / "yamnet.tflite"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A tiny synthetic GTZAN (2 clips of 4 s per genre) and a private data home for training."""
    root = tmp_path_factory.mktemp("synthetic")
    make_synthetic_gtzan(root, n_per_genre=2, duration=4.0, seed=3)
    return root


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_DATA_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("COURSE_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def musicnn_model(synthetic, home):
    return train_classifier(load_dataset(synthetic), model="musicnn_logreg")


@pytest.fixture(scope="module")
def features_model(synthetic, home):
    return train_classifier(load_dataset(synthetic), model="features_logreg", n_jobs=1)


def clips(synthetic):
    return sorted((synthetic / "genres").glob("*/*.wav"))


def test_training_fits_the_training_tracks(musicnn_model, synthetic):
    assert musicnn_model.labels == sorted(p.name for p in (synthetic / "genres").iterdir() if p.is_dir())
    predictions = musicnn_model.predict_files(clips(synthetic), progress=False)
    truth = [p.parent.name for p in clips(synthetic)]
    assert (predictions.files["genre"] == truth).mean() >= 0.9
    probabilities = predictions.files[musicnn_model.labels].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_gives_probabilities_without_deprecated_options(name):
    features = np.random.default_rng(0).normal(size=(60, 5))
    labels = np.repeat(["blues", "jazz", "rock"], 20)
    features[labels == "jazz"] += 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        pipeline = RECIPES[name].build().fit(features, labels)
    probabilities = pipeline.predict_proba(features)
    assert probabilities.shape == (60, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert (pipeline.classes_[probabilities.argmax(axis=1)] == labels).mean() > 0.6


def test_calibrated_svm_trains_on_two_clips_per_genre_and_names_a_genre_with_one():
    features = np.random.default_rng(1).normal(size=(7, 4))
    labels = np.array(["blues"] * 2 + ["jazz"] * 2 + ["rock"] * 3)
    pipeline = RECIPES["features_svm"].build(labels=labels).fit(features, labels)
    assert pipeline.predict_proba(features).shape == (7, 3)
    with pytest.raises(ConfigError, match="'blues' has 1"):
        RECIPES["features_svm"].build(labels=labels[1:])


@pytest.mark.parametrize("fixture", ["musicnn_model", "features_model"])
def test_save_and_load_round_trip_predictions_exactly(fixture, request, synthetic, tmp_path):
    model = request.getfixturevalue(fixture)
    path = model.save(tmp_path / "genres.gcm")
    loaded = GenreClassifier.load(path)
    assert (loaded.name, loaded.labels, loaded.input) == (model.name, model.labels, model.input)
    files = clips(synthetic)[::5]
    before = model.predict_files(files, segments=True, progress=False)
    after = loaded.predict_files(files, segments=True, progress=False)
    assert before.files.equals(after.files) and before.segments.equals(after.segments)
    again = load_classifier(loaded.save(tmp_path / "again.gcm"))   # saving a loaded model changes nothing
    assert again.predict_files(files, progress=False).files.equals(before.files)


def test_manifest_records_what_reuse_needs(musicnn_model, tmp_path):
    path = musicnn_model.save(tmp_path / "m.gcm")
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        names = set(archive.namelist())
    assert manifest["format"] == "genre-classify model" and manifest["format_version"] == 2
    assert manifest["labels"] == musicnn_model.labels and manifest["width"] == 200
    assert set(manifest["versions"]) >= {"course_utils", "python", "numpy", "scikit-learn", "tensorflow"}
    assert manifest["input"] == {"kind": "embedding", "model": "MSD_musicnn", "layer": "penultimate",
                                 "pooling": "mean", "patches": False, "segment_seconds": 3.0, "handle": None}
    assert manifest["estimator"] == {"kind": "sklearn", "file": "estimator.skops", "library": "scikit-learn"}
    assert names == {MANIFEST, "estimator.skops", "network.tflite"} == {MANIFEST, *manifest["files"]}
    assert all(len(entry["sha256"]) == 64 and entry["size"] > 0 for entry in manifest["files"].values())
    tracks = manifest["training_tracks"]
    assert len(tracks["track_id"]) == len(tracks["artist"]) == len(tracks["sha256"]) == 20
    assert tracks["track_id"][0] == "blues.00000" and tracks["gtzan"] is False
    assert "root" not in manifest["trained_on"]   # no path of the training machine
    assert manifest["temperature"] == musicnn_model.temperature > 0


def test_temperature_round_trips_and_a_model_saved_without_one_loads_with_1(features_model, synthetic, tmp_path):
    hot = dataclasses.replace(features_model, temperature=2.5)
    loaded = load_classifier(hot.save(tmp_path / "hot.gcm"))
    assert loaded.temperature == 2.5
    files = clips(synthetic)[::7]
    tempered = loaded.predict_files(files, progress=False).files
    assert tempered.equals(hot.predict_files(files, progress=False).files)
    old = load_classifier(rewrite(tmp_path / "hot.gcm", tmp_path / "old.gcm", manifest=lambda m: m.pop("temperature")))
    assert old.temperature == 1.0
    raw = old.predict_files(files, progress=False).files
    assert list(raw["genre"]) == list(tempered["genre"])
    assert not np.allclose(raw[old.labels].to_numpy(), tempered[old.labels].to_numpy())


def test_litert_network_computes_what_keras_computes():
    from course_utils.classifier.lite import LiteMusicnn, export_musicnn
    from course_utils.embeddings import musicnn_embeddings
    from course_utils.synth import render_track

    lite = LiteMusicnn(export_musicnn("MSD_musicnn", layer="penultimate"), model="MSD_musicnn", layer="penultimate")
    for seconds in (7.0, 1.5):
        y = render_track("disco", duration=seconds, sr=22050)
        ours, reference = lite(y, 22050), musicnn_embeddings(y, 22050)
        assert ours.embeddings.shape == reference.embeddings.shape
        np.testing.assert_allclose(ours.embeddings, reference.embeddings, atol=1e-4)
        np.testing.assert_allclose(ours.scores, reference.scores, atol=1e-5)
        np.testing.assert_array_equal(ours.times, reference.times)


def rewrite(path, target, *, manifest=None, members=None):
    """Copy a saved model with its manifest changed by ``manifest(dict)`` and members replaced."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(contents[MANIFEST])
    if manifest:
        manifest(data)
    contents.update(members or {}, **{MANIFEST: json.dumps(data).encode()})
    with zipfile.ZipFile(target, "w") as archive:
        for name, value in contents.items():
            archive.writestr(name, value)
    return target


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(format_version=3), "upgrade course_utils"),
    (lambda m: m.update(format_version=1), "train it again"),
    (lambda m: m.update(format="something else"), "not a model: expected a zip archive"),
    (lambda m: m["versions"].update({"scikit-learn": "0.24.2"}), "scikit-learn 0.24.2"),
    (lambda m: m["input"].update(kind="spectrogram"), "unknown input kind 'spectrogram'"),
    (lambda m: m["input"].update(colour="blue"), "do not fit this version"),
    (lambda m: m.pop("labels"), "labels is NoneType, expected list"),
    (lambda m: m.update(temperature="hot"), "temperature is str"),
    (lambda m: m.update(temperature=-1.0), "temperature -1.0 is not a positive number"),
])
def test_loading_refuses_incompatible_models(features_model, tmp_path, change, message):
    saved = features_model.save(tmp_path / "ok.gcm")
    with pytest.raises(SavedModelError, match=message):
        load_classifier(rewrite(saved, tmp_path / "bad.gcm", manifest=change))


def test_loading_refuses_files_that_are_not_models(features_model, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    with pytest.raises(SavedModelError, match="notes.txt: not a model: expected a zip archive"):
        load_classifier(text)
    with pytest.raises(SavedModelError, match="missing: no such file"):
        load_classifier(tmp_path / "missing.gcm")
    with pytest.raises(SavedModelError, match="not a model: it is a folder"):
        load_classifier(tmp_path)
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SavedModelError, match="bare.zip: not a model"):
        load_classifier(bare)
    saved = features_model.save(tmp_path / "ok.gcm")
    damaged = rewrite(saved, tmp_path / "damaged.gcm", members={"estimator.skops": b"0" * 100})
    with pytest.raises(SavedModelError, match="tampered: member estimator.skops does not match its SHA-256"):
        load_classifier(damaged)


def test_saving_never_overwrites_other_files(features_model, tmp_path):
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    with pytest.raises(SavedModelError, match="refusing to overwrite"):
        features_model.save(precious)
    assert precious.read_text() == "years of work"
    with pytest.raises(SavedModelError, match="is a folder"):
        features_model.save(tmp_path)
    with pytest.raises(SavedModelError, match="does not exist; create it first"):
        features_model.save(tmp_path / "nowhere" / "m.gcm")
    first = features_model.save(tmp_path / "m.gcm")
    assert load_classifier(features_model.save(first)).name == "features_logreg"   # a model is replaced
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []    # no temporary file left


def test_keras_estimator_round_trips(musicnn_model, synthetic, tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    network = keras.Sequential([keras.Input((200,)), keras.layers.Dense(len(musicnn_model.labels),
                                                                        activation="softmax")])
    model = GenreClassifier("keras_dense", musicnn_model.input, network, musicnn_model.labels)
    loaded = load_classifier(model.save(tmp_path / "keras.gcm"))
    with zipfile.ZipFile(tmp_path / "keras.gcm") as archive:
        assert json.loads(archive.read(MANIFEST))["estimator"]["kind"] == "keras"
    files = clips(synthetic)[:4]
    before, after = (m.predict_files(files, segments=True, progress=False) for m in (model, loaded))
    assert before.files.equals(after.files) and before.segments.equals(after.segments)


def test_keras_code_loads_only_when_the_file_is_trusted(features_model, tmp_path):
    import keras

    from course_utils.classifier.storage import file_sha256

    network = keras.Sequential([keras.Input((57,)), keras.layers.Lambda(lambda x: x * 2.0),
                                keras.layers.Dense(len(features_model.labels), activation="softmax")])
    path = GenreClassifier("keras_lambda", features_model.input, network, features_model.labels).save(
        tmp_path / "lambda.gcm")
    with pytest.raises(SavedModelError, match=r"untrusted types: .*Lambda.* --trust [0-9a-f]{64}"):
        load_classifier(path)
    assert load_classifier(path, trust=file_sha256(path)).name == "keras_lambda"


def test_unsaveable_estimator_is_named(features_model, tmp_path):
    odd = GenreClassifier("odd", features_model.input, object(), features_model.labels)
    with pytest.raises(ConfigError, match="cannot save a object"):
        odd.save(tmp_path / "odd.gcm")


def test_prediction_rules_for_short_long_and_broken_files(features_model, synthetic, tmp_path):
    y, sr = sf.read(clips(synthetic)[0])
    sf.write(tmp_path / "short.wav", y[:int(1.5 * sr)], sr)
    sf.write(tmp_path / "tiny.wav", y[:int(0.5 * sr)], sr)
    sf.write(tmp_path / "seven.flac", np.tile(y, 2)[:7 * sr], sr)
    (tmp_path / "broken.wav").write_bytes(b"RIFF not really")
    predictions = features_model.predict_files(
        [tmp_path / n for n in ("short.wav", "tiny.wav", "seven.flac", "broken.wav")], segments=True, progress=False)
    assert list(predictions.files["path"]) == [str(tmp_path / "short.wav"), str(tmp_path / "seven.flac")]
    problems = dict(zip(predictions.problems["path"], predictions.problems["problem"]))
    assert "lasts 0.500 s; expected at least 1 s" in problems[str(tmp_path / "tiny.wav")]
    assert "does not decode" in problems[str(tmp_path / "broken.wav")]
    segments = predictions.segments
    assert segments[segments["path"].str.endswith("short.wav")][["segment", "start", "end"]].values.tolist() == [
        [0, 0.0, 1.5]]
    assert segments[segments["path"].str.endswith("seven.flac")][["start", "end"]].values.tolist() == [
        [0.0, 3.0], [3.0, 6.0]]


def test_find_audio_files_searches_folders(tmp_path):
    write_tone(tmp_path / "a" / "one.wav")
    write_tone(tmp_path / "a" / "deep" / "two.WAV")
    write_tone(tmp_path / "a" / ".hidden" / "three.wav")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "empty").mkdir()
    explicit = write_tone(tmp_path / "odd.name", format="WAV")
    files, problems = find_audio_files([tmp_path / "a", explicit, tmp_path / "a" / "one.wav",
                                        tmp_path / "empty", tmp_path / "gone.mp3"])
    assert files == [tmp_path / "a" / "deep" / "two.WAV", tmp_path / "a" / "one.wav", explicit]
    assert list(problems["path"]) == [str(tmp_path / "empty"), str(tmp_path / "gone.mp3")]
    assert "holds no audio files" in problems["problem"][0] and problems["problem"][1] == "no such file or folder"


def test_predict_paths_keeps_going_after_missing_paths(features_model, synthetic, tmp_path):
    predictions = predict_paths(features_model, [tmp_path / "gone", clips(synthetic)[0]], progress=False)
    assert len(predictions.files) == 1 and list(predictions.problems["path"]) == [str(tmp_path / "gone")]


def test_unknown_model_and_missing_yamnet_are_explained(synthetic, home, monkeypatch):
    from course_utils.embeddings import WeightsError

    dataset = load_dataset(synthetic)
    with pytest.raises(ConfigError, match="unknown model 'best'; expected one of musicnn_lda, musicnn_logreg"):
        train_classifier(dataset, model="best")
    monkeypatch.delenv("YAMNET_HANDLE", raising=False)
    with pytest.raises(WeightsError, match=r"set \$YAMNET_HANDLE"):
        train_classifier(dataset, model="yamnet_logreg")


def test_evaluate_refuses_unknown_genres(features_model, tmp_path):
    for label in ("blues", "polka"):
        write_tone(tmp_path / label / f"{label}.00000.wav", 2.0)
    with pytest.raises(ConfigError, match=r"labels \['polka'\] that this classifier does not know"):
        features_model.evaluate(load_dataset(tmp_path), progress=False)


def test_evaluate_scores_tracks(features_model, synthetic):
    evaluation = features_model.evaluate(load_dataset(synthetic), progress=False)
    assert evaluation.scores.n == 20 and evaluation.scores.accuracy >= 0.9
    assert list(evaluation.predictions.files["label"]) == [p.parent.name for p in clips(synthetic)]


@pytest.mark.skipif(not SHARED_YAMNET.is_file(), reason="no offline YAMNet in ../shared/models")
def test_yamnet_model_round_trips(synthetic, home, tmp_path, monkeypatch):
    monkeypatch.setenv("YAMNET_HANDLE", str(SHARED_YAMNET))
    model = train_classifier(load_dataset(synthetic), model="yamnet_logreg")
    assert isinstance(model.input, EmbeddingInput) and model.input.handle == str(SHARED_YAMNET.resolve())
    loaded = load_classifier(model.save(tmp_path / "yamnet.gcm"))
    files = clips(synthetic)[:3]
    assert model.predict_files(files, progress=False).files.equals(loaded.predict_files(files, progress=False).files)


def test_an_unprepared_musicnn_input_is_not_saved(features_model, tmp_path):
    odd = GenreClassifier("raw", EmbeddingInput("MSD_musicnn"), features_model.estimator, features_model.labels)
    with pytest.raises(ConfigError, match=r"no network yet; call prepare\(\)"):
        odd.save(tmp_path / "raw.gcm")
    assert not (tmp_path / "raw.gcm").exists()
