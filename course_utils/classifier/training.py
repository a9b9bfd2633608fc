"""What a saved classifier remembers of its training tracks, and how much an evaluated set shares with them.

A model scores far higher on songs it heard, and on artists it heard (Sturm 2012), so
``genre-classify evaluate`` says how many evaluated tracks and artists were in the training data.
A track is the same when its file has the same content (SHA-256 of the bytes), or, between two
real GTZAN sets, the same track id (``blues.00012`` is one recording in every layout). Artists come
from ``Dataset.tracks["artist"]`` where the data layer knows them; unknown artists are never guessed.

Used in: :mod:`course_utils.classifier.genre` (training and ``evaluate``), ``genre-classify evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from course_utils.data.download import file_sha256

DIGEST_CHARS = 32   # 128 bits of the SHA-256: enough to tell files apart, half the manifest size


def file_digest(path) -> str:
    """The first :data:`DIGEST_CHARS` hex digits of the SHA-256 of a file's bytes."""
    return file_sha256(path)[:DIGEST_CHARS]


def _artists(tracks: pd.DataFrame) -> list[str | None]:
    if "artist" not in tracks:
        return [None] * len(tracks)
    return [str(a) if isinstance(a, str) and a.strip() else None for a in tracks["artist"]]


def _same_artist(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class TrainingTracks:
    """The tracks a classifier was trained on.

    Attributes
    ----------
    track_ids : tuple of str
    artists : tuple of (str or None)
        ``None`` where the artist is unknown.
    digests : tuple of str
        :func:`file_digest` of each track's file.
    gtzan : bool
        Whether they were real GTZAN tracks (their ids then name recordings).
    """

    track_ids: tuple[str, ...] = ()
    artists: tuple[str | None, ...] = ()
    digests: tuple[str, ...] = ()
    gtzan: bool = False

    @classmethod
    def of(cls, dataset) -> "TrainingTracks":
        """The tracks of a :class:`course_utils.data.Dataset` (reads every file once to hash it)."""
        tracks = dataset.tracks
        return cls(tuple(map(str, tracks["track_id"])), tuple(_artists(tracks)),
                   tuple(file_digest(p) for p in tracks["path"]), bool(dataset.is_gtzan))

    def __len__(self) -> int:
        return len(self.track_ids)

    def to_json(self) -> dict:
        """A JSON-able dict for the manifest."""
        return {"track_id": list(self.track_ids), "artist": list(self.artists), "sha256": list(self.digests),
                "gtzan": self.gtzan}

    @classmethod
    def from_json(cls, data) -> "TrainingTracks":
        """Read :meth:`to_json`'s dict back; ``ValueError`` naming what is wrong with it."""
        if not isinstance(data, dict):
            raise ValueError(f"its training tracks are {type(data).__name__}, expected an object")
        ids, artists, digests = (data.get(key) for key in ("track_id", "artist", "sha256"))
        if not (isinstance(ids, list) and isinstance(artists, list) and isinstance(digests, list)
                and len(ids) == len(artists) == len(digests)):
            raise ValueError("its training tracks are not three lists of one length (track_id, artist, sha256)")
        if not (all(isinstance(i, str) for i in ids) and all(isinstance(d, str) for d in digests)
                and all(a is None or isinstance(a, str) for a in artists) and isinstance(data.get("gtzan"), bool)):
            raise ValueError("its training tracks hold values of the wrong types")
        return cls(tuple(ids), tuple(artists), tuple(digests), data["gtzan"])


@dataclass(frozen=True)
class Overlap:
    """How much of an evaluated data set the classifier saw in training.

    Attributes
    ----------
    n_tracks : int
        Evaluated tracks.
    shared_tracks : tuple of str
        Ids of evaluated tracks that were training tracks.
    artists : int
        Distinct known artists among the evaluated tracks.
    shared_artists : tuple of str
        Those that are also artists of training tracks.
    tracks_of_shared_artists : int
        Evaluated tracks by one of ``shared_artists``.
    unknown_artists : int
        Evaluated tracks whose artist is unknown.
    recorded : bool
        Whether the model recorded its training tracks (models saved before it did cannot tell).
    """

    n_tracks: int
    shared_tracks: tuple[str, ...]
    artists: int
    shared_artists: tuple[str, ...]
    tracks_of_shared_artists: int
    unknown_artists: int
    recorded: bool = True

    def describe(self) -> str:
        """One line for people."""
        if not self.recorded:
            return "overlap   : unknown (the model does not record its training tracks)"
        text = f"overlap   : {len(self.shared_tracks)} of {self.n_tracks} tracks were training tracks; "
        if not self.artists:
            return text + "no artist known"
        text += f"{len(self.shared_artists)} of {self.artists} known artists were training artists"
        if self.shared_artists:
            text += f" ({self.tracks_of_shared_artists} tracks)"
        if self.unknown_artists:
            text += f"; artist unknown for {self.unknown_artists} tracks"
        return text

    def warning(self) -> str | None:
        """A warning when the evaluation shares tracks or artists with the training data, else ``None``."""
        parts = []
        if self.shared_tracks:
            parts.append(f"{len(self.shared_tracks)} of the {self.n_tracks} evaluated tracks were training tracks "
                         f"(e.g. {', '.join(self.shared_tracks[:3])})")
        if self.shared_artists:
            parts.append(f"{self.tracks_of_shared_artists} are by artists the model was trained on "
                         f"({', '.join(self.shared_artists[:5])}{', ...' if len(self.shared_artists) > 5 else ''})")
        if not parts:
            return None
        return ("; ".join(parts) + ": this accuracy overstates how the model does on music it has not heard; "
                "evaluate on tracks and artists absent from its training data")


def overlap_with(training: TrainingTracks, dataset) -> Overlap:
    """The :class:`Overlap` of a data set with a classifier's training tracks (hashes every evaluated file)."""
    tracks = dataset.tracks
    ids = [str(i) for i in tracks["track_id"]]
    artists = _artists(tracks)
    known = {_same_artist(a): a for a in artists if a is not None}
    if not len(training):
        return Overlap(len(ids), (), len(known), (), 0, artists.count(None), recorded=False)
    digests = set(training.digests)
    same_ids = set(training.track_ids) if training.gtzan and dataset.is_gtzan else set()
    shared = tuple(i for i, path in zip(ids, tracks["path"]) if i in same_ids or file_digest(path) in digests)
    trained_artists = {_same_artist(a) for a in training.artists if a is not None}
    shared_artists = tuple(sorted(known[a] for a in set(known) & trained_artists))
    by_shared = sum(a is not None and _same_artist(a) in trained_artists for a in artists)
    return Overlap(len(ids), shared, len(known), shared_artists, by_shared, artists.count(None))
