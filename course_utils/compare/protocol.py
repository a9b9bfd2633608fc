"""One protocol for every model: the same data set, the same artist-disjoint track split, the same seed and profile.

Every model is trained and scored on it, so that results can be compared track by track; the
registry's fingerprints (:meth:`course_utils.zoo.ModelSpec.fingerprint`) hold its data set, split
and seed, so a record made under another protocol is never reused.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from course_utils.config import DEFAULT_SEED, Profile, get_profile
from course_utils.data import Dataset, TrackSplit, load_dataset, track_split

VALID_SIZE = 0.2  # the share of validation tracks of chapters 8-11 (early stopping); the test tracks do not depend on it


@dataclass(frozen=True)
class Protocol:
    """What every model of a comparison shares.

    Attributes
    ----------
    dataset : Dataset
        The tracks (already cut to the profile's ``tracks_per_genre``, as the chapters do).
    split : TrackSplit
        By track and, wherever artists are known, by artist (fault-filtered on enough of GTZAN, else
        ``method="artist"``); the same for every model.
    profile : Profile
    seed : int
    """

    dataset: Dataset
    split: TrackSplit
    profile: Profile
    seed: int

    @classmethod
    def create(cls, source=None, *, profile: Profile | None = None, seed: int = DEFAULT_SEED) -> "Protocol":
        """The chapters' protocol: :func:`load_dataset` cut to the profile's size, and the split of chapters 8-11
        (chapter 7's has the same test tracks; its models train on training and validation tracks): the default
        ``track_split``, which keeps artists apart wherever they are known (the fault-filtered split on enough of
        GTZAN, else the artist-disjoint split; by track only without artists, and then labelled so)."""
        profile = profile or get_profile()
        dataset = load_dataset(source, profile=profile).subset(per_label=profile.tracks_per_genre, seed=seed)
        return cls(dataset=dataset, split=track_split(dataset, method="auto", seed=seed, valid_size=VALID_SIZE),
                   profile=profile, seed=seed)

    @property
    def labels(self) -> list[str]:
        return list(self.dataset.labels)

    @property
    def record_options(self) -> dict:
        """``split, profile, dataset, seed``: the keywords that write a result to the registry under this protocol."""
        return dict(split=self.split, profile=self.profile, dataset=self.dataset, seed=self.seed)

    @property
    def test_ids(self) -> frozenset[str]:
        """The test tracks every model is scored on."""
        present = set(self.dataset.tracks["track_id"])
        return frozenset(t for t in self.split.ids("test") if t in present)

    @cached_property
    def _shared_parts(self) -> dict[str, str]:
        """The fingerprint parts every record made under this protocol has: data set, split, seed, version."""
        from course_utils.evaluate import fingerprint

        made = fingerprint(definition={}, inputs={}, data=self.dataset, split=self.split, seed=self.seed)
        return {part: made.parts[part] for part in ("data", "split", "seed", "version")}

    def matches(self, row: pd.Series) -> bool:
        """Whether a registry row was made under this protocol: its fingerprint has this data set, split,
        seed and package version (a row without a fingerprint never matches), and it predicts exactly
        the test tracks."""
        parts, predictions = row.get("fingerprint_parts"), row.get("predictions")
        return (isinstance(parts, dict) and all(parts.get(k) == v for k, v in self._shared_parts.items())
                and isinstance(predictions, pd.DataFrame) and frozenset(predictions["track_id"]) == self.test_ids)

    def describe(self) -> str:
        """One line: data set, split, profile and seed."""
        counts = self.split.part[self.split.part.index.isin(self.dataset.tracks["track_id"])].value_counts()
        parts = ", ".join(f"{p} {int(counts.get(p, 0))}" for p in ("train", "valid", "test"))
        kind = {"fault_filtered": "fault-filtered (artist-disjoint) split", "stratified": "stratified track split (no artist known)"}.get(
            self.split.method, f"track split by {self.split.grouping}")
        return (f"{self.dataset.name}, {len(self.dataset)} tracks; {kind} ({parts}); "
                f"profile {self.profile.name}; seed {self.seed}")
