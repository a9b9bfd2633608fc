"""The artist-disjoint protocol of the model benchmarks on real data, and the README rows they write.

Trained on the 100 clips of ``../shared/data/gtzan-mini`` (one track per genre of them held out for
early stopping), scored on the files of ``../shared/data/gtzan-artists`` whose artist gtzan-mini
lacks: its 30-s clips (blues, jazz, reggae) and its 2-3 s excerpts (8 genres) apart. No artist is
on both sides (:func:`shared_artists` checks it). The files of gtzan-artists by artists gtzan-mini
has are left out.

Used in: ``bench_training.py``, ``bench_transfer.py``, ``bench_short_clips.py``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench_generalization import ARTISTS, MINI, README, union_tracks
from course_utils.data import TrackSplit

SEED = 42
TEST_PARTS = ("clips", "excerpts")
PROTOCOL = "trained on gtzan-mini, scored on gtzan-artists' files by artists absent from it: no artist on both sides"


def available() -> bool:
    """Whether both shared folders are here."""
    return MINI.is_dir() and (ARTISTS / "manifest.csv").is_file()


def arguments(argv: list[str] | None, *, doc: str, choices: list[str], what: str) -> argparse.Namespace:
    """A model benchmark's command line: ``chosen`` (some of ``choices``; none: all), ``epochs``, ``no_readme``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("chosen", nargs="*", metavar=what, help=f"any of {choices} (default: all)")
    parser.add_argument("--epochs", type=int, help="at most this many epochs (default: the full profile's)")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    args = parser.parse_args(argv)
    unknown = set(args.chosen) - set(choices)
    if unknown:
        raise SystemExit(f"unknown {what} {sorted(unknown)}; choose from {choices}")
    return args


def protocol_tracks() -> pd.DataFrame:
    """gtzan-mini and the unseen-artist files of gtzan-artists: ``track_id, label, path, duration, artist, part``
    (``part``: ``mini``, ``clips`` or ``excerpts``), index reset."""
    tracks = union_tracks()
    return tracks[(tracks["part"] == "mini") | tracks["unseen"]].reset_index(drop=True)


def unseen_split(tracks: pd.DataFrame, *, seed: int = SEED) -> TrackSplit:
    """gtzan-mini trains (one track per genre of it validates), every other row is tested.

    Raises
    ------
    SystemExit
        If an artist would be on both sides (see :func:`shared_artists`).
    """
    rng = np.random.default_rng(seed)
    mini = tracks["part"].eq("mini").to_numpy()
    part = pd.Series(np.where(mini, "train", "test"), index=tracks["track_id"].to_numpy(), dtype=object)
    valid = tracks[mini].groupby("label")["track_id"].agg(lambda ids: rng.choice(sorted(ids)))
    part[valid.to_numpy()] = "valid"
    split = TrackSplit("unseen artists", part.sort_index(), PROTOCOL, grouping="artist")
    both = shared_artists(tracks, split)
    if both:
        raise SystemExit(f"artists on both sides of the split: {sorted(both)}")
    return split


def shared_artists(tracks: pd.DataFrame, split: TrackSplit) -> set[str]:
    """Known artists with tracks both in the test part and in the train or valid part of ``split``."""
    side = tracks["track_id"].map(split.part)
    known = tracks["artist"].notna()
    tested = set(tracks.loc[known & side.eq("test"), "artist"])
    fitted = set(tracks.loc[known & side.isin(["train", "valid"]), "artist"])
    return tested & fitted


@dataclass(frozen=True)
class Tally:
    """Right answers out of ``n``, printed with the 95 % (Wilson) interval."""

    correct: int
    n: int

    def brief(self) -> str:
        """The accuracy alone, two decimals (``n/a`` without items)."""
        return f"{self.correct / self.n:.2f}" if self.n else "n/a"

    def __str__(self) -> str:
        from course_utils.evaluate import accuracy_interval

        if not self.n:
            return "n/a"
        low, high = accuracy_interval(self.correct, self.n)
        return f"{self.correct / self.n:.2f} ({low:.2f}-{high:.2f}, n={self.n})"


def tallies(predicted: pd.DataFrame, tracks: pd.DataFrame) -> dict[str, Tally]:
    """Accuracy of a model's track predictions (``track_id, label, predicted``) on the unseen clips and excerpts apart."""
    part = predicted["track_id"].map(tracks.set_index("track_id")["part"])
    right = predicted["predicted"].to_numpy() == predicted["label"].to_numpy()
    return {name: Tally(int(right[part.eq(name).to_numpy()].sum()), int(part.eq(name).sum())) for name in TEST_PARTS}


def pair(row: dict) -> str:
    """``clips / excerpts`` accuracies of one model's :func:`tallies`."""
    return f"{row['clips'].brief()} / {row['excerpts'].brief()}"


def describe(tracks: pd.DataFrame) -> str:
    """One line: the protocol and the counts of each side."""
    count = tracks["part"].value_counts()
    unseen = tracks.loc[tracks["part"] != "mini", "artist"].nunique()
    return (f"protocol: {PROTOCOL}; {count.get('mini', 0)} training clips, tested on {count.get('clips', 0)} clips "
            f"and {count.get('excerpts', 0)} excerpts by {unseen} unseen artists; chance 0.10")


def measured_on(tracks: pd.DataFrame) -> str:
    """The README's "measured on" cell of this protocol."""
    count = tracks["part"].value_counts()
    genres = {part: ", ".join(sorted(tracks.loc[tracks["part"] == part, "label"].unique())) for part in TEST_PARTS}
    artists = tracks.loc[tracks["part"] != "mini", "artist"].nunique()
    return (f"trained on {count.get('mini', 0)} real clips of 30 s; tested on {count.get('clips', 0)} clips of 30 s "
            f"({genres['clips']}) and {count.get('excerpts', 0)} excerpts of 2-3 s ({genres['excerpts']}) "
            f"by {artists} other artists")


def replace_row(script: str, cells: list[str], *, readme: Path = README) -> None:
    """Rewrite the one row of the README's figures table whose last cell is `` `script` ``."""
    lines = readme.read_text(encoding="utf-8").split("\n")
    suffix = f"| `{script}` |"
    hits = [i for i, line in enumerate(lines) if line.startswith("|") and line.rstrip().endswith(suffix)]
    if len(hits) != 1:
        raise SystemExit(f"{readme} has {len(hits)} table rows ending in {suffix}; expected exactly one")
    lines[hits[0]] = "| " + " | ".join(cells + [f"`{script}`"]) + " |"
    readme.write_text("\n".join(lines), encoding="utf-8")
    print(f"rewrote the {script} row of {readme}")
