"""Files that are known to be damaged in the public copies of GTZAN, by track id and layout.

A file named here that does not decode is left out of the data set with a note (in
``dataset.problems`` and in ``dataset.describe()``); any other file that does not decode still
stops the scan with an error naming it. A repaired copy of a file named here is used as usual.

Used in: every chapter, through :func:`course_utils.data.load_dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KNOWN_PROBLEM_NOTE = "known damaged file of"


@dataclass(frozen=True)
class KnownProblem:
    """One damaged file of a public copy: its track id, the layout it is found in, what is wrong."""

    track_id: str
    layout: str
    problem: str


# Layout name -> the name of the folder that holds the label folders in that layout.
LAYOUT_FOLDERS = {"kaggle": "genres_original"}

KNOWN_PROBLEMS: tuple[KnownProblem, ...] = (
    KnownProblem("jazz.00054", "kaggle",
                 "the Kaggle copy (Data/genres_original/jazz/jazz.00054.wav) does not decode"),
)


def layout_of(label_root: str | Path) -> str | None:
    """The name of the public layout a label folder belongs to (``"kaggle"``), or ``None``."""
    name = Path(label_root).name
    return next((layout for layout, folder in LAYOUT_FOLDERS.items() if folder == name), None)


def known_problem(track_id: str, label_root: str | Path) -> str | None:
    """The note for a track that is known to be damaged in this layout, or ``None``.

    >>> known_problem("jazz.00054", "Data/genres_original")[:22]
    'known damaged file of '
    >>> known_problem("jazz.00054", "genres") is None
    True
    """
    layout = layout_of(label_root)
    for known in KNOWN_PROBLEMS:
        if known.track_id == track_id and known.layout == layout:
            return f"{KNOWN_PROBLEM_NOTE} the public {layout} copy of GTZAN: {known.problem}; left out"
    return None
