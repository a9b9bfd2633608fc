"""The audio files named on a command line: files as given, folders searched recursively.

Used in: ``genre-classify predict`` (:mod:`course_utils.cli`) through :mod:`course_utils.classifier`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pandas as pd

from course_utils.classifier.genre import PROBLEM_COLUMNS
from course_utils.data.collection import AUDIO_SUFFIXES


def find_audio_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], pd.DataFrame]:
    """Expand files and folders into the audio files to predict, in the order given.

    A file is kept whatever its name (decoding decides); a folder contributes every file below it
    whose suffix is one the data layer reads (:data:`course_utils.data.collection.AUDIO_SUFFIXES`,
    any case), sorted, hidden files and folders left out.

    Returns
    -------
    files : list of Path
        Each file once.
    problems : pd.DataFrame
        ``path, problem``: paths that do not exist, and folders without audio files.
    """
    files, problems = [], []
    for given in map(Path, paths):
        if given.is_file():
            files.append(given)
        elif given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(given).parts))
            if not found:
                problems.append({"path": str(given), "problem": "folder holds no audio files "
                                 f"({', '.join(s.lstrip('.') for s in AUDIO_SUFFIXES)})"})
            files.extend(found)
        else:
            problems.append({"path": str(given), "problem": "no such file or folder"})
    return list(dict.fromkeys(files)), pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def predict_paths(classifier, paths: Iterable[str | os.PathLike], *, segments: bool = False,
                  progress: bool = True):
    """Predict the audio files named by ``paths`` (files, or folders searched recursively).

    Parameters
    ----------
    classifier : GenreClassifier
    paths : iterable of path-like
    segments : bool
        Also predict each segment.
    progress : bool
        Show a progress bar on standard error.

    Returns
    -------
    Predictions
        Its ``problems`` list the paths that do not exist or hold no audio, then the files that
        could not be predicted (with the reason); every other file has its row.
    """
    from course_utils.classifier.genre import Predictions

    files, missing = find_audio_files(paths)
    predictions = classifier.predict_files(files, segments=segments, progress=progress)
    problems = pd.concat([missing, predictions.problems], ignore_index=True) if len(missing) else predictions.problems
    return Predictions(predictions.labels, predictions.files, predictions.segments, problems)
