"""YAMNet: AudioSet class scores (521) and 1024-d embeddings every 0.48 s, from a handle.

The handle is the TF Hub address ``https://tfhub.dev/google/yamnet/1`` (the default), a local
SavedModel folder (that model unpacked), or a ``.tflite`` file; ``$YAMNET_HANDLE`` overrides the
default. All three give the same frames: the signal, at 16 kHz, is padded as YAMNet pads it and
seen through windows of 0.975 s (96 log-mel steps of 10 ms) every 0.48 s.

The TFLite form has the scores as its output; the embedding is the input of its last layer, read
from the interpreter (tensor ``yamnet_frames/global_average_pooling2d/Mean``). Its weights are
8-bit, so its numbers approximate those of the float SavedModel.

Used in: book/05_pretrained_embeddings.ipynb.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

from course_utils.config import OFFLINE_ENV, offline
from course_utils.embeddings.common import FrameEmbeddings, WeightsError, mono_at

YAMNET_URL = "https://tfhub.dev/google/yamnet/1"
HANDLE_ENV = "YAMNET_HANDLE"
CLASS_MAP_ENV = "YAMNET_CLASS_MAP"
CLASS_MAP_NAME = "yamnet_class_map.csv"
EMBEDDING_TENSOR = "yamnet_frames/global_average_pooling2d/Mean"

SR = 16000
WINDOW = 15600          # samples seen by one frame: 0.96 s of log-mel plus one 25 ms STFT window
HOP = 7680              # 0.48 s between frames
PATCH_STEPS, N_MELS = 96, 64
PATCH_HOP_STEPS = 48    # = HOP in 10-ms log-mel steps
SPECTROGRAM_RATE = 100.0  # log-mel steps per second (10 ms hop)
N_CLASSES, EMBEDDING_SIZE = 521, 1024


def frame_count(n_samples: int) -> int:
    """How many frames YAMNet gives for ``n_samples`` at 16 kHz: one, plus one per started hop."""
    return 1 + -(-max(0, n_samples - WINDOW) // HOP)


def pad_like_yamnet(waveform: np.ndarray) -> np.ndarray:
    """Zero-pad a 16-kHz waveform so that its last frame is complete, as YAMNet does."""
    total = WINDOW + (frame_count(len(waveform)) - 1) * HOP
    return np.pad(waveform, (0, total - len(waveform)))


def yamnet_handle(handle: str | os.PathLike | None = None) -> str:
    """The handle to load: ``handle``, else ``$YAMNET_HANDLE``, else the public TF Hub address."""
    chosen = handle if handle is not None else os.environ.get(HANDLE_ENV) or YAMNET_URL
    chosen = str(chosen).strip()
    if _is_url(chosen):
        return chosen
    return str(Path(chosen).expanduser().resolve())


def _is_url(handle: str) -> bool:
    return handle.startswith(("http://", "https://", "gs://"))


HOW_TO_SET = (f"set ${HANDLE_ENV} to the absolute path of a local YAMNet: a .tflite file (with {CLASS_MAP_NAME} "
              f"beside it) or the folder of the SavedModel from {YAMNET_URL}, unpacked")


class _HubYamnet:
    """YAMNet as a SavedModel, through ``tensorflow_hub.load`` (not ``hub.KerasLayer``: Keras 3 rejects it)."""

    def __init__(self, handle: str):
        if _is_url(handle) and offline() and not _in_hub_cache(handle):
            raise WeightsError(f"YAMNet handle {handle} is an address, ${OFFLINE_ENV} forbids downloading, and "
                               f"it is not in the TF Hub cache ($TFHUB_CACHE_DIR); {HOW_TO_SET}, "
                               f"or unset ${OFFLINE_ENV} to download it")
        import tensorflow_hub as hub

        try:
            self.model = hub.load(handle)
        except Exception as err:  # hub raises many types (URLError, OSError, ValueError, ...)
            where = ("the address could not be fetched: no network, or the download failed" if _is_url(handle)
                     else "it is not a loadable SavedModel")
            raise WeightsError(f"cannot load YAMNet from {handle}: {where} ({type(err).__name__}: {err}); "
                               f"{HOW_TO_SET}") from err
        if not hasattr(self.model, "class_map_path") or not callable(self.model):
            raise WeightsError(f"{handle} loads, but is not YAMNet (no class_map_path()); {HOW_TO_SET}")

    def __call__(self, waveform: np.ndarray):
        import tensorflow as tf

        scores, embeddings, log_mel = (t.numpy() for t in self.model(tf.constant(waveform)))
        steps = np.lib.stride_tricks.sliding_window_view(log_mel, PATCH_STEPS, axis=0)
        patches = steps[::PATCH_HOP_STEPS][: len(scores)].transpose(0, 2, 1)
        return scores, embeddings, np.ascontiguousarray(patches)

    def class_map(self) -> Path:
        return Path(self.model.class_map_path().numpy().decode())


def _in_hub_cache(handle: str) -> bool:
    from tensorflow_hub import resolver

    cache = resolver.tfhub_cache_dir(use_temp=True)
    return (Path(cache) / hashlib.sha1(handle.encode("utf8")).hexdigest() / "saved_model.pb").is_file()


def _interpreter(path: Path):
    """A TFLite (LiteRT) interpreter that keeps intermediate tensors (the embedding is one of them)."""
    from ai_edge_litert.interpreter import Interpreter

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*experimental_preserve_all_tensors")
        try:
            interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True)
            interpreter.allocate_tensors()
        except Exception as err:  # the interpreter raises ValueError or RuntimeError for a bad file
            raise WeightsError(f"{path} is not a readable TFLite model ({type(err).__name__}: {err}); "
                               f"{HOW_TO_SET}") from err
    return interpreter


class _LiteYamnet:
    """YAMNet as a TFLite model that takes exactly one frame (15600 samples) per call."""

    def __init__(self, path: Path):
        self.path = path
        self.interpreter = _interpreter(path)
        tensors = {d["name"]: d["index"] for d in self.interpreter.get_tensor_details()}
        outputs = {tuple(d["shape"]): d["index"] for d in self.interpreter.get_output_details()}
        inputs = self.interpreter.get_input_details()
        if (EMBEDDING_TENSOR not in tensors or (1, N_CLASSES) not in outputs or len(inputs) != 1
                or tuple(inputs[0]["shape"]) != (1, WINDOW)):
            raise WeightsError(f"{path} is a TFLite model but not YAMNet (expected an input of {WINDOW} samples, "
                               f"{N_CLASSES} scores and a tensor {EMBEDDING_TENSOR}); {HOW_TO_SET}")
        self.input = inputs[0]["index"]
        self.scores = outputs[(1, N_CLASSES)]
        self.log_mel = outputs.get((PATCH_STEPS, N_MELS))
        self.embedding = tensors[EMBEDDING_TENSOR]

    def __call__(self, waveform: np.ndarray):
        windows = np.lib.stride_tricks.sliding_window_view(pad_like_yamnet(waveform), WINDOW)[::HOP]
        scores, embeddings, patches = [], [], []
        for window in windows:
            self.interpreter.set_tensor(self.input, window[None, :])
            self.interpreter.invoke()
            scores.append(self.interpreter.get_tensor(self.scores)[0].copy())
            embeddings.append(self.interpreter.get_tensor(self.embedding)[0].copy())
            patches.append(self.interpreter.get_tensor(self.log_mel).copy())
        return np.stack(scores), np.stack(embeddings), np.stack(patches)

    def class_map(self) -> Path:
        configured = os.environ.get(CLASS_MAP_ENV)
        return Path(configured).expanduser() if configured else self.path.with_name(CLASS_MAP_NAME)


def load_yamnet(handle: str | os.PathLike | None = None):
    """Load YAMNet once per handle (see :func:`yamnet_handle`); later calls reuse it.

    Raises
    ------
    WeightsError
        The handle is missing, is not YAMNet, or is an address that cannot be fetched (offline);
        the message says which variable to set.
    """
    return _load(yamnet_handle(handle))


@functools.lru_cache(maxsize=2)
def _load(handle: str):
    if _is_url(handle):
        return _HubYamnet(handle)
    path = Path(handle)
    if not path.exists():
        raise WeightsError(f"YAMNet handle {handle} does not exist; {HOW_TO_SET}")
    if path.is_file():
        if path.suffix != ".tflite":
            raise WeightsError(f"YAMNet handle {handle} is a file but not a .tflite model; {HOW_TO_SET}")
        return _LiteYamnet(path)
    if not (path / "saved_model.pb").is_file():
        raise WeightsError(f"YAMNet handle {handle} is a folder without saved_model.pb, so not a SavedModel; "
                           f"{HOW_TO_SET}")
    return _HubYamnet(handle)


def yamnet_class_names(handle: str | os.PathLike | None = None) -> list[str]:
    """The 521 AudioSet class names, in the order of YAMNet's scores.

    Read from the model's own class map (SavedModel), else from ``$YAMNET_CLASS_MAP`` or
    ``yamnet_class_map.csv`` beside the ``.tflite`` file.
    """
    path = load_yamnet(handle).class_map()
    if not path.is_file():
        raise WeightsError(f"YAMNet's class map {path} does not exist; set ${CLASS_MAP_ENV} to the path of "
                           f"{CLASS_MAP_NAME} (521 rows: index, mid, display_name)")
    with open(path, newline="", encoding="utf-8") as handle_file:
        names = [row["display_name"] for row in csv.DictReader(handle_file)]
    if len(names) != N_CLASSES:
        raise WeightsError(f"{path} lists {len(names)} classes, expected {N_CLASSES}; set ${CLASS_MAP_ENV} "
                           f"to YAMNet's {CLASS_MAP_NAME}")
    return names


def yamnet_embeddings(y: np.ndarray, sr: int, *, handle: str | os.PathLike | None = None) -> FrameEmbeddings:
    """Run YAMNet on a signal: scores, embeddings and log-mel patches per 0.48-s frame.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal in [-1, 1]; resampled to 16 kHz when ``sr`` differs.
    sr : int
        Sample rate of ``y``.
    handle : str or path, optional
        See :func:`yamnet_handle`.

    Returns
    -------
    FrameEmbeddings
        ``scores`` (n_frames, 521), ``embeddings`` (n_frames, 1024), ``patches``
        (n_frames, 96, 64) of log-mel (natural log of mel energy + 0.001), ``times`` = 0.48 k s;
        ``n_frames = frame_count(samples at 16 kHz)``.
    """
    waveform = mono_at(y, sr, SR)
    scores, embeddings, patches = load_yamnet(handle)(waveform)
    return FrameEmbeddings(model="yamnet", layer="embedding", scores=scores, embeddings=embeddings,
                           times=np.arange(len(scores)) * HOP / SR, window=WINDOW / SR,
                           duration=len(y) / sr, patches=patches, spectrogram_rate=SPECTROGRAM_RATE)
