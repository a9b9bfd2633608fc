"""Transfer learning and multimodal models (chapters 10 and 11): speed of each ImageNet backbone, and
track-level 5-fold accuracy on 100 real GTZAN clips.

On ../shared/data/gtzan-mini (10 clips per genre), in the full profile (224-pixel pictures, up to
30 epochs, early stopping), with the folds of ``bench_training.py`` (grouped by artist where gtzan-mini
has two or more artists of a genre, by track otherwise, as printed; about 80 tracks train, one per genre
of them held out for early stopping, about 20 tested):

- ``backbones``: for every backbone whose ImageNet weights this run has, milliseconds per picture
  of the frozen features and of the frozen part, and seconds per epoch of the head and of
  fine-tuning the top blocks (first fold; nothing read from a cache);
- ``mobilenet``: accuracy of the MobileNet head on log-mel pictures of the tracks, frozen and with
  its top blocks fine-tuned;
- ``combined``: accuracy of the combined model (MFCC frames, embedding frames, handcrafted
  features) and of its ablation, one branch dropped at a time;
- ``fusion``: accuracy of the spectrogram and scalogram CNNs alone and of their two late fusions.

Weights: ``$KERAS_HOME``, else a temporary copy of ../shared/models/keras; YAMNet from
``$YAMNET_HANDLE``, else ../shared/models/yamnet/yamnet.tflite, else musicnn.
Run: ``python benchmarks/bench_transfer.py [backbones|mobilenet|combined|fusion ...]``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_training import GTZAN_MINI, SEED, fold_splits, load_mini
from course_utils import embeddings, features, models, train
from course_utils.config import get_profile
from course_utils.models import fusion, transfer

SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
SECTIONS = ("backbones", "mobilenet", "combined", "fusion")


def use_shared_weights() -> None:
    """Point $KERAS_HOME at a writable copy of ../shared/models/keras, and $YAMNET_HANDLE at the shared
    TFLite YAMNet, unless they are set."""
    if "KERAS_HOME" not in os.environ and (SHARED_MODELS / "keras").is_dir():
        home = Path(tempfile.mkdtemp(prefix="keras-home-"))
        shutil.copytree(SHARED_MODELS / "keras", home, dirs_exist_ok=True)
        os.environ["KERAS_HOME"] = str(home)
    if "YAMNET_HANDLE" not in os.environ and (SHARED_MODELS / "yamnet" / "yamnet.tflite").is_file():
        os.environ["YAMNET_HANDLE"] = str(SHARED_MODELS / "yamnet" / "yamnet.tflite")


def summary(name: str, accuracies: list[float]) -> str:
    return (f"{name:34s} track accuracy {np.mean(accuracies):.3f} "
            f"(folds {min(accuracies):.2f}-{max(accuracies):.2f})")


def fitted(model, parts, profile, **options):
    return train.fit(model, parts["train"], parts["valid"], epochs=profile.epochs, batch_size=profile.batch_size,
                     seed=SEED, verbose=False, **options)


def accuracy(model, part, labels) -> float:
    return train.predict_tracks(model, part.X, part.table, classes=labels).scores.accuracy


def backbone_speeds(images, tracks, split, labels, profile, available) -> None:
    size = images.shape[1]
    print(f"backbones on {len(images)} log-mel pictures of {size} px (first fold):")
    for name in transfer.BACKBONES:
        if name not in available:
            print(f"  {name:15s} skipped: {available.missing[name][:120]}...")
            continue
        pooled = transfer.backbone_features(images, backbone=name, cache=False)
        parts = train.split_parts(pooled.X, tracks, split, classes=labels)
        head = transfer.head(pooled.X.shape[1], 10, seed=SEED)
        head_fit = fitted(head, parts, profile)
        frozen_part = transfer.backbone_features(images, backbone=name, output="frozen_part", cache=False)
        tuned = transfer.fine_tune_model(head, backbone=name, size=size)
        tune_fit = fitted(tuned, train.split_parts(frozen_part.X, tracks, split, classes=labels), profile)
        trainable, total = transfer.trainable_share(tuned)
        print(f"  {name:15s} frozen: {1000 * pooled.seconds_per_image:6.1f} ms/picture, head "
              f"{head_fit.seconds_per_epoch:5.2f} s/epoch | fine-tuned: frozen part "
              f"{1000 * frozen_part.seconds_per_image:6.1f} ms/picture, {tune_fit.seconds_per_epoch:5.2f} s/epoch "
              f"({trainable:,} of {total:,} weights train)", flush=True)


def mobilenet_accuracy(images, tracks, splits, labels, profile) -> None:
    pooled = transfer.backbone_features(images, backbone="MobileNet")
    frozen_part = transfer.backbone_features(images, backbone="MobileNet", output="frozen_part")
    frozen, tuned = [], []
    for split in splits:
        parts = train.split_parts(pooled.X, tracks, split, classes=labels)
        head = transfer.head(pooled.X.shape[1], 10, seed=SEED)
        fitted(head, parts, profile)
        frozen.append(accuracy(head, parts["test"], labels))
        model = transfer.fine_tune_model(head, backbone="MobileNet", size=images.shape[1])
        part_fine = train.split_parts(frozen_part.X, tracks, split, classes=labels)
        fitted(model, part_fine, profile)
        tuned.append(accuracy(model, part_fine["test"], labels))
    print(summary("MobileNet (frozen) + head", frozen))
    print(summary("MobileNet top blocks fine-tuned", tuned), flush=True)


def combined_accuracy(dataset, splits, labels, profile) -> None:
    windowed = train.combined_inputs(dataset, embedding_model=embeddings.available_models().preferred)
    X, examples, model_name = windowed.X, windowed.windows, windowed.embedding_model
    branches = {"mfcc": models.cnn1d(X["mfcc"].shape[1:], 10, time_axis=1),
                "embedding": models.lstm(X["embedding"].shape[1:], 10),
                "handcrafted": models.mlp(X["handcrafted"].shape[1:], 10)}
    print(f"combined model: {len(examples)} windows, {model_name} embeddings")
    for setting, names in fusion.ablations(list(branches)).items():
        scores, seconds = [], []
        for split in splits:
            parts = train.split_parts({n: X[n] for n in names}, examples, split, classes=labels)
            model = fusion.combined({n: branches[n] for n in names}, 10, seed=SEED)
            seconds.append(fitted(model, parts, profile).seconds_per_epoch)
            scores.append(accuracy(model, parts["test"], labels))
        print(summary(f"combined, {setting}", scores) + f"; {np.median(seconds):.2f} s/epoch", flush=True)


def fusion_accuracy(dataset, splits, labels, profile) -> None:
    views, segments = train.stream_inputs(dataset)
    results = {name: [] for name in ("spectrogram CNN", "scalogram CNN", "average", "joined embeddings + head")}
    for split in splits:
        streams = {}
        for key, name in (("spectrogram", "spectrogram CNN"), ("scalogram", "scalogram CNN")):
            parts = train.split_parts(views[key], segments, split, classes=labels)
            streams[key] = models.cnn2d(views[key].shape[1:], 10, name=f"{key}_cnn", seed=SEED)
            fitted(streams[key], parts, profile)
            results[name].append(accuracy(streams[key], parts["test"], labels))
        both = train.split_parts(views, segments, split, classes=labels)
        results["average"].append(accuracy(fusion.average_fusion(streams), both["test"], labels))
        joined = fusion.concat_fusion(streams, 10, seed=SEED)
        fitted(joined, both, profile)
        results["joined embeddings + head"].append(accuracy(joined, both["test"], labels))
    for name, scores in results.items():
        print(summary(name, scores), flush=True)


def main(sections: list[str]) -> None:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    if not GTZAN_MINI.is_dir():
        print(f"skipped: {GTZAN_MINI} is not here")
        return
    sections = sections or list(SECTIONS)
    use_shared_weights()
    profile = get_profile("full")
    dataset = load_mini()
    labels = dataset.labels
    splits, grouping = fold_splits(dataset.tracks.reset_index(drop=True))
    print(f"{dataset.describe()}\n{dataset.artist_note}\n{grouping}; up to {profile.epochs} epochs, batch {profile.batch_size}, "
          f"pictures of {profile.image_size} px; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          "(other work slows every figure)")
    available = transfer.available_backbones()
    if {"backbones", "mobilenet"} & set(sections):
        X_mel, mel_segments = features.segment_spectrograms(dataset, kind="log_mel", segment_seconds=3.0)
        images, tracks = transfer.track_images(X_mel, mel_segments, size=profile.image_size)
    if "backbones" in sections:
        backbone_speeds(images, tracks, splits[0], labels, profile, available)
    if "mobilenet" in sections:
        if "MobileNet" in available:
            mobilenet_accuracy(images, tracks, splits, labels, profile)
        else:
            print(f"MobileNet skipped: {available.missing['MobileNet']}")
    if "combined" in sections:
        combined_accuracy(dataset, splits, labels, profile)
    if "fusion" in sections:
        fusion_accuracy(dataset, splits, labels, profile)


if __name__ == "__main__":
    start = time.perf_counter()
    main(sys.argv[1:])
    print(f"total {time.perf_counter() - start:.0f} s")
