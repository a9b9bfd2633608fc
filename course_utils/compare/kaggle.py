"""What the way of splitting does to a score: the same models on all of GTZAN (the Kaggle feature table),
on the fault-filtered split and on a random track split of the same sizes.

Results are written to the registry under :data:`course_utils.evaluate.reference.KAGGLE_DATASET`
and reused by the next call (chapter 7 computes them, chapter 12 reads them back).

Used in: book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import pandas as pd

from course_utils.config import DEFAULT_SEED, Profile
from course_utils.evaluate import (accuracy_interval, fingerprint, fit_and_evaluate, load_results, pipeline_definition,
                                   reference, reusable)

FEATURES = "handcrafted (Kaggle table)"
SPLITS = {"fault_filtered": "fault-filtered", "stratified": "random tracks"}
COLUMNS = ["split", "model", "accuracy", "low", "high", "macro F1", "test tracks", "status"]


def _made(model: str, kaggle: pd.DataFrame, split, *, profile: Profile, seed: int):
    """The fingerprint of ``model`` fitted on the Kaggle table with ``split``, as :meth:`Fitted.record` writes it."""
    from course_utils.features import feature_columns

    return fingerprint(definition=pipeline_definition(model, profile=profile, seed=seed),
                       inputs={"input": "feature table", "features": FEATURES, "columns": feature_columns()},
                       data=kaggle, split=split, seed=seed)


def split_effect(*, profile: Profile, seed: int = DEFAULT_SEED, models=("svm_rbf", "xgboost")) -> pd.DataFrame | None:
    """Scores of ``models`` on the Kaggle feature table, per way of splitting; ``None`` without the table.

    Each model is grid-searched on the training tracks of the split and scored once on its test
    tracks (:func:`course_utils.evaluate.fit_and_evaluate`), unless the registry already
    holds that result with the same fingerprint (model, grid, table, split, seed, version). Without the fault-filtered lists, only the random split is scored (the
    reason is printed).

    Returns
    -------
    pd.DataFrame or None
        Columns ``split`` (``"fault-filtered"`` or ``"random tracks"``), ``model, accuracy, low,
        high`` (Wilson 95 % interval), ``macro F1, test tracks, status`` (``"trained"`` or
        ``"reused"``); ``None`` when ``$KAGGLE_FEATURES_CSV`` is not set.
    """
    from course_utils.features import feature_columns

    kaggle = reference.kaggle_features()
    if kaggle is None:
        return None
    fault_filtered = reference.fault_filtered_split(kaggle)
    splits = [s for s in (fault_filtered, reference.comparable_random_split(kaggle, fault_filtered, seed=seed)) if s]
    rows = []
    for split in splits:
        for model in models:
            made = _made(model, kaggle, split, profile=profile, seed=seed)
            row, status = reusable(load_results(latest=False, dataset=reference.KAGGLE_DATASET), made), "reused"
            if row is None:
                fit = fit_and_evaluate(model, split.assign(kaggle), features=feature_columns(),
                                       labels=sorted(kaggle["label"].unique()), profile=profile, seed=seed)
                fit.record(features=FEATURES, split=split, profile=profile, dataset=reference.KAGGLE_DATASET,
                           seed=seed, data=kaggle)
                row, status = reusable(load_results(latest=False, dataset=reference.KAGGLE_DATASET), made), "trained"
            n = int(row["n_test"])
            low, high = accuracy_interval(round(row["accuracy"] * n), n)
            rows.append({"split": SPLITS[split.method], "model": model, "accuracy": row["accuracy"], "low": low,
                         "high": high, "macro F1": row["macro_f1"], "test tracks": n, "status": status})
    return pd.DataFrame(rows, columns=COLUMNS)
