"""Who performs each track: Sturm's artist index of GTZAN, and an optional ``artists.csv`` for any folder.

A model that heard other songs of an artist scores far higher on that artist than on a new one
(Sturm 2012), so splits and cross-validation group tracks by artist wherever it is known. An
artist that no source names stays unknown (``None``); it is never guessed.

Used in: book/06_evaluation_and_splits.ipynb, :func:`course_utils.data.load_dataset` and the artist splits.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.config import data_home
from course_utils.data.collection import tracks_table
from course_utils.data.download import download, file_sha256
from course_utils.errors import DatasetError, DownloadError

INDEX_ENV = "GTZAN_INDEX"
# B. L. Sturm's artist and title index of GTZAN (MIRUM 2012), as kept with the fault-filtered split
# of Kereliuk, Sturm & Larsen (2015); one line per track: ``blues.00012.wav ::: artist ::: title``.
INDEX_URL = "https://raw.githubusercontent.com/coreyker/dnn-mgr/master/gtzan/GTZANindex.txt"
INDEX_SHA256 = "7bc7140f082cccd72046ec7c6e9b9c211a7491f6e7ede38fddafc63058559833"
INDEX_SOURCE = "Sturm's GTZAN index"
ARTISTS_CSV = "artists.csv"
SEPARATOR = ":::"


def artist_index_path() -> Path:
    """Sturm's index: ``$GTZAN_INDEX`` when set, else its cached copy in the data home."""
    local = os.environ.get(INDEX_ENV, "").strip()
    return Path(local).expanduser() if local else data_home() / "meta" / "GTZANindex.txt"


def parse_artist_index(text: str, *, source: str | Path = "GTZANindex.txt") -> pd.Series:
    """Artists of Sturm's index text: index ``track_id`` (``blues.00012``), values the artist or ``None``.

    Lines starting with ``#`` and blank lines are comments; every other line must read
    ``<genre>.000NN.<ext> ::: artist ::: title`` (an empty artist means unknown).

    Raises
    ------
    DatasetError
        Naming ``source`` and the first line that does not have that form.
    """
    artists = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [field.strip() for field in line.split(SEPARATOR)]
        if len(fields) != 3 or not fields[0]:
            raise DatasetError(f"{source}, line {number}: expected '<genre>.000NN.wav ::: artist ::: title', "
                               f"got {line.strip()[:80]!r}")
        artists[Path(fields[0]).stem] = fields[1] or None
    if not artists:
        raise DatasetError(f"{source} lists no tracks; expected lines like 'blues.00000.wav ::: artist ::: title'")
    return pd.Series(artists, name="artist", dtype=object)


def gtzan_artist_index() -> pd.Series:
    """Artist of every GTZAN track id from Sturm's index, downloaded once and checked.

    The index is read from ``$GTZAN_INDEX`` when that is set (for machines without a network),
    else from the data home, where it is downloaded once. Either copy is checked against its
    published SHA-256.

    Raises
    ------
    DownloadError
        When the index is not there and cannot be downloaded (e.g. ``$COURSE_OFFLINE`` is set).
    DatasetError
        When a copy does not match the checksum.
    """
    path = artist_index_path()
    local = bool(os.environ.get(INDEX_ENV, "").strip())
    if path.is_file() and file_sha256(path) != INDEX_SHA256:
        raise DatasetError(f"{path} does not match the published checksum of Sturm's GTZAN index"
                           + ("" if local else "; delete it to download it again"))
    if not path.is_file():
        if local:
            raise DatasetError(f"${INDEX_ENV} names {path}, which does not exist; expected Sturm's GTZANindex.txt")
        download(INDEX_URL, path, sha256=INDEX_SHA256, progress=False,
                 hint=f"Set ${INDEX_ENV} to a local copy of GTZANindex.txt (Sturm's artist index).")
    return parse_artist_index(path.read_text(encoding="utf-8"), source=path)


def read_artists_csv(path: str | Path) -> pd.Series:
    """Artists named by a CSV: index ``track_id``, values the artist (``None`` where the cell is empty).

    The CSV has a column ``artist`` and either ``track_id`` or ``file`` (a path whose file name,
    without extension, is the track id; e.g. the ``manifest.csv`` of a collection).

    Raises
    ------
    DatasetError
        Naming the file, when it cannot be read, lacks the columns or names a track twice with
        different artists.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise DatasetError(f"cannot read the artists CSV {path} ({err}); expected columns track_id (or file) "
                           "and artist") from err
    key = "track_id" if "track_id" in table.columns else "file" if "file" in table.columns else None
    if key is None or "artist" not in table.columns:
        raise DatasetError(f"the artists CSV {path} has columns {list(table.columns)}; expected 'artist' "
                           "and 'track_id' (or 'file')")
    ids = table[key].str.strip().map(lambda value: Path(value).stem if key == "file" else value)
    if (ids == "").any():
        raise DatasetError(f"the artists CSV {path} has an empty {key!r} on line "
                           f"{int(np.flatnonzero(ids == '')[0]) + 2}")
    artists = table["artist"].str.strip().replace("", None)
    pairs = pd.DataFrame({"track_id": ids, "artist": artists}).drop_duplicates()
    twice = pairs["track_id"][pairs["track_id"].duplicated()]
    if len(twice):
        raise DatasetError(f"the artists CSV {path} names track {twice.iloc[0]!r} with two different artists")
    return pd.Series(pairs["artist"].to_numpy(dtype=object), index=pairs["track_id"].to_numpy(), name="artist")


def with_artists(tracks: pd.DataFrame, *, csv: str | Path | None = None,
                 gtzan: bool = False) -> tuple[pd.DataFrame, str]:
    """``tracks`` with an ``artist`` column, and where the artists came from.

    ``csv`` (an artists CSV) names artists first; for real GTZAN (``gtzan=True``), Sturm's index
    names those the CSV leaves out, when it can be had (otherwise they stay unknown and the source
    says why). Every other artist is ``None``.
    """
    artist = pd.Series([None] * len(tracks), index=tracks.index, dtype=object)
    sources = []
    if csv is not None:
        artist = _known(tracks["track_id"].map(read_artists_csv(csv)))
        sources.append(Path(csv).name)
    if gtzan:
        try:
            index = gtzan_artist_index()
        except (DownloadError, DatasetError) as err:
            sources.append(f"not {INDEX_SOURCE} ({err})")
        else:
            missing = artist.isna()
            artist[missing] = _known(tracks.loc[missing, "track_id"].map(index))
            sources.append(INDEX_SOURCE)
    return tracks.assign(artist=artist.astype(object)), "; ".join(sources)


def _known(artists: pd.Series) -> pd.Series:
    """``artists`` as objects, with ``None`` (never NaN) where unknown."""
    return pd.Series([a if isinstance(a, str) else None for a in artists], index=artists.index, dtype=object)


def artist_groups(tracks) -> np.ndarray:
    """One group key per row: ``"artist:<name>"`` where the artist is known, else ``"track:<id>"``.

    A track of unknown artist is its own group, so it never joins another track's group. Rows of
    one track (e.g. its segments) share a key.

    Parameters
    ----------
    tracks : Dataset or pd.DataFrame
        Columns ``track_id`` and ``artist`` (a table without ``artist`` groups by track only).
    """
    table = tracks_table(tracks, required=("track_id",))
    artists = table["artist"] if "artist" in table.columns else [None] * len(table)
    return np.array([f"artist:{artist}" if isinstance(artist, str) else f"track:{track}"
                     for artist, track in zip(artists, table["track_id"])], dtype=object)
