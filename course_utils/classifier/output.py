"""Predictions and evaluations as text: a table for people, CSV and JSON for programs.

CSV has the header ``path,genre,<one probability column per genre>`` and one row per predicted
file; with segments, the columns ``segment,start,end`` follow ``path``, each file's row has
``segment`` = ``all`` and is followed by one row per segment. JSON is a list with one object per
file holding the same keys (and, with segments, ``duration`` and a list ``segments``). With no
file predicted, CSV is the header alone, JSON an empty list and the table empty.
Probabilities have 6 decimals, times 3.

Used in: ``genre-classify predict`` and ``evaluate`` (:mod:`course_utils.cli`).
"""

from __future__ import annotations

import csv
import io
import json

from course_utils.classifier.genre import Evaluation, Predictions
from course_utils.errors import ConfigError

FORMATS = ("table", "csv", "json")


def _probabilities(row, labels: list[str]) -> list[float]:
    return [round(float(row[label]), 6) for label in labels]


def _segments_of(predictions: Predictions, path: str):
    segments = predictions.segments
    return segments[segments["path"] == path].to_dict("records") if segments is not None else []


def to_csv(predictions: Predictions) -> str:
    """The CSV text of ``predictions`` (see the module docstring for the layout)."""
    labels, with_segments = predictions.labels, predictions.segments is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["path", *(["segment", "start", "end"] if with_segments else []), "genre", *labels])
    for row in predictions.files.to_dict("records"):
        probabilities = [f"{p:.6f}" for p in _probabilities(row, labels)]
        if not with_segments:
            writer.writerow([row["path"], row["genre"], *probabilities])
            continue
        writer.writerow([row["path"], "all", "0.000", f"{row['duration']:.3f}", row["genre"], *probabilities])
        for segment in _segments_of(predictions, row["path"]):
            writer.writerow([row["path"], segment["segment"], f"{segment['start']:.3f}", f"{segment['end']:.3f}",
                             segment["genre"], *(f"{p:.6f}" for p in _probabilities(segment, labels))])
    return out.getvalue()


def to_json(predictions: Predictions) -> str:
    """The JSON text of ``predictions``: a list of objects, one per file."""
    labels, items = predictions.labels, []
    for row in predictions.files.to_dict("records"):
        item = {"path": row["path"], "genre": row["genre"], **dict(zip(labels, _probabilities(row, labels)))}
        if predictions.segments is not None:
            item["duration"] = round(float(row["duration"]), 3)
            item["segments"] = [
                {"segment": int(s["segment"]), "start": round(s["start"], 3), "end": round(s["end"], 3),
                 "genre": s["genre"], **dict(zip(labels, _probabilities(s, labels)))}
                for s in _segments_of(predictions, row["path"])]
        items.append(item)
    return json.dumps(items, indent=2) + "\n"


def _top(row, labels: list[str]) -> str:
    ranked = sorted(labels, key=lambda label: -row[label])
    return f"{ranked[0]:<10} {row[ranked[0]]:5.2f}   " + (f"{ranked[1]} {row[ranked[1]]:.2f}" if len(ranked) > 1 else "")


def to_table(predictions: Predictions) -> str:
    """Text for people: each file's genre, its probability and the runner-up; segments indented below.

    Empty when no file was predicted.
    """
    labels = predictions.labels
    if predictions.files.empty:
        return ""
    width = max([len("file"), *(len(p) for p in predictions.files["path"])])
    lines = [f"{'file':<{width}}  {'genre':<10} {'prob':>5}   runner-up"]
    for row in predictions.files.to_dict("records"):
        lines.append(f"{row['path']:<{width}}  {_top(row, labels)}")
        for segment in _segments_of(predictions, row["path"]):
            span = f"{segment['start']:.1f}-{segment['end']:.1f} s"
            lines.append(f"{span:>{width}}  {_top(segment, labels)}")
    return "\n".join(lines) + "\n"


def format_predictions(predictions: Predictions, *, format: str = "table") -> str:
    """``predictions`` as ``"table"``, ``"csv"`` or ``"json"`` text."""
    writers = {"table": to_table, "csv": to_csv, "json": to_json}
    if format not in writers:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    return writers[format](predictions)


def format_evaluation(evaluation: Evaluation) -> str:
    """The overlap with the training data, accuracy with its 95 % interval, the per-genre report and the
    confusion matrix, as text."""
    scores = evaluation.scores
    low, high = scores.interval()
    return "\n".join([
        f"data      : {evaluation.dataset}",
        *([evaluation.overlap.describe()] if evaluation.overlap is not None else []),
        f"accuracy  : {scores.accuracy:.3f} (95% interval {low:.2f}-{high:.2f}) on {scores.n} tracks; "
        f"macro F1 {scores.macro_f1:.3f}",
        "", "per genre:", scores.report.to_string(float_format=lambda v: f"{v:.2f}"),
        "", "confusion matrix (rows: true genre, columns: predicted genre):", scores.confusion.to_string(),
    ]) + "\n"
