"""Augmentations keep shapes, change content, follow their seed, and are off when switched off."""

import os
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import write_tone
from course_utils import train
from course_utils.errors import ConfigError, SplitError
from course_utils.train import augment

SEED = np.array([3, 4])


def batch(n: int = 6, bands: int = 20, frames: int = 30) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (rng.normal(size=(n, bands, frames)) + np.arange(n)[:, None, None] * 10).astype(np.float32)


@pytest.mark.parametrize("axis, masked_axis", [("frequency", 1), ("time", 2)])
def test_masks_replace_whole_spans_by_the_example_mean(axis, masked_axis):
    x = batch()
    out = augment.mask(x, SEED, masks=2, fraction=0.2, axis=axis).numpy()
    assert out.shape == x.shape and not np.array_equal(out, x)
    spans = []
    for original, changed in zip(x, out):
        changed_cells = changed != original
        lines = changed_cells.any(axis=2 - masked_axis)  # which bands (or frames) were touched
        assert np.all(changed_cells.all(axis=2 - masked_axis) == lines), "a mask covers whole rows or columns"
        assert np.allclose(changed[changed_cells], original.mean(), atol=1e-4)
        assert lines.sum() <= 2 * int(0.2 * x.shape[masked_axis])
        spans.append(tuple(np.flatnonzero(lines)))
    assert len(set(spans)) > 1, "each example gets its own masks"


def test_masks_follow_their_seed_and_can_be_empty():
    x = batch()
    first, again = (augment.mask(x, SEED, masks=2, fraction=0.2, axis="time").numpy() for _ in range(2))
    other = augment.mask(x, SEED + 1, masks=2, fraction=0.2, axis="time").numpy()
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.array_equal(augment.mask(x, SEED, masks=0, fraction=0.2, axis="time").numpy(), x)
    assert np.array_equal(augment.mask(x, SEED, masks=3, fraction=0.0, axis="time").numpy(), x)


def test_time_masks_of_sequences_drop_whole_steps():
    x = np.swapaxes(batch(), 1, 2)  # (batch, steps, features)
    out = augment.mask(x, SEED, masks=2, fraction=0.2, axis="time", time_axis=0).numpy()
    changed = out != x
    assert changed.any() and np.all(changed.any(axis=2) == changed.all(axis=2))


def test_time_shift_rolls_each_example_along_time_only():
    x = batch()
    out = augment.time_shift(x, SEED, fraction=0.25).numpy()
    assert out.shape == x.shape and not np.array_equal(out, x)
    shifts = []
    for original, changed in zip(x, out):
        match = [s for s in range(-7, 8) if np.array_equal(np.roll(original, s, axis=1), changed)]
        assert len(match) == 1, "each example is its own roll, within a quarter of its 30 frames"
        shifts.append(match[0])
    assert len(set(shifts)) > 1
    assert np.array_equal(augment.time_shift(x, SEED, fraction=0.0).numpy(), x)
    sequences = np.swapaxes(x, 1, 2)
    rolled = augment.time_shift(sequences, SEED, fraction=0.25, time_axis=0).numpy()
    assert any(np.array_equal(np.roll(sequences[0], s, axis=0), rolled[0]) for s in range(-7, 8))


def test_mixup_blends_inputs_and_labels_with_the_same_weight():
    x = batch()
    y = np.eye(6, dtype=np.float32)  # every example its own class, so the weights can be read back
    mixed_x, mixed_y = (t.numpy() for t in augment.mixup(x, y, SEED, alpha=0.4))
    assert mixed_x.shape == x.shape and mixed_y.shape == y.shape and not np.array_equal(mixed_x, x)
    assert np.allclose(mixed_y.sum(axis=1), 1)
    for i in range(6):
        partner = [j for j in range(6) if j != i and mixed_y[i, j] > 0]
        lam = mixed_y[i, i] if partner else 1.0
        expected = lam * x[i] + (1 - lam) * (x[partner[0]] if partner else 0)
        assert np.allclose(mixed_x[i], expected, atol=1e-4)


def test_augmentation_switches():
    assert train.Augmentation().name == "specaugment+shift"
    assert train.Augmentation(mixup=0.2).name == "specaugment+shift+mixup"
    off = train.Augmentation(frequency_masks=0, time_masks=0, shift=0.0)
    assert off.name == "none"
    x, y = batch(), np.eye(6, dtype=np.float32)
    out_x, out_y = off(x, y, SEED)
    assert np.array_equal(out_x.numpy(), x) and np.array_equal(out_y.numpy(), y)
    on_x, on_y = train.Augmentation(mixup=0.3)(x, y, SEED)
    assert on_x.shape == x.shape and not np.array_equal(on_x.numpy(), x) and not np.array_equal(on_y.numpy(), y)


@pytest.mark.parametrize("options, name", [({"frequency_masks": -1}, "frequency_masks"), ({"shift": 0.9}, "shift"),
                                           ({"mixup": -0.1}, "mixup"), ({"time_axis": 2}, "time_axis"),
                                           ({"time_mask": "wide"}, "time_mask")])
def test_bad_augmentation_settings_are_named(options, name):
    with pytest.raises(ConfigError, match=name):
        train.Augmentation(**options)


def test_pipelines_augment_training_batches_only_and_anew_every_epoch():
    x, y = batch(8), np.arange(8) % 3
    values = lambda dataset: np.concatenate([b.numpy() for b, _ in dataset])
    plain = train.as_dataset((x, y), n_classes=3, batch_size=4)
    assert np.array_equal(values(plain), x)  # no augmentation asked: the data pass unchanged
    augmented = train.as_dataset((x, y), n_classes=3, batch_size=4, augment=train.Augmentation(), seed=1)
    first, second = values(augmented), values(augmented)
    assert first.shape == x.shape and not np.array_equal(first, x) and not np.array_equal(first, second)
    again = values(train.as_dataset((x, y), n_classes=3, batch_size=4, augment=train.Augmentation(), seed=1))
    assert np.array_equal(first, again)


def test_audio_copies_are_pitch_shifted_or_stretched_and_made_once(tmp_path):
    path = write_tone(tmp_path / "blues" / "blues.00000.wav", 4.0, freq=440.0)
    tracks = pd.DataFrame({"track_id": ["blues.00000"], "label": ["blues"], "path": [str(path)]})
    copies = train.audio_variants(tracks, pitch_steps=(12,), stretch_rates=(2.0,), n_jobs=1)
    assert copies["variant"].tolist() == ["pitch+12", "stretch2"]
    assert copies["track_id"].tolist() == ["blues.00000~pitch+12", "blues.00000~stretch2"]
    assert (copies["source"] == "blues.00000").all()
    up, sr = sf.read(copies.loc[0, "path"])
    spectrum = np.abs(np.fft.rfft(up))
    assert np.fft.rfftfreq(len(up), 1 / sr)[spectrum.argmax()] == pytest.approx(880.0, abs=3.0)
    assert copies.loc[1, "duration"] == pytest.approx(2.0, abs=0.05)
    stamps = [os.stat(p).st_mtime_ns for p in copies["path"]]
    again = train.audio_variants(tracks, pitch_steps=(12,), stretch_rates=(2.0,), n_jobs=1)
    assert again["path"].tolist() == copies["path"].tolist()
    assert [os.stat(p).st_mtime_ns for p in again["path"]] == stamps  # read from the cache, not made again
    with pytest.raises(ConfigError, match="pitch amounts"):
        train.audio_variants(tracks, pitch_steps=(0,), stretch_rates=())


def test_augmented_segments_keep_their_track_and_extend_only_its_part(tmp_path):
    paths = [write_tone(tmp_path / g / f"{g}.00000.wav", 6.0, freq=f) for g, f in (("blues", 220.0), ("rock", 330.0))]
    tracks = pd.DataFrame({"track_id": ["blues.00000", "rock.00000"], "label": ["blues", "rock"],
                           "path": [str(p) for p in paths]})
    X, table = train.augmented_segments(tracks.iloc[:1], pitch_steps=(-2.0,), stretch_rates=(0.5,), n_jobs=1,
                                        kind="mfcc", segment_seconds=3.0)
    assert X.shape[1:] == (20, 130)
    assert table.groupby("variant").size().to_dict() == {"pitch-2": 2, "stretch0.5": 4}
    assert (table["track_id"] == "blues.00000").all()
    assert table.loc[table["variant"] == "stretch0.5", "segment"].tolist() == [0, 1, 2, 3]
    part = train.Part(np.zeros((1, 20, 130), np.float32), np.array([0]),
                      pd.DataFrame({"track_id": ["blues.00000"], "label": ["blues"]}))
    assert len(part.plus(X, table, classes=["blues", "rock"])) == 1 + len(X)
    other = train.Part(part.X, part.y, pd.DataFrame({"track_id": ["rock.00000"], "label": ["rock"]}))
    with pytest.raises(SplitError):
        other.plus(X, table, classes=["blues", "rock"])
