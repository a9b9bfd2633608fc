"""Reference points outside the course's own runs: published accuracies and the Kaggle GTZAN table.

The Kaggle "GTZAN Dataset - Music Genre Classification" feature table (1000 tracks, 57 librosa
features computed on the 30-s clips) lets a chapter score a model on *all* of GTZAN in seconds,
on a random track split and on the fault-filtered split, without the audio.
Set ``$KAGGLE_FEATURES_CSV`` to the file (``features_30_sec.csv``); when it is unset the chapters
skip that part. ``$GTZAN_SPLITS_DIR`` may name a folder holding the fault-filtered lists
(``train_filtered.txt``, ...) for machines that cannot download them.
Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from course_utils.data import TrackSplit, track_split
from course_utils.errors import ConfigError, DownloadError, SplitError

KAGGLE_ENV = "KAGGLE_FEATURES_CSV"
KAGGLE_NOT_FEATURES = ("filename", "length", "label")
KAGGLE_DATASET = "GTZAN (Kaggle feature table)"  # the data-set name of results trained on that table

# Published accuracies on GTZAN, each with the split it was measured on. ``cite`` is the key in
# book/references.bib, ``source`` the same reference in words for tables. Fault-filtered: Kereliuk, Sturm & Larsen (2015), 290 test tracks; the MFCC
# baseline and the embedding figures are as their authors report them for that split (Pons & Serra),
# 82.1 % is the SampleCNN paper's. Random: the original paper's figure, over random splits of the clips,
# where one artist's tracks fall on both sides.
PUBLISHED = pd.DataFrame([
    {"system": "timbre, rhythm and pitch features + Gaussian mixtures", "split": "random clips",
     "accuracy": 0.61, "cite": "tzanetakis2002", "source": "Tzanetakis & Cook (2002)"},
    {"system": "MFCC statistics + SVM", "split": "fault-filtered", "accuracy": 0.5344, "cite": "pons2019randomcnn",
     "source": "Pons & Serra (2019), randomly weighted CNNs"},
    {"system": "musicnn (MSD) embeddings + PCA + SVM", "split": "fault-filtered", "accuracy": 0.7724,
     "cite": "pons2019", "source": "Pons & Serra (2019), musicnn"},
    {"system": "VGGish embeddings + PCA + SVM", "split": "fault-filtered", "accuracy": 0.7758, "cite": "pons2019",
     "source": "Pons & Serra (2019), musicnn"},
    {"system": "SampleCNN features, transfer learning", "split": "fault-filtered", "accuracy": 0.821,
     "cite": "lee2018samplecnn", "source": "Lee et al. (2018)"},
])


def published() -> pd.DataFrame:
    """:data:`PUBLISHED` for reading: ``system, split, accuracy`` (in %, as published to one decimal) and
    ``source`` (authors and year, as the book's reference list gives them), without the citation keys."""
    table = PUBLISHED.drop(columns="cite")
    return table.assign(accuracy=(100 * table["accuracy"]).round(1)).rename(columns={"accuracy": "accuracy %"})


def kaggle_features_path() -> Path | None:
    """``$KAGGLE_FEATURES_CSV`` as a path, or ``None`` when the variable is unset or empty."""
    value = os.environ.get(KAGGLE_ENV, "").strip()
    return Path(value).expanduser() if value else None


def kaggle_features(path: str | os.PathLike | None = None) -> pd.DataFrame | None:
    """The Kaggle GTZAN feature table with ``track_id`` and ``label`` first, or ``None``.

    Parameters
    ----------
    path : path-like, optional
        The CSV (``features_30_sec.csv``); default ``$KAGGLE_FEATURES_CSV``. ``None`` when neither
        is given.

    Returns
    -------
    pd.DataFrame or None
        One row per track: ``track_id`` (``blues.00000``, from ``filename``), ``label``, then the
        feature columns (``chroma_stft_mean`` ... ``mfcc20_var``); ``length`` (samples) is dropped.
    """
    path = Path(path).expanduser() if path is not None else kaggle_features_path()
    if path is None:
        return None
    if not path.is_file():
        raise ConfigError(f"the Kaggle feature table {path.resolve()} does not exist; set ${KAGGLE_ENV} to "
                          "an absolute path of features_30_sec.csv, or unset it")
    table = pd.read_csv(path)
    missing = {"filename", "label"} - set(table.columns)
    if missing:
        raise ConfigError(f"{path} lacks columns {sorted(missing)}; expected the Kaggle GTZAN feature table")
    features = [c for c in table.columns if c not in KAGGLE_NOT_FEATURES]
    out = pd.DataFrame({"track_id": table["filename"].map(lambda name: Path(str(name)).stem),
                        "label": table["label"].astype(str)})
    if out["track_id"].duplicated().any():
        raise ConfigError(f"{path} has several rows per track (a segment table?); expected one row per track")
    return pd.concat([out, table[features].astype(float)], axis=1).sort_values("track_id", ignore_index=True)


def fault_filtered_split(tracks: pd.DataFrame) -> TrackSplit | None:
    """The fault-filtered split of ``tracks``, or ``None`` (with a printed reason) when its lists are unavailable.

    The lists come from ``$GTZAN_SPLITS_DIR``, the cache, or a download (see
    :func:`course_utils.data.fault_filtered_lists`), checked against their published checksums.
    """
    try:
        return track_split(tracks, method="fault_filtered")
    except (SplitError, DownloadError) as err:
        print(f"fault-filtered split not available: {err}")
        return None


def comparable_random_split(tracks: pd.DataFrame, like: TrackSplit | None, *, seed: int = 42) -> TrackSplit:
    """A seeded random (stratified) track split with the same tracks and part sizes as ``like``.

    Comparing a model on it and on ``like`` isolates what the way of splitting changes. Without
    ``like``, all tracks are split 70/10/20 (train/valid/test).
    """
    if like is None:
        return track_split(tracks, method="stratified", test_size=0.2, valid_size=0.1, seed=seed)
    kept = tracks[tracks["track_id"].isin(like.part.index)]
    sizes = like.part.value_counts(normalize=True)
    return track_split(kept, method="stratified", test_size=float(sizes.get("test", 0.0)),
                       valid_size=float(sizes.get("valid", 0.0)), seed=seed)
