"""The models of the comparison: for each, the registry names it is recorded under and how to train it.

Each recipe trains one model the way its chapter does (same package calls, same inputs, same
names in the registry), so :func:`course_utils.compare.run_all` can reuse a chapter's row instead of
training the model again. A recipe that needs weights this run cannot have (YAMNet, an ImageNet
backbone) says why instead of training.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from course_utils.compare.protocol import Protocol


@dataclass(frozen=True)
class Recipe:
    """One model of the comparison.

    Attributes
    ----------
    key : str
        Short unique name.
    family : str
        Which family of the course it belongs to (``"baseline"``, ``"classical"``, ...).
    chapter : int
        The chapter that teaches it.
    names : callable
        ``names(protocol) -> (model, features)``: the registry names of its row.
    train : callable
        ``train(protocol)`` trains it and writes its row to the registry.
    unavailable : callable
        ``unavailable(protocol) -> str or None``: why it cannot run here (missing weights), or None.
    label : str
        A short name for tables and figures (default: ``key``).
    """

    key: str
    family: str
    chapter: int
    names: Callable[[Protocol], tuple[str, str]]
    train: Callable[[Protocol], None]
    unavailable: Callable[[Protocol], str | None] = lambda protocol: None
    label: str = ""

    @property
    def short(self) -> str:
        return self.label or self.key


# -- classical models on the handcrafted feature table (chapter 7) ----------------------------------

HANDCRAFTED = "handcrafted"


def _classical(name: str) -> Callable[[Protocol], None]:
    def train(protocol: Protocol) -> None:
        from course_utils.features import feature_columns, feature_table
        from course_utils.models import classical

        table = protocol.split.assign(feature_table(protocol.dataset))
        fit = classical.fit_and_evaluate(name, table, features=feature_columns(), labels=protocol.labels,
                                         profile=protocol.profile, seed=protocol.seed)
        fit.record(features=HANDCRAFTED, **protocol.record_options)
    return train


# -- pooled embeddings and a linear model (chapter 5) ----------------------------------------------

def embedding_features(model: str) -> str:
    return f"{model} embedding (mean over the track)"


def _embedding_unavailable(model: str) -> Callable[[Protocol], str | None]:
    def unavailable(protocol: Protocol) -> str | None:
        from course_utils.embeddings import available_models

        availability = available_models([model])
        return availability.missing.get(model)
    return unavailable


def _embedding_linear(model: str) -> Callable[[Protocol], None]:
    def train(protocol: Protocol) -> None:
        from course_utils.embeddings import embed_dataset
        from course_utils.models import classical

        tracks, X = embed_dataset(protocol.dataset, model=model)
        columns = [f"e{i}" for i in range(X.shape[1])]
        table = pd.concat([tracks.reset_index(drop=True), pd.DataFrame(X.astype(np.float64), columns=columns)], axis=1)
        fit = classical.fit_and_evaluate("logreg", protocol.split.assign(table), features=columns,
                                         labels=protocol.labels, profile=protocol.profile, seed=protocol.seed)
        fit.record(features=embedding_features(model), **protocol.record_options)
    return train


def classical_recipes() -> list[Recipe]:
    """Baselines and classical models on handcrafted features; linear models on pooled embeddings."""
    recipes = [Recipe(f"{name} on handcrafted features", family, 7, lambda p, n=name: (n, HANDCRAFTED),
                      _classical(name), label=label)
               for name, family, label in (("majority", "baseline", "majority class"),
                                           ("logreg", "baseline", "logreg, handcrafted"),
                                           ("svm_rbf", "classical", "SVM, handcrafted"),
                                           ("xgboost", "classical", "XGBoost, handcrafted"))]
    recipes += [Recipe(f"logistic regression on {model} embeddings", "pretrained embedding + linear", 5,
                       lambda p, m=model: ("logreg", embedding_features(m)), _embedding_linear(model),
                       _embedding_unavailable(model), label=label)
                for model, label in (("MSD_musicnn", "logreg, musicnn"), ("yamnet", "logreg, YAMNet"))]
    return recipes
