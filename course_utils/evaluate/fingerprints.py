"""Fingerprints of results: everything that made a registry record, so that a stale record is never reused.

A :class:`Fingerprint` holds one digest per part: the model's definition and hyper-parameters, the
input's parameters, the data set's identity (track ids and file sizes), the split (which track is in
which part), the seed and the package's version. Two results are interchangeable only when every
part agrees; :meth:`Fingerprint.changed` names the parts that do not.

Used in: book/07_classical_ml.ipynb to book/12_comparison.ipynb (through the registry).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from course_utils.cache import digest
from course_utils.errors import ConfigError

PARTS = ("definition", "inputs", "data", "split", "seed", "version")


@dataclass(frozen=True)
class Fingerprint:
    """Digests of what made a result, one per part of :data:`PARTS`.

    Attributes
    ----------
    parts : dict of str to str
    """

    parts: Mapping[str, str]

    @property
    def digest(self) -> str:
        """One digest of every part: equal digests, interchangeable results."""
        return digest(dict(self.parts))

    def changed(self, other: Mapping[str, str] | None) -> list[str]:
        """The parts that differ from ``other`` (the stored parts of a record); all of them when unknown."""
        if not other:
            return list(PARTS)
        return [part for part in PARTS if self.parts.get(part) != other.get(part)]


def data_identity(data) -> dict[str, Any]:
    """What identifies a data set: its track ids with each file's size, or the table's values.

    Parameters
    ----------
    data : Dataset or pd.DataFrame
        A :class:`course_utils.data.Dataset` (or its tracks table with ``track_id`` and ``path``):
        identified by track id, label and file size in bytes; a table without ``path`` (the Kaggle
        feature table) by a digest of its values.
    """
    tracks = getattr(data, "tracks", data)
    if not isinstance(tracks, pd.DataFrame) or "track_id" not in tracks.columns:
        raise ConfigError(f"expected a Dataset or a table with a track_id column, got {type(data).__name__}")
    tracks = tracks.sort_values("track_id")
    if "path" in tracks.columns:
        sizes = [os.path.getsize(p) for p in tracks["path"]]
        return {"tracks": tracks["track_id"].tolist(), "labels": tracks["label"].astype(str).tolist(),
                "bytes": sizes}
    values = pd.util.hash_pandas_object(tracks.reset_index(drop=True), index=False).to_numpy()
    return {"tracks": tracks["track_id"].tolist(), "values": np.asarray(values)}


def split_identity(split, track_ids) -> dict[str, Any]:
    """The split's method and the part of each of ``track_ids`` (tracks outside the split: ``None``)."""
    part = getattr(split, "part", None)
    if not isinstance(part, pd.Series):
        raise ConfigError(f"split must be a TrackSplit (with .method and .part), got {type(split).__name__}")
    ids = sorted(map(str, track_ids))
    return {"method": split.method, "parts": [None if pd.isna(p) else str(p) for p in part.reindex(ids)]}


def fingerprint(*, definition: Mapping, inputs: Mapping, data, split, seed: int) -> Fingerprint | None:
    """The fingerprint of one training run; ``None`` when the data set or the split is only a name.

    A name does not say which tracks were used, so a record made with one (e.g. a test's
    ``dataset="toy"``) gets no fingerprint and is never reused.

    Parameters
    ----------
    definition : dict
        The model: its builder or estimator, every hyper-parameter, the training settings.
    inputs : dict
        The input's name and parameters (e.g. segment length, mel bands, embedding model).
    data : Dataset or pd.DataFrame, or a name
        See :func:`data_identity`.
    split : TrackSplit, or a name
    seed : int
    """
    from course_utils import __version__

    if isinstance(data, str) or isinstance(split, str):
        return None

    identity = data_identity(data)
    parts = {"definition": definition, "inputs": inputs, "data": identity,
             "split": split_identity(split, identity["tracks"]), "seed": int(seed), "version": __version__}
    return Fingerprint({name: digest(value) for name, value in parts.items()})
