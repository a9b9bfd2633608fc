"""Checks for the exercises of chapter 6 (evaluation and splits).

Used in: solutions/06_evaluation_and_splits_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from course_utils.checks import check, reject
from course_utils.evaluate import accuracy_interval


def _one_number(value, what: str) -> float:
    if np.ndim(value) != 0:
        reject(f"{what} should return one number, got an array of shape {np.shape(value)}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        reject(f"{what} should return a number, got {value!r}")
    return value


@check("6.1")
def check_macro_f1(macro_f1) -> str:
    """``macro_f1(y_true, y_pred)`` is the unweighted mean of the per-genre F1 scores."""
    cases = [  # (truth, prediction): unequal supports, a genre only predicted, a genre never predicted
        (["blues"] * 6 + ["jazz"] * 2 + ["rock"] * 2, ["blues"] * 5 + ["jazz", "jazz", "blues", "rock", "blues"]),
        (["blues", "blues", "blues", "jazz"], ["blues", "pop", "blues", "jazz"]),
        (["blues", "blues", "jazz", "jazz", "rock", "rock"], ["rock"] * 6),
    ]
    for y_true, y_pred in cases:
        expected = f1_score(y_true, y_pred, average="macro", zero_division=0)
        value = _one_number(macro_f1(pd.Series(y_true), np.array(y_pred)), "macro_f1")
        if np.isnan(value):
            reject(f"for truth {y_true} and prediction {y_pred} you returned nan: a genre that is never "
                   "predicted (or never true) has precision or recall 0/0; count its F1 as 0")
        if abs(value - expected) < 1e-9:
            continue
        present = sorted(set(y_true))
        macro_p = precision_score(y_true, y_pred, average="macro", zero_division=0)
        macro_r = recall_score(y_true, y_pred, average="macro", zero_division=0)
        mistakes = [
            (np.mean(np.asarray(y_true) == np.asarray(y_pred)),
             "that is the accuracy (also the micro-averaged F1): compute F1 for each genre, then average them"),
            (f1_score(y_true, y_pred, average="weighted", zero_division=0),
             "that is the weighted F1 (genres weighted by their number of true items): give every genre the "
             "same weight"),
            (f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0),
             "you averaged over the genres of y_true only: a genre that occurs only in the predictions "
             "counts too (its F1 is 0)"),
            (2 * macro_p * macro_r / (macro_p + macro_r) if macro_p + macro_r else 0.0,
             "that is the harmonic mean of the averaged precision and recall: compute F1 per genre first, "
             "then average the F1 scores"),
        ]
        for wrong, hint in mistakes:
            if abs(value - wrong) < 1e-9:
                reject(f"for truth {y_true} and prediction {y_pred} you returned {value:.4f}: {hint} "
                       f"(expected {expected:.4f})")
        reject(f"for truth {y_true} and prediction {y_pred} expected macro F1 {expected:.4f}, got {value:.4f}")
    return ("It gives every genre the same weight, so a model that ignores a small genre is punished "
            "as much as one that ignores a large genre.")


def _parts_table() -> tuple[pd.DataFrame, list[str]]:
    """Segments of five tracks in crafted parts; the tracks in more than one part are the answer."""
    parts = {"rock.00001": ["train"] * 3, "rock.00002": ["train", "test", "train"],
             "jazz.00003": ["valid", "test"], "jazz.00004": ["test"] * 3, "pop.00005": ["train", "valid", "valid"]}
    rows = [(track, part, k) for track, track_parts in parts.items() for k, part in enumerate(track_parts)]
    table = pd.DataFrame(rows, columns=["track_id", "split", "segment"]).astype({"track_id": "string"})
    table["label"] = table["track_id"].str.split(".").str[0]
    table = table.sample(frac=1.0, random_state=0)  # shuffled rows, shuffled index
    return table, ["jazz.00003", "pop.00005", "rock.00002"]


def _as_ids(value, what: str) -> list[str]:
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0 and not isinstance(value, (set, frozenset)):
        reject(f"{what} should return the track ids (a list), got {value!r}")
    ids = [str(v) for v in value]
    if len(ids) != len(set(ids)):
        reject(f"{what} returned some track ids more than once ({ids}): list each leaking track once "
               "(one row per segment repeats it)")
    return sorted(ids)


@check("6.2")
def check_leaked_tracks(leaked_tracks) -> str:
    """``leaked_tracks(table)`` lists the tracks whose rows sit in more than one part."""
    table, expected = _parts_table()
    found = _as_ids(leaked_tracks(table.copy()), "leaked_tracks")
    if found != expected:
        extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
        if "jazz.00004" in extra:
            reject("jazz.00004 has all its segments in test: a track that sits in a single part does not leak")
        if "rock.00001" in extra:
            reject("rock.00001 has all its segments in train: a track that sits in a single part does not leak")
        if missing == ["pop.00005"] or missing == ["jazz.00003", "pop.00005"]:
            reject(f"you missed {missing}: pop.00005 has segments in train and valid"
                   + (", jazz.00003 in valid and test" if "jazz.00003" in missing else "")
                   + ". Any two parts count, not only train and test")
        reject(f"expected {expected}, got {found} (a track leaks when its rows carry more than one "
               "value of 'split')")
    clean = table[~table["track_id"].isin(expected)]
    if _as_ids(leaked_tracks(clean), "leaked_tracks"):
        reject("for a table where every track sits in one part, leaked_tracks must return an empty list")
    return f"Found {expected} in a table of {len(table)} shuffled segment rows."


@check("6.3")
def check_test_size(n_tracks, *, accuracy: float = 0.8, width: float = 0.1) -> str:
    """``n_tracks`` is (about) the smallest test set whose 95% interval at ``accuracy`` is at most ``width`` wide."""
    if isinstance(n_tracks, bool) or not isinstance(n_tracks, (int, np.integer)) or n_tracks < 1:
        reject(f"n_tracks should be a whole number of test tracks, got {n_tracks!r}")

    def interval_width(n: int) -> float:
        low, high = accuracy_interval(round(accuracy * n), n)
        return high - low

    smallest = next(n for n in range(1, 100_000) if interval_width(n) <= width)
    got = interval_width(int(n_tracks))
    if got > width:
        hint = (f" The interval must be {width} wide in total (±{width / 2:g}), not ±{width:g}."
                if 1.5 * width < got <= 2 * width else "")
        reject(f"with {n_tracks} test tracks the 95% interval is {got:.3f} wide, more than {width}: you need more "
               f"tracks.{hint}")
    if n_tracks > 1.05 * smallest:
        reject(f"{n_tracks} tracks give an interval {got:.3f} wide, which is narrow enough, but far fewer "
               "suffice: look for the smallest number")
    return (f"About {smallest} test tracks give an interval ±{width / 2:g} wide at accuracy {accuracy}, "
            "close to the 290 test tracks of GTZAN's fault-filtered split.")


def _selection_table(seed: int, *, n_features: int, n_informative: int,
                     shift: float = 1.5, scales: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """200 tracks of two genres, half for testing, with ``n_features`` noise features of which
    the first ``n_informative`` carry the genre (shifted by ``shift`` for rock); with ``scales``,
    the columns are as differently scaled as real features."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(["blues", "rock"], 100))
    X = rng.normal(size=(200, n_features))
    X[:, :n_informative] += shift * (labels == "rock")[:, None]
    if scales:
        X *= rng.choice([0.01, 1.0, 100.0], size=n_features)
    features = [f"x{j}" for j in range(n_features)]
    table = pd.concat([pd.DataFrame({"track_id": [f"t{i:03d}" for i in range(200)], "label": labels,
                                     "split": np.repeat(["train", "test"], 100)}),
                       pd.DataFrame(X, columns=features)], axis=1)
    return table, features


@check("6.4")
def check_selection_inside(select_then_score) -> str:
    """``select_then_score(table, features=, k=)`` chooses its features on the training rows only."""
    noise = []
    for seed in range(3):
        table, features = _selection_table(seed, n_features=2000, n_informative=0)
        noise.append(_one_number(select_then_score(table, features=features, k=20), "select_then_score"))
    noise = float(np.mean(noise))
    if noise >= 0.88:
        reject(f"on features that are pure noise your function scores {noise:.2f} on the test rows: the model was "
               "trained on the test rows. Fit on the rows with split != 'test', score on the others")
    if noise > 0.62:
        reject(f"on features that are pure noise (chance: 0.50) your function scores {noise:.2f} on the test rows: "
               "the features were chosen with the test rows' labels in view. Fit the selection on the training "
               "rows only: put SelectKBest inside the pipeline")
    table, features = _selection_table(3, n_features=500, n_informative=5)
    useful = _one_number(select_then_score(table, features=features, k=5), "select_then_score")
    if useful < 0.8:
        reject(f"on a table where 5 of 500 features carry the genre, keeping k=5 features should score about "
               f"0.9, yours gives {useful:.2f}: keep the k best features (SelectKBest(f_classif, k=k)) before "
               "the classifier")
    table, features = _selection_table(4, n_features=60, n_informative=12, shift=0.4, scales=True)
    table.loc[:39, "split"] = "valid"  # the model is fitted on the train and the valid rows
    scores = {k: _one_number(select_then_score(table.copy(), features=features, k=k), "select_then_score")
              for k in (1, 12, 40)}
    expected = {k: _pipeline_score(table, features, k=k) for k in scores}
    if len(set(scores.values())) == 1 and len(set(expected.values())) > 1:
        reject(f"k=1, k=12 and k=40 all give {scores[1]:.2f}: your function ignores its k argument; pass it to "
               "SelectKBest(f_classif, k=k)")
    for k, value in scores.items():
        if abs(value - expected[k]) > 1e-9:
            train_only = table[table["split"] != "valid"]
            hint = ("the scaler is missing: StandardScaler() first, as the exercise asks"
                    if abs(value - _pipeline_score(table, features, k=k, scaled=False)) < 1e-9 else
                    "the model was fitted on the 'train' rows only: fit it on every row whose split is not "
                    "'test' (train and valid)" if abs(value - _pipeline_score(train_only, features, k=k)) < 1e-9 else
                    "fit make_pipeline(StandardScaler(), SelectKBest(f_classif, k=k), SVC()) on the rows "
                    "whose split is not 'test', and score it on the test rows")
            reject(f"on a table where 12 of 60 features carry a little of the genre, k={k} should score "
                   f"{expected[k]:.2f}, yours {value:.2f}: {hint}")
    return (f"Pure noise scores {noise:.2f} (chance 0.50); with 5 useful features among 500 you score "
            f"{useful:.2f}; the k you ask for changes the score ({', '.join(f'k={k}: {v:.2f}' for k, v in scores.items())}).")


def _pipeline_score(table: pd.DataFrame, features: list[str], *, k: int, scaled: bool = True) -> float:
    """The exercise's pipeline, fitted on the non-test rows and scored on the test rows."""
    train, test = table[table["split"] != "test"], table[table["split"] == "test"]
    steps = [StandardScaler()] if scaled else []
    model = make_pipeline(*steps, SelectKBest(f_classif, k=k), SVC()).fit(train[features], train["label"])
    return float(model.score(test[features], test["label"]))
