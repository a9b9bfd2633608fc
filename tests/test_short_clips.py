"""Every model takes every clip the data layer accepts: 1.5-s and 2.6-s clips through every embedding
model and every segment-based input, padded by the one rule of ``audio.pad_to_length`` (looping)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, make_collection, tone
from course_utils import audio, embeddings, features, wavelets
from course_utils.data import load_dataset, segment_table
from course_utils.embeddings import musicnn

TFLITE = ROOT.parent / "shared" / "models" / "yamnet" / "yamnet.tflite"
SHORT = (1.5, 2.6)


def embedding_models() -> list:
    lite = pytest.mark.skipif(not TFLITE.is_file(), reason="../shared/models/yamnet/yamnet.tflite is not available")
    return [pytest.param("yamnet", marks=lite), *musicnn.MODELS]


@pytest.fixture
def yamnet_handle(monkeypatch):
    if TFLITE.is_file():
        monkeypatch.setenv("YAMNET_HANDLE", str(TFLITE))


@pytest.fixture
def short_dataset(tmp_path):
    """Two labels, one 1.5-s and one 2.6-s clip each, at 22050 Hz."""
    root = tmp_path / "short"
    for seconds in SHORT:
        make_collection(root, per_label=1, seconds=seconds)
        for path in root.rglob("*.00000.wav"):
            path.rename(path.with_name(path.name.replace("00000", f"{int(seconds * 10):05d}")))
    return load_dataset(root)


def test_the_data_layer_minimum_is_below_every_window():
    assert audio.MIN_SECONDS == 1.0 and audio.SHORT_CLIP_PADDING == "loop"
    assert audio.MIN_SECONDS * musicnn.SR < musicnn.PATCH_SAMPLES  # so musicnn must pad
    assert embeddings.yamnet.WINDOW / embeddings.yamnet.SR < audio.MIN_SECONDS  # YAMNet never needs to


@pytest.mark.parametrize("seconds", SHORT)
@pytest.mark.parametrize("model", embedding_models())
def test_every_embedding_model_takes_a_short_clip(yamnet_handle, model, seconds):
    y = tone(seconds, sr=22050).astype(np.float32)
    frames = embeddings.frame_embeddings(y, 22050, model=model)
    expected = embeddings.yamnet.frame_count(int(seconds * 16000)) if model == "yamnet" else 1
    assert len(frames.times) == len(frames.scores) == len(frames.embeddings) == expected
    assert np.isfinite(frames.embeddings).all() and frames.duration == pytest.approx(seconds)


def test_musicnn_loops_a_short_clip_to_fill_its_patch():
    y = np.random.default_rng(0).uniform(-0.3, 0.3, int(1.5 * musicnn.SR)).astype(np.float32)
    looped = audio.pad_to_length(y, size=musicnn.PATCH_SAMPLES)
    got = musicnn.musicnn_embeddings(y, musicnn.SR)
    np.testing.assert_array_equal(got.patches, musicnn.musicnn_embeddings(looped, musicnn.SR).patches)
    silent = musicnn.musicnn_embeddings(audio.pad_to_length(y, size=musicnn.PATCH_SAMPLES, mode="silence"), musicnn.SR)
    assert not np.allclose(got.embeddings, silent.embeddings)


@pytest.mark.parametrize("model", embedding_models())
def test_a_data_set_of_short_clips_embeds_per_track_and_per_segment(yamnet_handle, short_dataset, model):
    table, X = embeddings.embed_dataset(short_dataset, model=model)
    assert len(table) == len(X) == 4 and np.isfinite(X).all()
    segments, X_segments = embeddings.embed_dataset(short_dataset, model=model, segment_seconds=3.0)
    assert list(segments["segment"]) == [0] * 4 and len(X_segments) == 4


def test_segment_inputs_give_one_looped_segment_per_short_clip(short_dataset):
    expected = segment_table(short_dataset.tracks, seconds=3.0)
    assert len(expected) == 4
    X, table = features.segment_spectrograms(short_dataset, kind="log_mel", n_jobs=1)
    assert X.shape == (4, 128, 130) and table["track_id"].tolist() == expected["track_id"].tolist()
    X, _ = features.segment_spectrograms(short_dataset, kind="mfcc", segment_seconds=1.5, hop_seconds=0.75, n_jobs=1)
    assert X.shape[0] == sum(audio.segment_count(d, seconds=1.5, hop_seconds=0.75)
                             for d in short_dataset.tracks["duration"])
    rows = features.feature_table(short_dataset, segment_seconds=3.0, n_jobs=1)
    assert len(rows) == 4 and (rows["length"] == 3 * 22050).all() and np.isfinite(rows.iloc[:, 4:].to_numpy()).all()
    scalograms, _ = wavelets.segment_scalograms(short_dataset, n_freqs=16, n_jobs=1)
    assert len(scalograms) == 4 and np.isfinite(scalograms).all()
    assert len(wavelets.dwt_table(short_dataset, segment_seconds=3.0, n_jobs=1)) == 4
