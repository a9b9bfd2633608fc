"""Every model of the course, defined once, and the learner's changes to them.

:func:`get` returns a model's :class:`~course_utils.zoo.spec.ModelSpec` with the changes made by
:func:`override`. Those changes are kept in a small file of the data home (``zoo/overrides.json``),
so they reach every notebook: change a hyper-parameter of the CNN in chapter 8 with
``zoo.override("CNN, log-mel", filters=[32, 64])`` and chapter 12 compares the changed CNN (its
fingerprint changed, so the old record is not reused). :func:`reset` undoes the changes.

Used in: book/07_classical_ml.ipynb to book/12_comparison.ipynb.
"""

from __future__ import annotations

import functools
import inspect
import json

from course_utils.config import data_home
from course_utils.errors import ConfigError
from course_utils.io import atomic_path
from course_utils.zoo.inputs import InputSpec
from course_utils.zoo.spec import TRAINING, ModelSpec, builder

LOG_MEL = InputSpec("segments", {"kind": "log_mel", "segment_seconds": 3.0, "n_mels": 128, "hop_length": 512})
MFCC = InputSpec("segments", {"kind": "mfcc", "segment_seconds": 3.0, "n_mels": 128, "hop_length": 512})
FRAMES = InputSpec("frames", {"max_window": 15.0, "hop_seconds": 3.0})
HANDCRAFTED = InputSpec("feature table")
SEQUENCE = {"time_axis": 1, "pool": 4}  # chapter 9: (coefficients, frames) segments, 4 frames averaged per step
STREAMS = ("spectrogram", "scalogram")


def _definitions() -> list[ModelSpec]:
    from course_utils.models.transfer import BACKBONES

    specs = [ModelSpec(key, f"{name} on handcrafted features", family, 7, HANDCRAFTED, name, name, trainer="pipeline")
             for key, name, family in (("majority class", "majority", "baseline"), ("logreg, handcrafted", "logreg", "baseline"),
                                       ("SVM, handcrafted", "svm_rbf", "classical"),
                                       ("XGBoost, handcrafted", "xgboost", "classical"))]
    specs += [ModelSpec(key, f"logistic regression on {model} embeddings", "pretrained embedding + linear", 5,
                        InputSpec("pooled embedding", {"model": model}), "logreg", "logreg", trainer="pipeline",
                        needs=model)
              for key, model in (("logreg, musicnn", "MSD_musicnn"), ("logreg, YAMNet", "yamnet"))]
    specs += [ModelSpec("CNN, log-mel", "CNN on log-mel 3 s segments", "CNN", 8, LOG_MEL, "cnn2d", "cnn2d"),
              ModelSpec("CNN, MFCC", "CNN on MFCC 3 s segments", "CNN", 8, MFCC, "cnn2d", "cnn2d",
                        options={"downsample": [1, 2]}),
              ModelSpec("CNN, log-mel, augmented", "CNN on log-mel 3 s segments, SpecAugment, shifts and mixup", "CNN",
                        8, LOG_MEL, "cnn2d", "cnn2d+specaugment+shift+mixup", training={"augment": {"mixup": 0.2}}),
              ModelSpec("1-D CNN, embeddings", "1-D CNN on embedding sequences", "CNN", 8, FRAMES, "cnn1d", "cnn1d")]
    for name, recurrent in (("LSTM", "lstm"), ("BiLSTM", "bilstm")):
        specs += [ModelSpec(f"{name}, MFCC", f"{name} on MFCC 3 s segments", "recurrent", 9, MFCC, recurrent,
                            recurrent, options=SEQUENCE),
                  ModelSpec(f"{name}, log-mel", f"{name} on log-mel 3 s segments", "recurrent", 9, LOG_MEL, recurrent,
                            recurrent, options=SEQUENCE),
                  ModelSpec(f"{name}, embeddings", f"{name} on embedding sequences", "recurrent", 9, FRAMES, recurrent,
                            recurrent)]
    specs += [ModelSpec(f"{backbone}, frozen", f"{backbone} (frozen) on log-mel pictures", "transfer learning", 10,
                        InputSpec("pictures", {"backbone": backbone}), "head", f"{backbone} (frozen) + head",
                        needs=backbone)
              for backbone in BACKBONES]
    specs += [ModelSpec(f"CNN, {view} stream", f"CNN on {view} 3 s segments (a stream of the late fusion)",
                        "multimodal", 11, InputSpec("streams", {"view": view}), "cnn2d", f"{view}_cnn",
                        options={"name": f"{view}_cnn"})
              for view in STREAMS]
    parts = tuple(f"CNN, {view} stream" for view in STREAMS)
    specs += [ModelSpec("fusion, average", "late fusion: average of a spectrogram and a scalogram CNN", "multimodal",
                        11, InputSpec("streams"), "", "average of the two CNNs", trainer="average", parts=parts),
              ModelSpec("fusion, joined", "late fusion: joined embeddings of the two CNNs", "multimodal", 11,
                        InputSpec("streams"), "", "joined embeddings of the two CNNs + head", trainer="joined",
                        parts=parts),
              ModelSpec("combined model", "combined model over MFCCs, embeddings and handcrafted features",
                        "multimodal", 11, InputSpec("combined"), "combined", "combined, all",
                        options={"branches": {"mfcc": ["cnn1d", {"time_axis": 1}], "embedding": ["lstm", {}],
                                              "handcrafted": ["mlp", {}]}})]
    return specs


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, ModelSpec]:
    specs = _definitions()
    keys = [spec.key for spec in specs]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"model keys must be unique, got {keys}")
    return {spec.key: spec for spec in specs}


def _defined(key: str) -> ModelSpec:
    specs = _catalogue()
    if key not in specs:
        raise ConfigError(f"unknown model {key!r}; the models of the course are: {', '.join(specs)}")
    return specs[key]


def _overrides_file():
    return data_home() / "zoo" / "overrides.json"


def overrides() -> dict[str, dict]:
    """The learner's changes: ``{model key: {"options": {...}, "training": {...}}}`` (empty: none)."""
    path = _overrides_file()
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ConfigError(f"{path} is not valid JSON ({err}); fix it or delete it with zoo.reset()") from err


def _write(changes: dict) -> None:
    with atomic_path(_overrides_file()) as tmp:
        tmp.write_text(json.dumps(changes, indent=1, sort_keys=True), encoding="utf-8")


def get(key: str) -> ModelSpec:
    """The definition of the model ``key`` (e.g. ``"CNN, log-mel"``), with the changes of :func:`override`."""
    spec = _defined(key)
    change = overrides().get(key)
    if change:
        spec = spec.replace(options={**spec.options, **change.get("options", {})},
                            training={**spec.training, **change.get("training", {})})
    return spec.replace(part_specs=tuple(get(part) for part in spec.parts)) if spec.parts else spec


def specs(*, chapter: int | None = None) -> list[ModelSpec]:
    """Every model of the course (or of one chapter), in the order of the chapters."""
    chosen = [get(key) for key in _catalogue()]
    return sorted((s for s in chosen if chapter in (None, s.chapter)), key=lambda s: s.chapter)


def override(key: str, **changes) -> ModelSpec:
    """Change hyper-parameters or training settings of model ``key`` for every chapter (kept in the data home).

    Parameters
    ----------
    key : str
    **changes
        Builder options (e.g. ``filters=[32, 64]``, ``dropout=0.5``) or training settings
        (``epochs``, ``batch_size``, ``patience``, ``augment``); values must be JSON (lists, not tuples).

    Returns
    -------
    ModelSpec
        The changed definition.
    """
    spec = _defined(key)
    if spec.trainer != "network":
        raise ConfigError(f"{key!r} is not one network; override the models it is made of, or a network")
    accepted = set(inspect.signature(builder(spec.builder)).parameters) - {"input_shape", "n_classes", "seed"}
    unknown = set(changes) - accepted - set(TRAINING)
    if unknown:
        raise ConfigError(f"{key!r} has no setting {sorted(unknown)}; its builder {spec.builder!r} takes "
                          f"{sorted(accepted)}, its training {sorted(TRAINING)}")
    try:
        json.dumps(changes)
    except TypeError as err:
        raise ConfigError(f"override values must be numbers, strings, lists or dicts: {err}") from err
    stored = overrides()
    entry = stored.setdefault(key, {"options": {}, "training": {}})
    for name, value in changes.items():
        entry["training" if name in TRAINING else "options"][name] = value
    _write(stored)
    return get(key)


def reset(key: str | None = None) -> None:
    """Undo :func:`override` for model ``key``, or for every model."""
    stored = overrides()
    if key is None:
        stored = {}
    else:
        _defined(key)
        stored.pop(key, None)
    _write(stored)
