"""What each model of the course reads: one :class:`InputSpec` per kind of input, resolved and loaded the same
way by its chapter and by the comparison.

:meth:`InputSpec.resolve` says, without computing anything heavy, every parameter the input will be
made with on a data set (library defaults included, and the choices made at run time: which
embedding model loads, how long a window the shortest track allows, the profile's picture size);
those parameters are part of a result's fingerprint. :meth:`InputSpec.load` computes (or reads from
the cache) the arrays.

Used in: book/07_classical_ml.ipynb to book/12_comparison.ipynb (through :mod:`course_utils.zoo`).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from course_utils.config import Profile
from course_utils.errors import ConfigError

EMBEDDING_MODELS = ("yamnet", "MSD_musicnn")  # the order of preference of chapters 8, 9 and 11
NOT_PARAMETERS = {"dataset", "n_jobs", "cache"}  # arguments that do not change the result
SPECTROGRAM_NAMES = {"log_mel": "log-mel", "mfcc": "MFCC"}


@dataclass(frozen=True)
class Inputs:
    """A loaded input: one row of ``X`` per example.

    Attributes
    ----------
    X : np.ndarray or dict of np.ndarray
    table : pd.DataFrame or None
        ``track_id, label`` (and ``segment, start, end`` ...) of each row; None when ``X`` is itself a
        table (a feature table, pooled embeddings).
    features : str
        The input's name in the results registry (e.g. ``"log-mel 3 s"``).
    params : dict
        Every parameter it was made with (:meth:`InputSpec.resolve`).
    detail : object
        What the loader made besides the arrays: the feature columns of a table, a backbone's timings
        (:class:`~course_utils.models.transfer.BackboneFeatures`), the combined model's
        :class:`~course_utils.train.CombinedInputs`; or None.
    """

    X: Any
    table: pd.DataFrame
    features: str
    params: dict
    detail: Any = None

    def pick(self, view: str) -> "Inputs":
        """One view of aligned streams (``"spectrogram"`` or ``"scalogram"``), as that stream's own input."""
        if self.params.get("input") != "streams" or not isinstance(self.X, dict) or view not in self.X:
            raise ConfigError(f"pick needs the aligned streams with a view {view!r}")
        return Inputs(self.X[view], self.table, f"{view} {self.params['segment_seconds']:g} s",
                      {**self.params, "view": view})


def _bound(func: Callable, params: Mapping) -> dict:
    """``params`` completed with ``func``'s defaults, without the arguments that do not change the result."""
    signature = inspect.signature(func)
    unknown = set(params) - set(signature.parameters)
    if unknown:
        raise ConfigError(f"{func.__name__} has no parameters {sorted(unknown)}")
    return {name: params.get(name, p.default) for name, p in signature.parameters.items()
            if name not in NOT_PARAMETERS and p.default is not inspect.Parameter.empty}


def _embedding_model(models) -> str:
    from course_utils.embeddings import available_models

    return available_models(list(models)).preferred


def _shortest(dataset) -> float:
    return float(dataset.tracks["duration"].min())


# -- one resolver and one loader per kind -----------------------------------------------------------

def _segments_params(dataset, profile, **params) -> dict:
    from course_utils.features import segment_spectrograms

    return _bound(segment_spectrograms, params)


def _segments(dataset, params) -> Inputs:
    from course_utils.features import segment_spectrograms

    X, table = segment_spectrograms(dataset, **params)
    return Inputs(X, table, f"{SPECTROGRAM_NAMES[params['kind']]} {params['segment_seconds']:g} s", params)


def _frames_params(dataset, profile, *, models=EMBEDDING_MODELS, max_window=15.0, hop_seconds=3.0) -> dict:
    return {"model": _embedding_model(models), "window_seconds": min(float(max_window), _shortest(dataset)),
            "hop_seconds": float(hop_seconds)}


def _frames(dataset, params) -> Inputs:
    from course_utils import embeddings
    from course_utils.train.inputs import frame_windows

    frames = embeddings.dataset_frames(dataset, model=params["model"])
    X, table = frame_windows(frames, dataset, window_seconds=params["window_seconds"],
                             hop_seconds=params["hop_seconds"])
    return Inputs(X, table, f"{params['model']} frames {params['window_seconds']:g} s", params)


def _handcrafted_params(dataset, profile) -> dict:
    from course_utils.features import feature_columns

    return {"features": "handcrafted", "columns": feature_columns()}


def _handcrafted(dataset, params) -> Inputs:
    from course_utils.features import feature_table

    return Inputs(feature_table(dataset), None, params["features"], params, detail=params["columns"])


def _pooled_params(dataset, profile, *, model: str, pooling: str = "mean") -> dict:
    return {"model": model, "pooling": pooling}


def _pooled(dataset, params) -> Inputs:
    from course_utils.embeddings import embed_dataset

    tracks, X = embed_dataset(dataset, model=params["model"], pooling=params["pooling"])
    columns = [f"e{i}" for i in range(X.shape[1])]
    table = pd.concat([tracks.reset_index(drop=True), pd.DataFrame(X.astype(np.float64), columns=columns)], axis=1)
    return Inputs(table, None, f"{params['model']} embedding ({params['pooling']} over the track)", params,
                  detail=columns)


def _pictures_params(dataset, profile, *, backbone: str, kind: str = "log_mel", segment_seconds: float = 3.0) -> dict:
    return {"backbone": backbone, "size": profile.image_size,
            "segments": _segments_params(dataset, profile, kind=kind, segment_seconds=segment_seconds)}


def _pictures(dataset, params) -> Inputs:
    from course_utils.models import transfer

    segments = params["segments"]  # the chapter's defaults: the pass of chapter 10's cells, read from the cache
    frozen = transfer.picture_features(dataset, backbone=params["backbone"], size=params["size"], kind=segments["kind"],
                                       segment_seconds=segments["segment_seconds"])["pooled"]
    name = SPECTROGRAM_NAMES[segments["kind"]]
    return Inputs(frozen.X, frozen.tracks, f"{name} pictures {params['size']} px", params, detail=frozen)


def _streams_params(dataset, profile, *, view: str | None = None) -> dict:
    from course_utils.features import segment_spectrograms
    from course_utils.train.multimodal import SEGMENT_SECONDS
    from course_utils.wavelets import segment_scalograms

    return {"view": view, "segment_seconds": SEGMENT_SECONDS,
            "spectrogram": _bound(segment_spectrograms, {"kind": "log_mel", "segment_seconds": SEGMENT_SECONDS}),
            "scalogram": _bound(segment_scalograms, {"segment_seconds": SEGMENT_SECONDS})}


def _streams(dataset, params) -> Inputs:
    from course_utils.train.multimodal import stream_inputs

    views, segments = stream_inputs(dataset)
    seconds = f"{params['segment_seconds']:g} s"
    if params["view"] is None:
        return Inputs(views, segments, f"{' + '.join(views)} {seconds}", params)
    return Inputs(views[params["view"]], segments, f"{params['view']} {seconds}", params)


def _combined_params(dataset, profile, *, models=EMBEDDING_MODELS) -> dict:
    from course_utils.train.multimodal import MAX_WINDOW_SECONDS

    return {"embedding_model": _embedding_model(models), "max_window": MAX_WINDOW_SECONDS,
            "shortest": _shortest(dataset)}


def _combined(dataset, params) -> Inputs:
    from course_utils.train.multimodal import combined_inputs

    windowed = combined_inputs(dataset, embedding_model=params["embedding_model"])
    return Inputs(windowed.X, windowed.windows, windowed.describe(list(windowed.X)), params, detail=windowed)


KINDS: dict[str, tuple[Callable, Callable]] = {
    "segments": (_segments_params, _segments), "frames": (_frames_params, _frames),
    "feature table": (_handcrafted_params, _handcrafted), "pooled embedding": (_pooled_params, _pooled),
    "pictures": (_pictures_params, _pictures), "streams": (_streams_params, _streams),
    "combined": (_combined_params, _combined),
}


@dataclass(frozen=True)
class InputSpec:
    """One kind of model input and its parameters.

    Attributes
    ----------
    kind : str
        ``"segments"`` (log-mel or MFCC segments), ``"frames"`` (windows of embedding frames),
        ``"feature table"`` (the handcrafted features, one row per track), ``"pooled embedding"`` (one embedding per track),
        ``"pictures"`` (a frozen ImageNet backbone's features of one picture per track),
        ``"streams"`` (aligned log-mel and scalogram segments), ``"combined"`` (MFCC windows,
        embedding windows and handcrafted features of the combined model).
    params : dict
        The parameters its chapter chose (e.g. ``kind="mfcc", segment_seconds=3.0``).
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ConfigError(f"unknown input kind {self.kind!r}; expected one of {sorted(KINDS)}")

    def resolve(self, dataset, *, profile: Profile) -> dict:
        """Every parameter the input is made with on ``dataset`` (cheap: nothing is computed), and
        ``input``: its kind."""
        return {"input": self.kind, **KINDS[self.kind][0](dataset, profile, **self.params)}

    def load(self, dataset, *, profile: Profile) -> Inputs:
        """The input's arrays for every track of ``dataset`` (computed once, then read from the cache)."""
        params = self.resolve(dataset, profile=profile)
        loaded = KINDS[self.kind][1](dataset, {k: v for k, v in params.items() if k != "input"})
        return Inputs(loaded.X, loaded.table, loaded.features, {"input": self.kind, **loaded.params}, loaded.detail)
