"""Recipes of chapter 11's models: late fusion of a spectrogram and a scalogram CNN, and the combined model.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

from course_utils.compare.neural import embedding_model
from course_utils.compare.protocol import Protocol
from course_utils.compare.recipes import Recipe
from course_utils.config import set_seed

STREAMS_FEATURES = "spectrogram + scalogram 3 s"
AVERAGE = "average of the two CNNs"
JOINED = "joined embeddings of the two CNNs + head"
BRANCHES = ("mfcc", "embedding", "handcrafted")


def _late_fusion(protocol: Protocol) -> None:
    """Chapter 11: a CNN on each view (recorded too), their averaged probabilities, and their joined embeddings."""
    from course_utils import models, train
    from course_utils.evaluate import record_result
    from course_utils.models import fusion

    views, segments = train.stream_inputs(protocol.dataset)
    options = dict(classes=protocol.labels, verbose=False, **protocol.record_options)
    set_seed(protocol.seed, tensorflow=True)
    streams, seconds = {}, 0.0
    for key, X in views.items():
        parts = train.split_parts(X, segments, protocol.split, classes=protocol.labels)
        run = train.evaluate_and_record(models.cnn2d(X.shape[1:], len(protocol.labels), name=f"{key}_cnn"), parts,
                                        features=f"{key} 3 s", **options)
        streams[key], seconds = run.model, seconds + run.fit.train_seconds
    both = train.split_parts(views, segments, protocol.split, classes=protocol.labels)
    average = fusion.average_fusion(streams)
    averaged = train.predict_tracks(average, both["test"].X, both["test"].table, classes=protocol.labels)
    record_result(model=AVERAGE, features=STREAMS_FEATURES, scores=averaged.scores, train_seconds=seconds,
                  predict_seconds=averaged.seconds, n_params=average.count_params(), predictions=averaged.tracks,
                  **protocol.record_options)
    train.evaluate_and_record(fusion.concat_fusion(streams, len(protocol.labels)), both, features=STREAMS_FEATURES,
                              name=JOINED, **options)


def _combined_names(protocol: Protocol) -> tuple[str, str]:
    from course_utils.train import combined_inputs

    windowed = combined_inputs(protocol.dataset, embedding_model=embedding_model(protocol))
    return "combined, all", windowed.describe(BRANCHES)


def _combined(protocol: Protocol) -> None:
    """Chapter 11: one network over MFCC windows, embedding sequences and handcrafted features."""
    from course_utils import models, train
    from course_utils.models import fusion

    windowed = train.combined_inputs(protocol.dataset, embedding_model=embedding_model(protocol))
    n = len(protocol.labels)
    set_seed(protocol.seed, tensorflow=True)
    branches = {"mfcc": models.cnn1d(windowed.X["mfcc"].shape[1:], n, time_axis=1),
                "embedding": models.lstm(windowed.X["embedding"].shape[1:], n),
                "handcrafted": models.mlp(windowed.X["handcrafted"].shape[1:], n)}
    model = fusion.combined(branches, n, seed=protocol.seed)
    parts = train.split_parts(windowed.X, windowed.windows, protocol.split, classes=protocol.labels)
    train.evaluate_and_record(model, parts, features=windowed.describe(BRANCHES), name="combined, all",
                              classes=protocol.labels, verbose=False, **protocol.record_options)


def multimodal_recipes() -> list[Recipe]:
    """Late fusion (averaged probabilities; joined embeddings under a head) and the combined model."""
    return [Recipe("late fusion: average of a spectrogram and a scalogram CNN", "multimodal", 11,
                   lambda p: (AVERAGE, STREAMS_FEATURES), _late_fusion, label="fusion, average"),
            Recipe("late fusion: joined embeddings of the two CNNs", "multimodal", 11,
                   lambda p: (JOINED, STREAMS_FEATURES), _late_fusion, label="fusion, joined"),
            Recipe("combined model over MFCCs, embeddings and handcrafted features", "multimodal", 11,
                   _combined_names, _combined, label="combined model")]
