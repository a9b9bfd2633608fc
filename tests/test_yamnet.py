"""YAMNet from a handle: frames, known answers on synthetic signals, pooling, data-set cache, errors.

The model tests use the offline TFLite copy in ../shared/models/yamnet and skip without it.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, make_collection, tone
from reference_values import check_reference
from course_utils.embeddings import (FrameEmbeddings, WeightsError, embed_dataset, pool, track_embedding,
                                     yamnet_class_names, yamnet_embeddings, yamnet_handle)
from course_utils.embeddings import yamnet
from course_utils.errors import ConfigError

TFLITE = ROOT.parent / "shared" / "models" / "yamnet" / "yamnet.tflite"


@pytest.fixture
def lite(monkeypatch) -> str:
    """The offline YAMNet, set as $YAMNET_HANDLE (loaded once per session: load_yamnet caches it)."""
    if not TFLITE.is_file():
        pytest.skip("../shared/models/yamnet/yamnet.tflite is not available")
    monkeypatch.setenv("YAMNET_HANDLE", str(TFLITE))
    return str(TFLITE)


@pytest.fixture(scope="module")
def names() -> list[str]:
    if not TFLITE.is_file():
        pytest.skip("../shared/models/yamnet/yamnet.tflite is not available")
    return yamnet_class_names(TFLITE)


def top(frames: FrameEmbeddings, names: list[str], k: int) -> list[str]:
    return [names[i] for i in np.argsort(-frames.scores.mean(axis=0))[:k]]


@pytest.mark.parametrize("samples, expected", [(8000, 1), (15600, 1), (15601, 2), (16000, 2), (48000, 6),
                                                (480000, 62)])
def test_frame_count_follows_yamnet_padding(samples, expected):
    assert yamnet.frame_count(samples) == expected
    assert len(yamnet.pad_like_yamnet(np.ones(samples))) == yamnet.WINDOW + (expected - 1) * yamnet.HOP


def test_handle_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("YAMNET_HANDLE", raising=False)
    assert yamnet_handle() == yamnet.YAMNET_URL
    monkeypatch.setenv("YAMNET_HANDLE", "models/yamnet.tflite")
    monkeypatch.chdir(tmp_path)
    assert yamnet_handle() == str((tmp_path / "models" / "yamnet.tflite").resolve())
    assert yamnet_handle("https://example.org/yamnet/1") == "https://example.org/yamnet/1"


@pytest.mark.parametrize("seconds, sr, n_frames", [(3.0, 22050, 6), (2.0, 16000, 4), (0.5, 16000, 1)])
def test_shapes_and_frame_times(lite, seconds, sr, n_frames):
    frames = yamnet_embeddings(tone(seconds, sr=sr).astype(np.float32), sr)
    assert frames.scores.shape == (n_frames, 521)
    assert frames.embeddings.shape == (n_frames, 1024)
    assert frames.patches.shape == (n_frames, 96, 64)
    np.testing.assert_allclose(frames.times, 0.48 * np.arange(n_frames))
    assert frames.duration == pytest.approx(seconds)
    assert frames.spectrogram().shape == (96 + 48 * (n_frames - 1), 64)
    assert np.all((frames.scores >= 0) & (frames.scores <= 1)) and np.all(frames.embeddings >= 0)


def test_log_mel_of_a_1khz_sine_peaks_in_its_band(lite):
    # 64 HTK mel bands from 125 to 7500 Hz: 1000 Hz lies between the centres of bands 19 and 20.
    frames = yamnet_embeddings(tone(2.0, sr=16000, freq=1000.0).astype(np.float32), 16000)
    assert frames.spectrogram().mean(axis=0).argmax() in (19, 20)
    np.testing.assert_allclose(frames.patches[1][:48], frames.patches[0][48:], atol=1e-5)


def test_class_names(names):
    assert len(names) == 521 and names[0] == "Speech" and names[132] == "Music"


def test_sine_and_noise_are_not_music(lite, names):
    from course_utils.synth import render_track

    music = yamnet_embeddings(render_track("rock", duration=4.0, sr=16000), 16000)
    sine = yamnet_embeddings(tone(4.0, sr=16000).astype(np.float32), 16000)
    noise = yamnet_embeddings(0.3 * np.random.default_rng(0).standard_normal(64000).astype(np.float32), 16000)
    assert "Music" in top(music, names, 3)
    assert "Music" not in top(sine, names, 3) and "Music" not in top(noise, names, 3)
    assert top(sine, names, 1) != top(noise, names, 1)
    assert {"White noise", "Static", "Noise", "Pink noise"} & set(top(noise, names, 5))


def test_embeddings_match_the_stored_reference(lite):
    """Deterministic across processes and runs: the same numbers as the reference stored earlier."""
    y = np.random.default_rng(1).uniform(-0.5, 0.5, 40000).astype(np.float32)
    frames = yamnet_embeddings(y, 16000)
    check_reference("yamnet", {"embeddings": frames.embeddings, "scores": frames.scores})


def frames_of(embeddings: np.ndarray, *, hop: float = 0.5, window: float = 1.0, duration: float) -> FrameEmbeddings:
    n = len(embeddings)
    return FrameEmbeddings(model="test", layer="embedding", scores=embeddings, embeddings=embeddings,
                           times=hop * np.arange(n), window=window, duration=duration)


def test_pooling_known_answers():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(pool(x), [2.0, 4.0])
    np.testing.assert_allclose(pool(x, pooling="mean_std"), [2.0, 4.0, 1.0, 2.0])
    with pytest.raises(ConfigError, match="pooling"):
        pool(x, pooling="max")


def test_segment_pooling_assigns_frames_by_centre():
    # 12 frames every 0.5 s, 1 s long: centres 0.5, 1.0, ..., 6.0; 6.2 s gives two whole 3-s segments.
    frames = frames_of(np.arange(12.0)[:, None], duration=6.2)
    segments = track_embedding(frames, segment_seconds=3.0)
    np.testing.assert_allclose(segments[:, 0], [np.mean([0, 1, 2, 3, 4]), np.mean([5, 6, 7, 8, 9, 10])])
    assert track_embedding(frames, pooling="mean_std").shape == (2,)
    with pytest.raises(ConfigError, match="without any"):
        track_embedding(frames_of(np.ones((2, 3)), hop=3.0, duration=6.0), segment_seconds=1.0)


def test_embed_dataset_pools_per_track_and_segment_and_caches(lite, tmp_path, private_data_home):
    from course_utils.data import load_dataset

    dataset = load_dataset(make_collection(tmp_path / "songs", per_label=2, seconds=3.5))
    table, X = embed_dataset(dataset, pooling="mean_std")
    assert X.shape == (4, 2048) and list(table["track_id"]) == list(dataset.tracks["track_id"])
    segments, S = embed_dataset(dataset, segment_seconds=1.5)
    assert S.shape == (8, 1024) and list(segments["segment"]) == [0, 1] * 4
    np.testing.assert_allclose(segments["end"] - segments["start"], 1.5)
    assert len(list((private_data_home / "cache" / "embeddings-yamnet").glob("*.npz"))) == 4
    direct = yamnet_embeddings(np.asarray(dataset.load(table["track_id"][0], sr=16000)), 16000)
    np.testing.assert_allclose(X[0, :1024], direct.embeddings.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_stand_in_savedmodel_goes_through_tensorflow_hub(tmp_path):
    """A tiny SavedModel with YAMNet's interface checks the SavedModel branch: framing and class map."""
    import tensorflow as tf

    class_map = tmp_path / "class_map.csv"
    class_map.write_text("index,mid,display_name\n" + "".join(f"{i},/m/{i},class {i}\n" for i in range(521)))

    class StandIn(tf.Module):
        def __init__(self):
            super().__init__()
            self.class_map = tf.saved_model.Asset(str(class_map))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, waveform):
            n = 1 + (tf.maximum(0, tf.size(waveform) - 15600) + 7679) // 7680
            steps = 96 + 48 * (n - 1)
            log_mel = tf.reshape(tf.range(steps * 64, dtype=tf.float32), (steps, 64))
            return tf.zeros((n, 521)), tf.ones((n, 1024)), log_mel

        @tf.function(input_signature=[])
        def class_map_path(self):
            return self.class_map.asset_path

    folder = tmp_path / "yamnet_saved"
    tf.saved_model.save(StandIn(), str(folder))
    frames = yamnet_embeddings(np.zeros(48000, dtype=np.float32), 16000, handle=folder)
    assert frames.embeddings.shape == (6, 1024) and frames.patches.shape == (6, 96, 64)
    np.testing.assert_array_equal(frames.patches[2], np.arange(96 * 64).reshape(96, 64) + 2 * 48 * 64)
    np.testing.assert_array_equal(frames.spectrogram(), np.arange(336 * 64).reshape(336, 64))
    assert yamnet_class_names(folder)[5] == "class 5"


def test_missing_path_names_the_variable(tmp_path):
    with pytest.raises(WeightsError, match=r"does not exist.*\$YAMNET_HANDLE"):
        yamnet_embeddings(np.zeros(16000, dtype=np.float32), 16000, handle=tmp_path / "nothing.tflite")


def test_folder_that_is_not_a_savedmodel(tmp_path):
    with pytest.raises(WeightsError, match=r"without saved_model\.pb.*\$YAMNET_HANDLE"):
        yamnet.load_yamnet(tmp_path)


def test_file_that_is_not_a_yamnet_tflite(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.tflite").write_bytes(b"\0" * 64)
    with pytest.raises(WeightsError, match="not a .tflite model"):
        yamnet.load_yamnet(tmp_path / "notes.txt")
    with pytest.raises(WeightsError, match="not a readable TFLite model"):
        yamnet.load_yamnet(tmp_path / "broken.tflite")


def test_address_while_offline_says_what_to_set(monkeypatch, tmp_path):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "hub"))
    monkeypatch.delenv("YAMNET_HANDLE", raising=False)
    with pytest.raises(WeightsError, match=r"COURSE_OFFLINE.*\$YAMNET_HANDLE"):
        yamnet.load_yamnet()


def test_missing_class_map_names_the_variable(lite, monkeypatch, tmp_path):
    monkeypatch.setenv("YAMNET_CLASS_MAP", str(tmp_path / "absent.csv"))
    with pytest.raises(WeightsError, match=r"\$YAMNET_CLASS_MAP"):
        yamnet_class_names()


def test_bad_signals_are_refused(lite):
    with pytest.raises(ConfigError, match="mono"):
        yamnet_embeddings(np.zeros((2, 16000), dtype=np.float32), 16000)
    with pytest.raises(ConfigError, match="NaN"):
        yamnet_embeddings(np.full(16000, np.nan, dtype=np.float32), 16000)


def test_plots_of_scores_and_maps():
    import matplotlib.pyplot as plt

    from course_utils import plots

    scores = np.array([[0.1, 0.9, 0.5], [0.2, 0.7, 0.6]])
    ax = plots.topk_timeline(scores, times=np.array([0.0, 0.48]), labels=["a", "b", "c"], k=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c"]
    with pytest.raises(ConfigError, match="scores"):
        plots.topk_timeline(scores, times=np.zeros(3), labels=["a", "b", "c"])
    ax = plots.embedding_map(np.zeros((3, 2)), ["y", "x", "y"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]
    with pytest.raises(ConfigError, match="points"):
        plots.embedding_map(np.zeros((3, 3)), ["x"] * 3)
    plt.close("all")
