"""Train/validation/test splits that never put one track in two parts.

Used in: book/06_evaluation_and_splits.ipynb and every chapter that trains a model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.config import data_home
from course_utils.data.collection import tracks_table
from course_utils.data.download import download, file_sha256
from course_utils.errors import ConfigError, DownloadError, SplitError

PARTS = ("train", "valid", "test")
SPLITS_ENV = "GTZAN_SPLITS_DIR"
# The fault-filtered (artist-filtered) split of Kereliuk, Sturm & Larsen (2015), as published
# with the sampleCNN experiments of Lee et al.; one line per track, e.g. ``blues/blues.00029.wav``.
FAULT_FILTERED_URL = "https://raw.githubusercontent.com/jongpillee/music_dataset_split/master/GTZAN_split/{part}_filtered.txt"
FAULT_FILTERED_SHA256 = {
    "train": "2b04966cef1486f1a7767b74271533fa23e220388db804a1937835e1fc4fa3fa",
    "valid": "f8fbee7c52397a0e0f3a91dc54fedecb2e27f5bdc9a9daeab8cb10d077e26956",
    "test": "09cafa6a89ce0a27f30ed250d56ecb4d03c22fffb5a693f96c7ae655ee02ac72",
}


def split_lists_dir() -> Path:
    """Folder of the fault-filtered split lists: ``$GTZAN_SPLITS_DIR``, else a cache in the data home."""
    local = os.environ.get(SPLITS_ENV, "").strip()
    return Path(local).expanduser() if local else data_home() / "splits" / "fault_filtered"


def fault_filtered_lists(*, download_missing: bool = True) -> dict[str, list[str]]:
    """Track ids of each part of the fault-filtered split.

    The lists are read from ``$GTZAN_SPLITS_DIR`` when it is set (for machines without a
    network), else from the data home, where they are downloaded once. Every list is checked
    against its SHA-256 before use.
    """
    lists = {}
    download_missing = download_missing and not os.environ.get(SPLITS_ENV, "").strip()
    for part in PARTS:
        path = split_lists_dir() / f"{part}_filtered.txt"
        if path.is_file() and file_sha256(path) != FAULT_FILTERED_SHA256[part]:
            raise SplitError(f"{path} does not match its published checksum; delete it to download it again")
        if not path.is_file():
            if not download_missing:
                raise SplitError(f"the fault-filtered split list {path} is missing; expected {part}_filtered.txt "
                                 f"there (set ${SPLITS_ENV} to the folder that holds the three lists)")
            download(FAULT_FILTERED_URL.format(part=part), path, sha256=FAULT_FILTERED_SHA256[part],
                     progress=False, hint=f"Copy {part}_filtered.txt into {path.parent} by hand, "
                                          "or use method='stratified'.")
        lines = path.read_text(encoding="utf-8").split()
        lists[part] = [Path(line).stem for line in lines]
    return lists


@dataclass(frozen=True)
class TrackSplit:
    """Which part (train, valid, test) each track belongs to.

    Attributes
    ----------
    method : str
        ``"fault_filtered"`` or ``"stratified"``.
    part : pd.Series
        Index: track id; values: ``"train"``, ``"valid"`` or ``"test"``.
    report : str
        What was asked for and what was found (e.g. tracks named by a list but absent).
    """

    method: str
    part: pd.Series
    report: str

    def ids(self, part: str) -> list[str]:
        """Track ids of one part."""
        if part not in PARTS:
            raise ConfigError(f"part must be one of {PARTS}, got {part!r}")
        return self.part.index[self.part == part].tolist()

    def assign(self, table: pd.DataFrame) -> pd.DataFrame:
        """Copy of ``table`` (tracks or segments) with a ``split`` column looked up by ``track_id``.

        Segments inherit their track's part; rows of tracks outside the split are dropped.
        """
        out = table.assign(split=table["track_id"].map(self.part))
        return out[out["split"].notna()].reset_index(drop=True)

    def counts(self, tracks: pd.DataFrame) -> pd.DataFrame:
        """Tracks per label (rows) and part (columns)."""
        table = self.assign(tracks)
        return pd.crosstab(table["label"], table["split"]).reindex(columns=list(PARTS), fill_value=0)


def _fault_filtered(tracks: pd.DataFrame) -> TrackSplit:
    lists = fault_filtered_lists()
    present = set(tracks["track_id"])
    part = pd.Series({tid: name for name in PARTS for tid in lists[name] if tid in present}, name="split")
    named = sum(len(v) for v in lists.values())
    absent = named - len(part)
    outside = len(present - set(part.index))
    report = (f"fault-filtered split: lists name {named} tracks, {len(part)} present "
              f"({', '.join(f'{p} {int((part == p).sum())}' for p in PARTS)}); "
              f"{absent} named but absent; {outside} present tracks are in no list (excluded as faulty)")
    return TrackSplit("fault_filtered", part.sort_index(), report)


def _stratified(tracks: pd.DataFrame, *, test_size: float, valid_size: float, seed: int) -> TrackSplit:
    for name, value in (("test_size", test_size), ("valid_size", valid_size)):
        if not 0 <= value < 1:
            raise ConfigError(f"{name} must be a fraction in [0, 1), got {value!r}")
    if test_size + valid_size >= 1:
        raise ConfigError(f"test_size + valid_size must leave tracks for training, got {test_size + valid_size}")
    rng = np.random.default_rng(seed)
    part = {}
    for label, group in tracks.groupby("label", sort=True):
        ids = rng.permutation(group["track_id"].sort_values().to_numpy())
        n_test = max(1, round(test_size * len(ids))) if test_size else 0
        n_valid = round(valid_size * len(ids))
        if len(ids) - n_test - n_valid < 1:
            raise SplitError(f"cannot make a stratified split: label {label!r} has {len(ids)} tracks, too few "
                             f"for test_size={test_size} and valid_size={valid_size} to leave one for training")
        part.update({t: "test" for t in ids[:n_test]})
        part.update({t: "valid" for t in ids[n_test:n_test + n_valid]})
        part.update({t: "train" for t in ids[n_test + n_valid:]})
    part = pd.Series(part, name="split").sort_index()
    report = (f"stratified track split (seed {seed}): "
              + ", ".join(f"{p} {int((part == p).sum())}" for p in PARTS))
    return TrackSplit("stratified", part, report)


def _covers_labels(split: TrackSplit, tracks: pd.DataFrame) -> bool:
    counts = split.counts(tracks)
    return bool((counts["train"] > 0).all() and (counts["test"] > 0).all())


def track_split(data, *, method: str = "auto", test_size: float = 0.2, valid_size: float = 0.1,
                seed: int = 42) -> TrackSplit:
    """Split a data set into train, validation and test tracks.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Anything with a tracks table (``track_id``, ``label``).
    method : {"auto", "fault_filtered", "stratified"}
        ``"fault_filtered"``: the artist-filtered split of Kereliuk, Sturm & Larsen (2015) for GTZAN.
        ``"stratified"``: a seeded split that keeps each label's share in every part.
        ``"auto"``: fault-filtered when the data are GTZAN, the lists can be had, and every label has
        training and test tracks in it; otherwise stratified (the report says why).
    test_size, valid_size : float
        Shares of tracks for the stratified split.
    seed : int
        Seed of the stratified split.
    """
    tracks = tracks_table(data).drop_duplicates("track_id")
    if method == "stratified":
        return _stratified(tracks, test_size=test_size, valid_size=valid_size, seed=seed)
    if method == "fault_filtered":
        return _fault_filtered(tracks)
    if method != "auto":
        raise ConfigError(f"method must be 'auto', 'fault_filtered' or 'stratified', got {method!r}")
    if not getattr(data, "is_gtzan", False):
        reason = "the data are not GTZAN"
    else:
        try:
            split = _fault_filtered(tracks)
        except (SplitError, DownloadError) as err:
            reason = f"the fault-filtered lists are unavailable ({err})"
        else:
            if _covers_labels(split, tracks):
                return split
            reason = "too few of the listed tracks are present for every genre to be in train and test"
    split = _stratified(tracks, test_size=test_size, valid_size=valid_size, seed=seed)
    return TrackSplit(split.method, split.part, f"{split.report} (fault-filtered not used: {reason})")


def track_folds(table: pd.DataFrame, *, n_splits: int = 5, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified K-fold over tracks: every row of a track (e.g. its segments) lands in one fold.

    Returns
    -------
    list of (train_index, test_index)
        Positional indices into ``table``, as scikit-learn's splitters give them.
    """
    if not {"track_id", "label"} <= set(table.columns):
        raise ConfigError("track_folds expects a DataFrame with columns 'track_id' and 'label'")
    smallest = table.drop_duplicates("track_id")["label"].value_counts().min()
    if not 2 <= n_splits <= smallest:
        raise SplitError(f"n_splits={n_splits} needs 2 <= n_splits <= {smallest}, the track count "
                         "of the smallest label")
    from sklearn.model_selection import StratifiedGroupKFold  # here: feature workers skip sklearn's 1-s import

    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(table)), table["label"], groups=table["track_id"]))
