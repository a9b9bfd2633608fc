"""The results registry: one record per trained model, read back as a table by the comparison chapter.

Storage: one small JSON file per record in ``data_home()/results/``. Each file is written
atomically (:func:`course_utils.io.atomic_path`) under a unique name, so writers never touch each
other's files: notebooks running in parallel cannot lose rows and need no lock, and an interrupted
write leaves at most a hidden temporary file that :func:`load_results` ignores.

Each record carries the :class:`~course_utils.evaluate.fingerprints.Fingerprint` of what made it
(model definition, inputs, data, split, seed, package version); :func:`reusable` finds a record only
by that fingerprint, so a record made by other settings, or without a fingerprint, is never reused.
Used in: book/07_classical_ml.ipynb and every chapter that trains a model; book/12_comparison.ipynb.
"""

from __future__ import annotations

import json
import math
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.config import data_home
from course_utils.errors import ConfigError
from course_utils.evaluate.fingerprints import Fingerprint
from course_utils.evaluate.metrics import Scores
from course_utils.io import atomic_path

KEY_COLUMNS = ["model", "features", "split", "profile", "dataset"]
COLUMNS = ["recorded_at", *KEY_COLUMNS, "accuracy", "macro_f1", "per_class_f1", "confusion",
           "train_seconds", "predict_seconds", "n_params", "seed", "n_test", "notes", "predictions", "fingerprint",
           "fingerprint_parts", "record"]
PREDICTION_COLUMNS = ["track_id", "label", "predicted"]


def results_dir() -> Path:
    """Folder of the registry: ``data_home()/results``."""
    return data_home() / "results"


def _name(value, argument: str) -> str:
    name = getattr(value, "name", value)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{argument} must be a non-empty name (or an object with .name), got {value!r}")
    return name.strip()


def _seconds(value, argument: str) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{argument} must be a non-negative number of seconds, got {value!r}")
    return float(value)


def _predictions(table, scores: Scores) -> dict | None:
    """The test tracks' predictions as lists, checked against ``scores``."""
    if table is None:
        return None
    if not isinstance(table, pd.DataFrame) or set(PREDICTION_COLUMNS) - set(table.columns):
        raise ConfigError(f"predictions must be a DataFrame with columns {PREDICTION_COLUMNS} (one row per test "
                          "track, as aggregate_tracks gives it)")
    if table["track_id"].duplicated().any() or len(table) != scores.n:
        raise ConfigError(f"predictions must hold one row per test track: {scores.n} scored, "
                          f"{table['track_id'].nunique()} distinct track ids in {len(table)} rows")
    if abs(float(np.mean(table["label"].to_numpy() == table["predicted"].to_numpy())) - scores.accuracy) > 1e-9:
        raise ConfigError("predictions do not agree with scores: their accuracy differs")
    return {column: [str(v) for v in table[column]] for column in PREDICTION_COLUMNS}


def record_result(*, model: str, features: str, scores: Scores, split, profile, dataset,
                  train_seconds: float, predict_seconds: float, n_params: int, seed: int,
                  notes: str = "", predictions: pd.DataFrame | None = None,
                  fingerprint: Fingerprint | None = None) -> Path:
    """Add one trained model's track-level test scores to the registry.

    Parameters
    ----------
    model, features : str
        What was trained on what (e.g. ``"svm_rbf"``, ``"handcrafted"``).
    scores : Scores
        Track-level test scores (:func:`course_utils.evaluate.score`).
    split, profile, dataset : str or object with ``.name`` / ``.method``
        The split method (a ``TrackSplit`` or its ``.method``), the profile and the data set.
    train_seconds, predict_seconds : float
        Wall-clock time of training (model selection included) and of predicting the test set.
    n_params : int
        Number of fitted parameters (numbers the model stores).
    seed : int
        The seed of the run.
    notes : str
        Free text (e.g. the chosen hyper-parameters).
    predictions : pd.DataFrame, optional
        One row per test track (``track_id, label, predicted``, e.g. from
        :func:`course_utils.evaluate.aggregate_tracks`), so that models can later be compared
        track by track on the same test tracks (paired tests, bootstrap intervals).
    fingerprint : Fingerprint, optional
        What made the result (:func:`course_utils.evaluate.fingerprints.fingerprint`); every training
        path of the package passes one. A record without it is kept but never reused.

    Returns
    -------
    Path
        The file written.
    """
    if not isinstance(scores, Scores):
        raise ConfigError(f"scores must be a course_utils.evaluate.Scores, got {type(scores).__name__}")
    if not isinstance(n_params, (int, np.integer)) or n_params < 0:
        raise ConfigError(f"n_params must be a non-negative integer, got {n_params!r}")
    if not isinstance(seed, (int, np.integer)):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    if fingerprint is not None and not isinstance(fingerprint, Fingerprint):
        raise ConfigError(f"fingerprint must be a course_utils.evaluate.Fingerprint, got {type(fingerprint).__name__}")
    now = datetime.now(timezone.utc)
    record = {
        "recorded_at": now.isoformat(timespec="microseconds"),
        "model": _name(model, "model"),
        "features": _name(features, "features"),
        "split": _name(getattr(split, "method", split), "split"),
        "profile": _name(profile, "profile"),
        "dataset": _name(dataset, "dataset"),
        "accuracy": scores.accuracy,
        "macro_f1": scores.macro_f1,
        "per_class_f1": {str(k): float(v) for k, v in scores.per_class_f1.items()},
        "labels": [str(label) for label in scores.labels],
        "confusion": scores.confusion.to_numpy().tolist(),
        "train_seconds": _seconds(train_seconds, "train_seconds"),
        "predict_seconds": _seconds(predict_seconds, "predict_seconds"),
        "n_params": int(n_params),
        "seed": int(seed),
        "n_test": scores.n,
        "notes": str(notes),
        "predictions": _predictions(predictions, scores),
        "fingerprint": None if fingerprint is None else fingerprint.digest,
        "fingerprint_parts": None if fingerprint is None else dict(fingerprint.parts),
    }
    path = results_dir() / f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return path


def _read(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        record["confusion"] = pd.DataFrame(record["confusion"], index=pd.Index(record["labels"], name="true"),
                                           columns=pd.Index(record.pop("labels"), name="predicted"))
        stored = record.get("predictions")
        record["predictions"] = None if stored is None else pd.DataFrame(stored, columns=PREDICTION_COLUMNS)
    except (OSError, ValueError, KeyError, TypeError) as err:
        warnings.warn(f"skipping unreadable result record {path}: {err}", RuntimeWarning, stacklevel=3)
        return None
    record["record"] = path.name
    return record


def load_results(*, latest: bool = True, dataset=None, profile=None) -> pd.DataFrame:
    """Every recorded result as a table, oldest first.

    Parameters
    ----------
    latest : bool
        Keep only the newest record of each (model, features, split, profile, dataset), so that
        re-running a chapter replaces its rows instead of adding duplicates.
    dataset : str or object with ``.name``, or an iterable of them, optional
        Keep only the rows of these data sets (the registry holds every run of every data set).
    profile : str or Profile, optional
        Keep only the rows of this profile.

    Returns
    -------
    pd.DataFrame
        Columns: ``recorded_at, model, features, split, profile, dataset, accuracy, macro_f1,
        per_class_f1`` (dict label -> F1), ``confusion`` (a DataFrame of counts), ``train_seconds,
        predict_seconds, n_params, seed, n_test, notes``, ``predictions`` (a DataFrame ``track_id,
        label, predicted``, or None when the record has none), ``fingerprint`` (its digest, None when
        unknown), ``fingerprint_parts`` (dict part -> digest) and ``record`` (the file name). A record that
        cannot be read is skipped with a warning naming its file.
    """
    if isinstance(dataset, str) or hasattr(dataset, "name"):
        dataset = [dataset]
    datasets = None if dataset is None else [_name(d, "dataset") for d in dataset]
    profile = None if profile is None else _name(profile, "profile")
    folder = results_dir()
    records = [r for r in map(_read, sorted(folder.glob("*.json")) if folder.is_dir() else []) if r]
    table = pd.DataFrame(records, columns=COLUMNS)
    if table.empty:
        return table
    table["recorded_at"] = pd.to_datetime(table["recorded_at"])
    table = table.sort_values(["recorded_at", "record"], kind="stable")
    if latest:
        table = table.drop_duplicates(KEY_COLUMNS, keep="last")
    if datasets is not None:
        table = table[table["dataset"].isin(datasets)]
    if profile is not None:
        table = table[table["profile"] == profile]
    return table.reset_index(drop=True)


def reusable(rows: pd.DataFrame, fingerprint: Fingerprint) -> pd.Series | None:
    """The newest record of ``rows`` (:func:`load_results`) made with exactly ``fingerprint`` and holding
    its test-track predictions, or ``None``. Records without a fingerprint never match."""
    if rows.empty:
        return None
    same = rows[rows["fingerprint"] == fingerprint.digest]
    for _, row in same.iloc[::-1].iterrows():
        if isinstance(row["predictions"], pd.DataFrame):
            return row
    return None
