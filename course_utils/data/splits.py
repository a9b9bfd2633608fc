"""Train/validation/test splits and cross-validation folds that never put one track in two parts, and
wherever artists are known, never one artist.

Used in: book/06_evaluation_and_splits.ipynb and every chapter that trains a model.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.config import data_home
from course_utils.data.artists import artist_groups
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
        ``"fault_filtered"``, ``"artist"`` or ``"stratified"``.
    part : pd.Series
        Index: track id; values: ``"train"``, ``"valid"`` or ``"test"``.
    report : str
        What was asked for and what was found (e.g. tracks named by a list but absent).
    grouping : str
        What no two parts share: ``"artist"``, ``"artist where possible"`` (genres with a single
        artist split by track), or ``"track"``. The fault-filtered split keeps artists apart.
    """

    method: str
    part: pd.Series
    report: str
    grouping: str = "track"

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
    return TrackSplit("fault_filtered", part.sort_index(), report, grouping="artist")


def _stratified(tracks: pd.DataFrame, *, test_size: float, valid_size: float, seed: int) -> TrackSplit:
    _check_sizes(test_size, valid_size)
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


class Folds(list):
    """Cross-validation folds: a list of ``(train_index, test_index)`` that says how it was grouped.

    Attributes
    ----------
    grouping : str
        ``"artist"``, ``"artist where possible"`` or ``"track"`` (see :func:`artist_folds`).
    by_track : list of str
        Labels whose tracks were grouped by track because the label has a single artist.
    """

    def __init__(self, folds, *, grouping: str, by_track: list[str]):
        super().__init__(folds)
        self.grouping = grouping
        self.by_track = by_track

    def describe(self) -> str:
        """A label for a figure measured on these folds, e.g. ``"5 folds by artist"``."""
        text = f"{len(self)} folds by {self.grouping}"
        return text + (f" (by track for {', '.join(self.by_track)}: one artist each)" if self.by_track else "")


def _artist_grouping(table: pd.DataFrame) -> tuple[np.ndarray, str, list[str]]:
    """Group keys of the rows of ``table`` (columns ``track_id, label`` and optionally ``artist``).

    Returns the keys (the artist where known, else the track; by track for every row of a label
    that has a single group, since such a label cannot be kept apart by artist), the grouping
    (``"artist"``, ``"artist where possible"`` or ``"track"``) and the labels grouped by track.
    """
    groups = artist_groups(table)
    tracks = np.array([f"track:{track}" for track in table["track_id"]], dtype=object)
    per_label = pd.Series(groups).groupby(table["label"].to_numpy()).nunique()
    by_track = sorted(per_label.index[per_label < 2])
    groups = np.where(table["label"].isin(by_track).to_numpy(), tracks, groups)
    known = "artist" in table.columns and table["artist"].notna().any()
    if not known or len(by_track) == len(per_label):
        return tracks, "track", by_track if known else []
    return groups, "artist where possible" if by_track else "artist", by_track


def _take(sizes: pd.Series, target: int, *, keep: int, rng: np.random.Generator) -> list:
    """Groups, in ``sizes``' (shuffled) order, for a part of about ``target`` tracks.

    A group that fits in what is left is taken; one that does not, but keeps the part within twice
    its target, is taken with probability (tracks left) / (its size), so that the part is not always
    made of the smallest artists; if none is taken, the smallest. ``keep`` groups always stay untaken.
    """
    taken, total = [], 0
    for group, size in sizes.items():
        if len(sizes) - len(taken) <= keep or total >= target:
            break
        if total + size <= target or (total + size <= 2 * target and rng.random() < (target - total) / size):
            taken.append(group)
            total += size
    if not taken and target > 0 and len(sizes) > keep:
        taken.append(sizes.idxmin())
    return taken


def _artist(tracks: pd.DataFrame, *, test_size: float, valid_size: float, seed: int) -> TrackSplit:
    _check_sizes(test_size, valid_size)
    groups, grouping, by_track = _artist_grouping(tracks)
    tracks = tracks.assign(group=groups)
    rng = np.random.default_rng(seed)
    part_of_group: dict = {}
    valid_tracks: list[str] = []
    valid_by_track: list[str] = []
    for label, rows in tracks.groupby("label", sort=True):
        sizes = rows["group"].value_counts().sort_index()
        sizes = sizes.iloc[rng.permutation(len(sizes))]
        done = rows["group"].map(part_of_group).value_counts()
        open_sizes = sizes[~sizes.index.isin(part_of_group)]
        targets = {"test": max(1, round(test_size * len(rows))) if test_size else 0,
                   "valid": round(valid_size * len(rows))}  # in tracks, as the stratified split counts them
        for name, target in targets.items():
            target -= int(done.get(name, 0))
            if name == "valid" and target > 0 and len(open_sizes) < 3:
                # Too few artists left for a validation part of its own: draw validation tracks (early
                # stopping only) from the training artists; the test tracks stay artist-disjoint.
                candidates = rows.loc[rows["group"].isin(open_sizes.index), "track_id"].sort_values().to_numpy()
                picked = rng.permutation(candidates)[:min(target, len(candidates) - 1)]
                valid_tracks += picked.tolist()
                valid_by_track += [label] if len(picked) else []
                continue
            for group in _take(open_sizes, target, keep=1 if not done.get("train") else 0, rng=rng):
                part_of_group[group] = name
            open_sizes = open_sizes[~open_sizes.index.isin(part_of_group)]
        part_of_group.update({group: "train" for group in open_sizes.index})
    part = pd.Series(tracks["group"].map(part_of_group).to_numpy(), index=tracks["track_id"].to_numpy(),
                     name="split").sort_index()
    part[valid_tracks] = "valid"
    n_artists = tracks["artist"].dropna().nunique() if "artist" in tracks.columns else 0
    report = (f"split by {grouping} (seed {seed}, {n_artists} known artists; unknown artists count as their own): "
              + ", ".join(f"{p} {int((part == p).sum())}" for p in PARTS))
    if by_track:
        report += f"; by track for {', '.join(by_track)} (a single artist each, so that artist is on both sides)"
    if valid_by_track and grouping != "track":
        which = "every genre" if len(valid_by_track) == tracks["label"].nunique() else ", ".join(valid_by_track)
        report += (f"; validation tracks drawn from the training artists for {which} "
                   "(too few artists for three parts; the test tracks stay apart)")
    return TrackSplit("artist", part, report, grouping=grouping)


def _check_sizes(test_size: float, valid_size: float) -> None:
    for name, value in (("test_size", test_size), ("valid_size", valid_size)):
        if not 0 <= value < 1:
            raise ConfigError(f"{name} must be a fraction in [0, 1), got {value!r}")
    if test_size + valid_size >= 1:
        raise ConfigError(f"test_size + valid_size must leave tracks for training, got {test_size + valid_size}")


def _covers_labels(split: TrackSplit, tracks: pd.DataFrame) -> bool:
    counts = split.counts(tracks)
    return bool((counts["train"] > 0).all() and (counts["test"] > 0).all())


def track_split(data, *, method: str = "auto", test_size: float = 0.2, valid_size: float = 0.1,
                seed: int = 42) -> TrackSplit:
    """Split a data set into train, validation and test tracks.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        Anything with a tracks table (``track_id``, ``label``, and ``artist`` where known).
    method : {"auto", "fault_filtered", "artist", "stratified"}
        ``"fault_filtered"``: the artist-filtered split of Kereliuk, Sturm & Larsen (2015) for GTZAN.
        ``"artist"``: a seeded split that keeps every artist in one part (a track of unknown artist
        is its own artist), about ``test_size`` and ``valid_size`` of each label; a label with a
        single artist is split by track (the report names it, ``split.grouping`` says so). Where a
        label has too few artists left after its test artists for a validation part of its own (fewer
        than three), its validation tracks (early stopping only) come from its training artists; the
        test tracks always stay artist-disjoint.
        ``"stratified"``: a seeded split by track that keeps each label's share in every part.
        ``"auto"``: fault-filtered when the data are GTZAN, the lists can be had, and every label has
        training and test tracks in it; otherwise by artist when any artist is known; otherwise
        stratified (the report says why).
    test_size, valid_size : float
        Shares of tracks for the artist and stratified splits.
    seed : int
        Seed of the artist and stratified splits.
    """
    tracks = tracks_table(data).drop_duplicates("track_id")
    sizes = dict(test_size=test_size, valid_size=valid_size, seed=seed)
    if method == "stratified":
        return _stratified(tracks, **sizes)
    if method == "artist":
        return _artist(tracks, **sizes)
    if method == "fault_filtered":
        return _fault_filtered(tracks)
    if method != "auto":
        raise ConfigError(f"method must be 'auto', 'fault_filtered', 'artist' or 'stratified', got {method!r}")
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
    known = "artist" in tracks.columns and tracks["artist"].notna().any()
    split = (_artist if known else _stratified)(tracks, **sizes)
    if not known:
        reason += "; no artist is known"
    return replace(split, report=f"{split.report} (fault-filtered not used: {reason})")


def _folds_input(table: pd.DataFrame, n_splits: int, groups: np.ndarray, what: str) -> None:
    if not {"track_id", "label"} <= set(table.columns):
        raise ConfigError(f"{what} expects a DataFrame with columns 'track_id' and 'label'")
    smallest = table.drop_duplicates("track_id")["label"].value_counts().min()
    n_groups = len(set(groups))
    if not 2 <= n_splits <= min(smallest, n_groups):
        raise SplitError(f"n_splits={n_splits} needs 2 <= n_splits <= {min(smallest, n_groups)}, the track count "
                         f"of the smallest label ({smallest}) and the number of groups ({n_groups}); "
                         "data.fold_count(table, wanted=n_splits) gives the most folds the data allows")


def fold_count(table: pd.DataFrame, *, wanted: int) -> int:
    """The number of track-grouped folds to use: ``wanted``, or fewer when the data has fewer tracks.

    Each genre needs a track in every fold, so the folds are at most the track count of the
    smallest genre (e.g. 3 training tracks of a genre allow 3 folds, whatever the profile asks).

    Parameters
    ----------
    table : pd.DataFrame
        Rows (tracks or segments) with ``track_id`` and ``label``.
    wanted : int
        The folds asked for (e.g. ``profile.cv_folds``).

    Returns
    -------
    int
        ``min(wanted, smallest genre's track count)``, at least 2.

    Raises
    ------
    SplitError
        When a genre has fewer than 2 tracks: no cross-validation can keep it on both sides.

    Used in: book/07_classical_ml.ipynb, :func:`course_utils.evaluate.grid_search`.
    """
    if not {"track_id", "label"} <= set(table.columns):
        raise ConfigError("fold_count expects a DataFrame with columns 'track_id' and 'label'")
    if int(wanted) < 2:
        raise ConfigError(f"wanted must be at least 2 folds, got {wanted}")
    counts = table.drop_duplicates("track_id")["label"].value_counts()
    if counts.min() < 2:
        raise SplitError(f"grouped cross-validation needs at least 2 tracks per genre; {counts.idxmin()!r} has "
                         f"{counts.min()}")
    return int(min(int(wanted), counts.min()))


def track_folds(table: pd.DataFrame, *, n_splits: int = 5, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified K-fold over tracks: every row of a track (e.g. its segments) lands in one fold.

    ``n_splits`` must not exceed the track count of the smallest label: :func:`fold_count` gives
    the most the data allows.

    Returns
    -------
    list of (train_index, test_index)
        Positional indices into ``table``, as scikit-learn's splitters give them.
    """
    _folds_input(table, n_splits, table["track_id"].to_numpy(), "track_folds")
    return _grouped_folds(table, table["track_id"].to_numpy(), n_splits=n_splits, seed=seed)


def artist_folds(table: pd.DataFrame, *, n_splits: int = 5, seed: int = 42) -> Folds:
    """Stratified K-fold grouped by artist: no artist has tracks on both sides of a fold.

    A track of unknown artist is its own group. A label with a single artist cannot be kept apart
    by artist; its tracks are grouped by track (``folds.by_track`` names such labels). With every
    artist unknown the folds are by track.

    Parameters
    ----------
    table : pd.DataFrame
        Rows of tracks or segments: ``track_id, label`` and ``artist`` (``None`` where unknown).
    n_splits : int
        Folds; at most the track count of the smallest label and the number of groups.
    seed : int

    Returns
    -------
    Folds
        A list of ``(train_index, test_index)`` (positional indices into ``table``) with
        ``grouping`` (``"artist"``, ``"artist where possible"`` or ``"track"``), ``by_track`` and
        ``describe()`` for a figure's label.
    """
    if not {"track_id", "label"} <= set(table.columns):
        raise ConfigError("artist_folds expects a DataFrame with columns 'track_id', 'label' and 'artist'")
    table = table.reset_index(drop=True)
    groups, grouping, by_track = _artist_grouping(table)
    _folds_input(table, n_splits, groups, "artist_folds")
    return Folds(_grouped_folds(table, groups, n_splits=n_splits, seed=seed), grouping=grouping, by_track=by_track)


def _grouped_folds(table: pd.DataFrame, groups: np.ndarray, *, n_splits: int, seed: int) -> list:
    from sklearn.model_selection import StratifiedGroupKFold  # here: feature workers skip sklearn's 1-s import

    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # a label with fewer artists than folds is expected, not a fault
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(splitter.split(np.zeros(len(table)), table["label"], groups=groups))
