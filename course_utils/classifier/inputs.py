"""What a saved classifier sees of a clip: a pooled pretrained embedding, or the handcrafted feature row.

An input turns audio into the rows a classifier is trained on (one vector per track, or one per
3-s patch of the track) and one vector per segment (the prediction over time). It is described by JSON-able parameters, stored in the saved
model's manifest, plus binary artifacts (musicnn's LiteRT network) stored beside them, so that a
loaded classifier computes exactly what it was trained on.

- :class:`EmbeddingInput`: musicnn (through :mod:`~course_utils.classifier.lite`) or YAMNet frames,
  pooled over the clip (:func:`course_utils.embeddings.track_embedding`), or every frame a row.
- :class:`FeatureInput`: the 57 handcrafted features of :func:`course_utils.features.clip_features`.

Used in: :mod:`course_utils.classifier` (the ``genre-classify`` command line).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from course_utils.errors import ConfigError

SEGMENT_SECONDS = 3.0


@dataclass(frozen=True)
class EmbeddingInput:
    """A pretrained network's frame embeddings, pooled over the clip or over each segment, or every frame a row.

    Attributes
    ----------
    model : str
        ``"yamnet"`` or a musicnn model (:data:`course_utils.embeddings.musicnn.MODELS`).
    layer : str or None
        musicnn layer (default: the model's default, ``penultimate`` for musicnn models).
    pooling : {"mean", "mean_std"}
        Statistics over frames (:func:`course_utils.embeddings.pool`).
    patches : bool
        Every frame (musicnn's 3-s patch) is a training row, and a clip's probabilities are the
        mean of its frames' probabilities: a 2-3 s clip is one patch, as every training row is.
        ``False``: one pooled vector per clip.
    segment_seconds : float
        Length of the segments of the prediction over time.
    handle : str or None
        YAMNet's handle (:func:`course_utils.embeddings.yamnet_handle`), resolved when training and
        recorded: a saved YAMNet model predicts only where that handle loads.
    network : bytes or None
        musicnn's LiteRT network (:func:`~course_utils.classifier.lite.export_musicnn`); made by
        :meth:`prepare`, stored as an artifact.
    """

    model: str = "MSD_musicnn"
    layer: str | None = None
    pooling: str = "mean"
    patches: bool = False
    segment_seconds: float = SEGMENT_SECONDS
    handle: str | None = None
    network: bytes | None = field(default=None, repr=False, compare=False)

    kind = "embedding"
    artifact = "network.tflite"

    @property
    def sr(self) -> int:
        """The sample rate the network takes (audio is loaded at it)."""
        from course_utils.embeddings import musicnn, yamnet

        return yamnet.SR if self.model == "yamnet" else musicnn.SR

    def params(self) -> dict:
        """JSON-able description for the manifest (without the network)."""
        return {k: v for k, v in asdict(self).items() if k != "network"}

    def artifacts(self) -> dict[str, bytes]:
        """Files to store beside the manifest: musicnn's network (YAMNet's weights are not stored)."""
        return {} if self.model == "yamnet" else {self.artifact: self._network()}

    def _network(self) -> bytes:
        if self.network is None:
            raise ConfigError("this musicnn input has no network yet; call prepare() first (training does)")
        return self.network

    def with_artifacts(self, artifacts: dict[str, bytes]) -> "EmbeddingInput":
        """This input with the network read back from a saved model (musicnn needs it)."""
        if self.model == "yamnet":
            return self
        if self.artifact not in artifacts:
            raise ConfigError(f"the musicnn input lacks its network file {self.artifact}")
        return replace(self, network=artifacts[self.artifact])

    def describe(self) -> str:
        """One line for people."""
        if self.patches:
            return f"{self.model} {self.layer} embeddings of every frame, probabilities averaged over the clip's frames"
        return f"{self.model} {self.layer} embeddings, {self.pooling} over the clip's frames"

    def prepare(self) -> "EmbeddingInput":
        """Resolve the layer and the YAMNet handle, and export musicnn's network (needs TensorFlow)."""
        from course_utils.classifier.lite import export_musicnn
        from course_utils.embeddings.dataset import resolve

        layer, handle = resolve(self.model, self.layer, self.handle)
        network = None if self.model == "yamnet" else export_musicnn(self.model, layer=layer)
        return replace(self, layer=layer, handle=handle, network=network)

    def training_rows(self, dataset, *, n_jobs: int | None = None,
                      cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The training rows of a data set, from its cached frames: one pooled embedding per track, or one row per frame.

        ``n_jobs=None`` runs in this process (the network already uses every core).

        Returns
        -------
        X : np.ndarray, shape (n_rows, d)
        tracks : np.ndarray, shape (n_rows,)
            The position of each row's track in ``dataset.tracks``.
        """
        from course_utils.embeddings import dataset_frames, track_embedding

        frames = dataset_frames(dataset, model=self.model, layer=self.layer, handle=self.handle,
                                n_jobs=n_jobs or 1, cache=cache)
        if not self.patches:
            return np.stack([track_embedding(f, pooling=self.pooling) for f in frames]), np.arange(len(frames))
        tracks = np.repeat(np.arange(len(frames)), [len(f.embeddings) for f in frames])
        return np.concatenate([f.embeddings for f in frames]), tracks

    @functools.cached_property
    def _frames(self):
        if self.model == "yamnet":
            from course_utils.embeddings import yamnet_embeddings

            return functools.partial(yamnet_embeddings, handle=self.handle)
        from course_utils.classifier.lite import LiteMusicnn

        return LiteMusicnn(self._network(), model=self.model, layer=self.layer)

    def vectors(self, y: np.ndarray, *, segments: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The clip's vector (d,) (with :attr:`patches`, its frames (n_frames, d), whose probabilities
        are averaged) and, with ``segments``, one per segment (n_segments, d), from one pass of the network.

        ``y`` is mono at :attr:`sr`.
        """
        from course_utils.embeddings import track_embedding

        frames = self._frames(y, self.sr)
        whole = frames.embeddings if self.patches else track_embedding(frames, pooling=self.pooling)
        return whole, (track_embedding(frames, pooling=self.pooling, segment_seconds=self.segment_seconds)
                       if segments else None)


@dataclass(frozen=True)
class FeatureInput:
    """The handcrafted feature row (:func:`course_utils.features.clip_features`) of the clip or of each segment.

    Attributes
    ----------
    sr, n_fft, hop_length, n_mfcc
        As in :func:`course_utils.features.feature_table` (the defaults reproduce the Kaggle table).
    segment_seconds : float
        Length of the segments of the prediction over time.
    """

    sr: int = 22050
    n_fft: int = 2048
    hop_length: int = 512
    n_mfcc: int = 20
    segment_seconds: float = SEGMENT_SECONDS

    kind = "features"

    def params(self) -> dict:
        """JSON-able description for the manifest."""
        return asdict(self)

    def artifacts(self) -> dict[str, bytes]:
        """No files beyond the manifest."""
        return {}

    def with_artifacts(self, artifacts: dict[str, bytes]) -> "FeatureInput":
        """This input (it has no artifacts)."""
        return self

    def describe(self) -> str:
        """One line for people."""
        return f"the {len(self._columns())} handcrafted features (chroma, spectral, tempo, {self.n_mfcc} MFCCs)"

    def prepare(self) -> "FeatureInput":
        """Nothing to resolve."""
        return self

    def _columns(self) -> list[str]:
        from course_utils.features import feature_columns

        return feature_columns(self.n_mfcc)

    def _extract(self) -> dict:
        return dict(sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length, n_mfcc=self.n_mfcc)

    def training_rows(self, dataset, *, n_jobs: int | None = None,
                      cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """One feature row per track, shape (n_tracks, 57), from the cached feature table, and each row's track (0, 1, ...)."""
        from course_utils.features import feature_table

        table = feature_table(dataset, n_jobs=n_jobs, cache=cache, **self._extract())
        return table[self._columns()].to_numpy(dtype=np.float64), np.arange(len(table))

    def vectors(self, y: np.ndarray, *, segments: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The clip's feature row (57,) and, with ``segments``, one per segment (n_segments, 57).

        ``y`` is mono at :attr:`sr`.
        """
        from course_utils.features import clip_features
        from course_utils.features.table import clip_pieces

        def rows(segment_seconds):
            pieces = clip_pieces(y, sr=self.sr, segment_seconds=segment_seconds, hop_seconds=None)
            return np.array([list(clip_features(p, **self._extract()).values()) for p in pieces], dtype=np.float64)

        return rows(None)[0], (rows(self.segment_seconds) if segments else None)


INPUTS = {cls.kind: cls for cls in (EmbeddingInput, FeatureInput)}


def input_from_params(params: dict, artifacts: dict[str, bytes]):
    """Rebuild an input from its manifest entry (``kind`` plus :meth:`params`) and its artifacts.

    Raises
    ------
    ConfigError
        If the kind or a parameter is unknown, or an artifact is missing (a model saved by another
        version of the course, or an altered file).
    """
    params = dict(params)
    kind = params.pop("kind", None)
    if kind not in INPUTS:
        raise ConfigError(f"unknown input kind {kind!r}; this version of course_utils knows {sorted(INPUTS)}")
    try:
        made = INPUTS[kind](**params)
    except TypeError as err:
        raise ConfigError(f"the {kind} input parameters {sorted(params)} do not fit this version ({err})") from err
    return made.with_artifacts(artifacts)
