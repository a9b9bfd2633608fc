"""Predicting a large library: every core, one CSV row per file as soon as it is known, and resuming.

:func:`predict_library` sends the files to a pool of worker processes (started with ``spawn``, so
each loads its own copy of the classifier and, for musicnn, its own LiteRT interpreter or
TensorFlow; nothing is shared across a ``fork``). Each file's rows are written to the output
and flushed as soon as that file is done, in the order of the files. With ``resume=True`` the
rows already in the output file are kept and their files are not predicted again, so a run that
was interrupted (Ctrl-C, a killed job, a full disk) goes on where it stopped.

Used in: ``genre-classify predict --output FILE [--jobs N] [--resume]`` (:mod:`course_utils.cli`).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, TextIO

import pandas as pd

from course_utils.errors import ConfigError, CourseError

# Each worker runs its numerical libraries on one thread: the pool, not the libraries, uses the cores.
WORKER_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                  "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
_WORKER: dict = {}  # the classifier a worker process loaded once


@dataclass(frozen=True)
class LibraryRun:
    """What :func:`predict_library` did.

    Attributes
    ----------
    predicted : int
        Files predicted (and written) in this run.
    skipped : int
        Files already in the output file, not predicted again (``resume=True``).
    problems : pd.DataFrame
        ``path, problem``: files that could not be predicted (they have no row; a resumed run tries them again).
    """

    predicted: int
    skipped: int
    problems: pd.DataFrame


def _header(labels: list[str], segments: bool) -> str:
    from course_utils.classifier.genre import Predictions
    from course_utils.classifier.output import to_csv

    empty = pd.DataFrame(columns=["path", "duration", "genre", *labels])
    return to_csv(Predictions(labels, empty, pd.DataFrame() if segments else None, pd.DataFrame()))


def _rows_of(classifier, path: str, segments: bool) -> str:
    """The CSV rows (no header) of one file, as ``genre-classify predict --format csv`` writes them."""
    from course_utils.classifier.output import to_csv

    predictions = classifier.predict_files([path], segments=segments, progress=False)
    if len(predictions.problems):
        raise _FileProblem(predictions.problems["problem"].iloc[0])
    return to_csv(predictions).split("\n", 1)[1]


class _FileProblem(CourseError):
    """One file could not be predicted (carried back from a worker as its message)."""


def _start_worker(model_path: str, trust: str | None) -> None:
    os.environ.update(WORKER_THREADS)
    from course_utils.classifier.genre import load_classifier

    _WORKER["classifier"] = load_classifier(model_path, trust=trust)


def _work(path: str, segments: bool) -> tuple[str, str | None, str | None]:
    try:
        return path, _rows_of(_WORKER["classifier"], path, segments), None
    except CourseError as err:
        return path, None, getattr(err, "problem", None) or str(err)


def finished_files(output: str | os.PathLike, *, header: str) -> set[str]:
    """The files that already have their rows in ``output``; the file is cut back to its last whole line.

    Raises
    ------
    ConfigError
        If the file's header is not ``header`` (another model, genres or ``--segments`` choice).
    """
    output = Path(output)
    if not output.is_file() or output.stat().st_size == 0:
        return set()
    text = output.read_text(encoding="utf-8")
    if not text.startswith(header):
        raise ConfigError(f"{output} does not start with the header {header.strip()!r} of this model's CSV "
                          "output; resume only with the model, genres and --segments choice that wrote it")
    whole = text[:text.rfind("\n") + 1]
    if len(whole) < len(text):  # the last row was cut by the interruption: drop it
        with open(output, "r+", encoding="utf-8") as handle:
            handle.truncate(len(whole.encode("utf-8")))
    return {row["path"] for row in csv.DictReader(io.StringIO(whole))}


def _results(classifier, model_path: str, files: list[str], *, jobs: int, segments: bool,
             trust: str | None) -> Iterator[tuple]:
    """(path, rows, problem) of every file, in order; ``jobs`` worker processes (1: this process, with
    ``classifier``)."""
    if jobs == 1 or len(files) < 2:
        _WORKER["classifier"] = classifier
        yield from (_work(path, segments) for path in files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(model_path, trust)) as pool:
        pending = deque()
        for path in files:  # keep a few files per worker in flight, not the whole library
            pending.append(pool.submit(_work, path, segments))
            if len(pending) >= 4 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def predict_library(model_path: str | os.PathLike, files: Iterable[str | os.PathLike], *,
                    output: str | os.PathLike | None, jobs: int | None = None, segments: bool = False,
                    resume: bool = False, progress: bool = True, stream: TextIO | None = None,
                    trust: str | None = None) -> LibraryRun:
    """Predict many files with a pool of worker processes, writing one CSV block per file as it finishes.

    Parameters
    ----------
    model_path : path-like
        A model saved by ``genre-classify train`` (each worker loads it).
    files : iterable of path-like
        Audio files (see :func:`~course_utils.classifier.files.find_audio_files` for folders).
    output : path-like or None
        The CSV file to write (``None``: ``stream``, standard output by default). Rows are those of
        ``genre-classify predict --format csv``, in the order of ``files``; each file's rows are
        flushed as soon as it is done.
    jobs : int, optional
        Worker processes (default: ``$COURSE_JOBS`` or every core).
    resume : bool
        Keep the rows already in ``output`` and predict only the files that have none.
    progress : bool
        A progress bar on standard error.
    trust : str, optional
        The model file's SHA-256, to load types outside the allow-list
        (:func:`~course_utils.classifier.load_classifier`).

    Returns
    -------
    LibraryRun
    """
    from tqdm.auto import tqdm

    from course_utils.cache import default_jobs
    from course_utils.classifier.genre import load_classifier

    if resume and output is None:
        raise ConfigError("resuming needs the output file of the interrupted run (--output FILE)")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ConfigError(f"jobs must be a positive number of worker processes, got {jobs}")
    classifier = load_classifier(model_path, trust=trust)
    header = _header(list(classifier.labels), segments)
    done = finished_files(output, header=header) if resume else set()
    files = list(dict.fromkeys(map(str, files)))
    todo = [f for f in files if f not in done]
    if output is not None:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    handle = (open(output, "a" if resume else "w", encoding="utf-8", newline="") if output is not None
              else stream or sys.stdout)
    problems, predicted = [], 0
    try:
        if output is None or handle.tell() == 0:
            handle.write(header)
            handle.flush()
        results = _results(classifier, str(model_path), todo, jobs=jobs, segments=segments, trust=trust)
        for path, rows, problem in tqdm(results, total=len(todo), desc="predicting", unit="file",
                                        disable=not progress or len(todo) < 2):
            if problem is not None:
                problems.append({"path": path, "problem": problem})
                continue
            handle.write(rows)
            handle.flush()
            predicted += 1
    finally:
        if output is not None:
            handle.close()
    return LibraryRun(predicted=predicted, skipped=len(files) - len(todo),
                      problems=pd.DataFrame(problems, columns=["path", "problem"]))
