"""Every ``genre-classify train --model`` on artists it has never heard, and the README table of them.

For every recipe of :data:`course_utils.classifier.recipes.RECIPES` (the YAMNet one only when
YAMNet is at hand: ``$YAMNET_HANDLE``, else ``../shared/models/yamnet/yamnet.tflite``):

1. trained on the 100 real clips of ``../shared/data/gtzan-mini``, scored on the files of
   ``../shared/data/gtzan-artists`` whose artist is not in gtzan-mini: its 30-s clips and its 2-3 s
   excerpts apart;
2. leave-artist-out cross-validation on the union of both folders (5 folds, stratified, grouped
   by artist: no artist is on both sides of a fold; a track without a known artist is its own group),
   and its accuracy on the 2-3 s excerpts alone, where the training folds hold excerpts by other
   artists too: the best any model reaches there bounds what the excerpt target can expect;
3. the time to train it on gtzan-mini (embeddings cached; its grouped search of the
   regularization included; the models are measured in parallel processes, so the time is an
   upper bound);
4. beside them, as the lesson about leakage, 5-fold cross-validation *by track* on gtzan-mini,
   where one artist plays all 10 clips of blues, classical, reggae and rock.

Each accuracy comes with its 95 % (Wilson) interval; beside the leave-artist-out accuracy, the
mean probability of the predicted genre, untempered and with each fold's model's temperature
(:mod:`course_utils.classifier.temperature`, chosen inside its training folds). The genre is the most probable one, as
``genre-classify predict`` reports it (for a recipe that trains on 3-s patches, from the mean of the
patches' probabilities). The default model is the one with the best leave-artist-out
accuracy among those that need no weights beyond the install (not YAMNet's); the script says whether ``DEFAULT_RECIPE`` is it, checks the targets (default >= 0.85 on
the unseen clips and >= 0.75 on the unseen excerpts, no model below 0.5), and rewrites the README's
``--model`` table between its markers (no figure of it is typed by hand).

Run: ``python benchmarks/bench_generalization.py`` (``--no-readme`` to leave the README alone).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MINI = SHARED / "data" / "gtzan-mini"
ARTISTS = SHARED / "data" / "gtzan-artists"
STURM_INDEX = SHARED / "data" / "meta" / "GTZANindex.txt"
SHARED_YAMNET = SHARED / "models" / "yamnet" / "yamnet.tflite"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench_generalization: begin -->", "<!-- bench_generalization: end -->"
FOLDS, SEED = 5, 42
TARGET_CLIPS, TARGET_EXCERPTS, FLOOR = 0.85, 0.75, 0.5


def union_tracks() -> pd.DataFrame:
    """gtzan-mini, then gtzan-artists' clips and excerpts: one tracks table with ``part``, ``artist`` and ``unseen``.

    gtzan-mini's artists come from Sturm's index (``$GTZAN_INDEX``, the shared copy), gtzan-artists'
    from its ``manifest.csv``.
    """
    from course_utils.data import load_dataset

    os.environ.setdefault("GTZAN_INDEX", str(STURM_INDEX))
    parts = []
    for part, folder in (("mini", MINI), ("clips", ARTISTS / "clips"), ("excerpts", ARTISTS / "excerpts")):
        tracks = load_dataset(folder, artists=None if part == "mini" else ARTISTS / "manifest.csv").tracks.copy()
        tracks["part"] = part
        parts.append(tracks)
    tracks = pd.concat(parts, ignore_index=True)
    if tracks["track_id"].duplicated().any():
        raise SystemExit(f"track ids repeat across the folders: {sorted(tracks.loc[tracks['track_id'].duplicated(), 'track_id'])}")
    heard = set(tracks.loc[tracks["part"] == "mini", "artist"].dropna())
    tracks["unseen"] = (tracks["part"] != "mini") & tracks["artist"].notna() & ~tracks["artist"].isin(heard)
    return tracks


@dataclass(frozen=True)
class Accuracy:
    """Tracks right out of ``n``; where measured, the mean probability of the predicted genre, untempered and tempered."""

    correct: int
    n: int
    confidence: float | None = None
    tempered: float | None = None

    @property
    def value(self) -> float:
        return self.correct / self.n

    def __str__(self) -> str:
        from course_utils.evaluate import accuracy_interval

        low, high = accuracy_interval(self.correct, self.n)
        return f"{self.value:.2f} ({low:.2f}-{high:.2f})"


def cross_validated(recipe, X, rows, y, groups, folds) -> pd.DataFrame:
    """Every tested track's prediction over ``folds`` (of tracks), as :func:`predict_tracks` gives it, by track
    (the index, sorted); each fold's model chooses its regularization by CV grouped by ``groups`` (one per
    track) of its training tracks.

    ``X`` holds the recipe's training rows, ``rows`` the track of each row (a track can give several: its patches).
    """
    return pd.concat([predict_tracks(fit_tracks(recipe, X, rows, y, groups, train), X, rows, test)
                      for train, test in folds]).sort_index()


def scored(predicted: pd.DataFrame, y: np.ndarray, subset=None) -> Accuracy:
    """The accuracy of ``predicted`` (from :func:`cross_validated`) against ``y``, over the tracks of ``subset``
    (default: all), with the mean confidence, untempered and tempered."""
    chosen = predicted if subset is None else predicted.loc[predicted.index.intersection(subset)]
    return Accuracy(int(np.sum(chosen["genre"].to_numpy() == y[chosen.index])), len(chosen),
                    float(chosen["confidence"].mean()), float(chosen["tempered"].mean()))


def fit_tracks(recipe, X, rows, y, groups, train):
    """``recipe`` trained on the rows of the tracks ``train`` (labels and groups are per track), and its temperature."""
    fit = np.isin(rows, train)
    return recipe.fit_tempered(X[fit], y[rows[fit]], groups=groups[rows[fit]], tracks=rows[fit], seed=SEED)


def predict_tracks(fitted, X, rows, test) -> pd.DataFrame:
    """Each track of ``test`` (the index): its ``genre``, from the mean of its rows' probabilities (as ``genre-classify
    predict``), and the probability of that genre, untempered (``confidence``) and ``tempered``."""
    from course_utils.classifier.recipes import track_probabilities
    from course_utils.classifier.temperature import temper

    model, temperature = fitted
    score = np.isin(rows, test)
    keys, proba = track_probabilities(model, X[score], rows[score])
    return pd.DataFrame({"genre": np.asarray(model.classes_)[proba.argmax(axis=1)], "confidence": proba.max(axis=1),
                         "tempered": temper(proba, temperature).max(axis=1)}, index=keys).reindex(test)


def measure(name: str, tracks: pd.DataFrame) -> dict:
    """Every figure of one recipe (see the module docstring)."""
    from sklearn.model_selection import StratifiedGroupKFold

    from course_utils.classifier import RECIPES
    from course_utils.data import artist_groups, track_folds

    recipe = RECIPES[name]
    X, rows = recipe.input.training_rows(tracks)
    y = tracks["label"].to_numpy()
    groups = artist_groups(tracks)
    mini = np.flatnonzero(tracks["part"] == "mini")
    start = time.perf_counter()
    model = fit_tracks(recipe, X, rows, y, groups, mini)
    row = {"train_seconds": time.perf_counter() - start}
    for part in ("clips", "excerpts"):
        test = np.flatnonzero((tracks["part"] == part) & tracks["unseen"])
        row[part] = Accuracy(int(np.sum(predict_tracks(model, X, rows, test)["genre"].to_numpy() == y[test])), len(test))
    splitter = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    predicted = cross_validated(recipe, X, rows, y, groups, list(splitter.split(tracks, y, groups)))
    row["artist_cv"] = scored(predicted, y)
    # the excerpts alone: here the training folds hold excerpts by other artists too
    row["artist_cv_excerpts"] = scored(predicted, y, np.flatnonzero(tracks["part"] == "excerpts"))
    mini_tracks = tracks.iloc[mini].reset_index(drop=True)
    by_track = [(mini[train], mini[test]) for train, test in track_folds(mini_tracks, n_splits=FOLDS, seed=SEED)]
    row["track_cv"] = scored(cross_validated(recipe, X, rows, y, tracks["track_id"].to_numpy(dtype=object), by_track), y)
    print(f"  {name:18s} unseen clips {row['clips']}, unseen excerpts {row['excerpts']}, "
          f"leave-artist-out {row['artist_cv']} (mean confidence {row['artist_cv'].confidence:.2f}, "
          f"tempered {row['artist_cv'].tempered:.2f}; its excerpts {row['artist_cv_excerpts']}), "
          f"train {row['train_seconds']:.1f} s | "
          f"by track on gtzan-mini {row['track_cv']} (leaks artists)", flush=True)
    return row


def table(results: dict, tracks: pd.DataFrame, default: str) -> str:
    """The README's Markdown table of the ``--model``s."""
    from course_utils.classifier import RECIPES

    count = {part: int(((tracks["part"] == part) & tracks["unseen"]).sum()) for part in ("clips", "excerpts")}
    artists = tracks.loc[tracks["unseen"], "artist"].nunique()
    lines = [f"| `--model` | what it is | unseen artists: 30-s clips ({count['clips']}) | "
             f"unseen artists: 2-3 s excerpts ({count['excerpts']}) | leave-artist-out CV, all {len(tracks)} | "
             f"train (s) | by track on gtzan-mini (leaks artists) |",
             "|---|---|---|---|---|---|---|"]
    for name, row in results.items():
        label = f"`{name}` (default)" if name == default else f"`{name}`"
        lines.append(f"| {label} | {RECIPES[name].summary} | {row['clips']} | {row['excerpts']} | "
                     f"{row['artist_cv']} | {row['train_seconds']:.1f} | {row['track_cv']} |")
    return "\n".join(lines) + f"\n\nThe unseen-artist files are by {artists} artists that gtzan-mini lacks.\n"


def verdict_lines(results: dict, default: str) -> list[str]:
    """Sentences on the targets: the default's accuracy on the unseen clips and excerpts, and the models under the floor."""
    row = results[default]
    lines = [f"The default, `{default}`, scores {row[part].value:.2f} on the unseen-artist {what} "
             f"({'meeting' if row[part].value >= target else 'short of'} the target of {target:.2f})."
             for part, what, target in (("clips", "30-s clips", TARGET_CLIPS),
                                        ("excerpts", "2-3 s excerpts", TARGET_EXCERPTS))]
    low = [f"`{name}` ({', '.join(f'{part} {row[part].value:.2f}' for part in ('clips', 'excerpts') if row[part].value < FLOOR)})"
           for name, row in results.items() if min(row["clips"].value, row["excerpts"].value) < FLOOR]
    lines.append(f"Below {FLOOR} on new artists: {', '.join(low)}." if low else f"No model is below {FLOOR} on new artists.")
    best = max(results, key=lambda name: results[name]["artist_cv_excerpts"].value)
    excerpts = results[best]["artist_cv_excerpts"]
    which = f"the default, `{best}`" if best == default else \
        f"`{best}`; the default {row['artist_cv_excerpts'].value:.2f}"
    lines.append(f"Even in the leave-artist-out CV, whose training folds hold 2-3 s excerpts by other artists "
                 f"too, no model scores more than {excerpts.value:.2f} on the {excerpts.n} excerpts ({which}: "
                 f"{excerpts}).")
    cv = row["artist_cv"]
    lines.append(f"In the leave-artist-out CV the default gives the genre it predicts a mean probability of "
                 f"{cv.tempered:.2f} with its temperature ({cv.confidence:.2f} without) at an accuracy of "
                 f"{cv.value:.2f}: {gap(cv.tempered, cv.value)} with it, {gap(cv.confidence, cv.value)} without.")
    return lines


def gap(confidence: float, accuracy: float) -> str:
    """How far a mean probability is from the accuracy, in words: ``"0.15 below"``."""
    return f"{abs(confidence - accuracy):.2f} {'below' if confidence < accuracy else 'above'}"


def rewrite_readme(text: str) -> None:
    """Put ``text`` between the markers of README.md."""
    readme = README.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{README} lacks the markers {BEGIN} and {END}")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> None:
    if not (MINI.is_dir() and (ARTISTS / "manifest.csv").is_file()):
        print(f"skipped: {MINI} or {ARTISTS} is not available")
        return
    if "YAMNET_HANDLE" not in os.environ and SHARED_YAMNET.is_file():
        os.environ["YAMNET_HANDLE"] = str(SHARED_YAMNET)
    os.environ.setdefault("COURSE_OFFLINE", "1")
    from course_utils.classifier import DEFAULT_RECIPE, RECIPES

    tracks = union_tracks()
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}; {len(tracks)} tracks "
          f"({', '.join(f'{k} {v}' for k, v in tracks['part'].value_counts().items())}), "
          f"{int(tracks['unseen'].sum())} by artists absent from gtzan-mini; chance 0.10")
    names = []
    for name, recipe in RECIPES.items():
        if recipe.needs_yamnet and "YAMNET_HANDLE" not in os.environ:
            print(f"  {name:18s} skipped: no YAMNet ($YAMNET_HANDLE unset, {SHARED_YAMNET} absent)")
        else:
            names.append(name)
    # One process per model: the train times are measured while the others run.
    rows = Parallel(n_jobs=len(names))(delayed(measure)(name, tracks) for name in names)
    results = dict(zip(names, rows))
    # The default must train wherever the course installs: YAMNet's weights do not ship with any package.
    usable = [name for name in results if not RECIPES[name].needs_yamnet]
    best = max(usable, key=lambda name: results[name]["artist_cv"].value)
    print(f"best leave-artist-out accuracy without extra weights: {best}; DEFAULT_RECIPE is {DEFAULT_RECIPE}"
          + ("" if best == DEFAULT_RECIPE else " (change it in course_utils/classifier/recipes.py)"))
    verdicts = verdict_lines(results, DEFAULT_RECIPE)
    print("\n".join(verdicts))
    text = table(results, tracks, DEFAULT_RECIPE) + "\n" + " ".join(verdicts) + "\n"
    print(text)
    if "--no-readme" not in argv:
        rewrite_readme(text)
        print(f"rewrote the --model table in {README}")


if __name__ == "__main__":
    main(sys.argv[1:])
