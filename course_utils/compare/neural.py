"""Recipes of the neural models: CNNs and recurrent networks (chapters 8-9), ImageNet backbones (chapter 10).

Each builds its inputs and model with the same calls and names as its chapter, so that a row the
chapter wrote is found and reused.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

from typing import Callable

from course_utils.compare.protocol import Protocol
from course_utils.compare.recipes import Recipe
from course_utils.config import set_seed

N_MELS, HOP_LENGTH, SEGMENT_SECONDS, LSTM_POOL = 128, 512, 3.0, 4
FEATURES = {"log_mel": "log-mel 3 s", "mfcc": "MFCC 3 s"}


def _fit(protocol: Protocol, model, X, table, *, features: str, name: str | None = None) -> None:
    from course_utils import train

    parts = train.split_parts(X, table, protocol.split, classes=protocol.labels)
    train.evaluate_and_record(model, parts, features=features, classes=protocol.labels, name=name, verbose=False,
                              **protocol.record_options)


def _segments(protocol: Protocol, kind: str):
    from course_utils.features import segment_spectrograms

    return segment_spectrograms(protocol.dataset, kind=kind, segment_seconds=SEGMENT_SECONDS, n_mels=N_MELS,
                                hop_length=HOP_LENGTH)


def _on_segments(builder: str, kind: str) -> Callable[[Protocol], None]:
    """Chapter 8's CNNs (``cnn2d``) and chapter 9's recurrent networks on 3-s log-mel or MFCC segments."""
    def train(protocol: Protocol) -> None:
        from course_utils import models

        X, table = _segments(protocol, kind)
        set_seed(protocol.seed, tensorflow=True)
        n = len(protocol.labels)
        if builder == "cnn2d":
            model = models.cnn2d(X.shape[1:], n, seed=protocol.seed, **({"downsample": (1, 2)} if kind == "mfcc" else {}))
        else:
            model = getattr(models, builder)(X.shape[1:], n, time_axis=1, pool=LSTM_POOL, seed=protocol.seed)
        _fit(protocol, model, X, table, features=FEATURES[kind])
    return train


def embedding_model(protocol: Protocol) -> str:
    """The embedding model chapters 8 and 9 use: YAMNet when this run can load it, else musicnn."""
    from course_utils.embeddings import available_models

    return available_models(["yamnet", "MSD_musicnn"]).preferred


def _window_seconds(protocol: Protocol) -> float:
    return min(15.0, float(protocol.dataset.tracks["duration"].min()))


def _embedding_names(protocol: Protocol) -> tuple[str, str]:
    return "cnn1d", f"{embedding_model(protocol)} frames {_window_seconds(protocol):g} s"


def _cnn1d_on_embeddings(protocol: Protocol) -> None:
    from course_utils import embeddings, models, train

    model_name, features = _embedding_names(protocol)
    frames = embeddings.dataset_frames(protocol.dataset, model=embedding_model(protocol))
    X, table = train.frame_windows(frames, protocol.dataset, window_seconds=_window_seconds(protocol),
                                   hop_seconds=SEGMENT_SECONDS)
    set_seed(protocol.seed, tensorflow=True)
    _fit(protocol, models.cnn1d(X.shape[1:], len(protocol.labels), seed=protocol.seed), X, table, features=features)


def _picture_features(protocol: Protocol) -> str:
    return f"log-mel pictures {protocol.profile.image_size} px"


def _backbone_missing(backbone: str) -> Callable[[Protocol], str | None]:
    def unavailable(protocol: Protocol) -> str | None:
        from course_utils.models import transfer

        return transfer.available_backbones([backbone]).missing.get(backbone)
    return unavailable


def _frozen_backbone(backbone: str) -> Callable[[Protocol], None]:
    """Chapter 10: a frozen ImageNet backbone on one log-mel picture per track, and a small head."""
    def train(protocol: Protocol) -> None:
        from course_utils.features import segment_spectrograms
        from course_utils.models import transfer

        X_mel, segments = segment_spectrograms(protocol.dataset, kind="log_mel", segment_seconds=SEGMENT_SECONDS)
        images, tracks = transfer.track_images(X_mel, segments, size=protocol.profile.image_size)
        frozen = transfer.backbone_features(images, backbone=backbone)
        set_seed(protocol.seed, tensorflow=True)
        _fit(protocol, transfer.head(frozen.X.shape[1], len(protocol.labels)), frozen.X, tracks,
             features=_picture_features(protocol), name=f"{backbone} (frozen) + head")
    return train


def neural_recipes() -> list[Recipe]:
    """CNNs on log-mel and MFCC segments, a 1-D CNN on embedding sequences, LSTM and BiLSTM on MFCC
    segments, and frozen ImageNet backbones (MobileNet, the default, and ResNet50) on log-mel pictures."""
    from course_utils.models.transfer import DEFAULT_BACKBONE

    recipes = [Recipe(f"CNN on {FEATURES[kind]} segments", "CNN", 8, lambda p, k=kind: ("cnn2d", FEATURES[k]),
                      _on_segments("cnn2d", kind), label=label)
               for kind, label in (("log_mel", "CNN, log-mel"), ("mfcc", "CNN, MFCC"))]
    recipes.append(Recipe("1-D CNN on embedding sequences", "CNN", 8, _embedding_names, _cnn1d_on_embeddings,
                          label="1-D CNN, embeddings"))
    recipes += [Recipe(f"{name} on MFCC 3 s segments", "recurrent", 9, lambda p, b=builder: (b, FEATURES["mfcc"]),
                       _on_segments(builder, "mfcc"), label=f"{name}, MFCC")
                for builder, name in (("lstm", "LSTM"), ("bilstm", "BiLSTM"))]
    recipes += [Recipe(f"{backbone} (frozen) on log-mel pictures", "transfer learning", 10,
                       lambda p, b=backbone: (f"{b} (frozen) + head", _picture_features(p)),
                       _frozen_backbone(backbone), _backbone_missing(backbone), label=f"{backbone}, frozen")
                for backbone in dict.fromkeys((DEFAULT_BACKBONE, "ResNet50"))]
    return recipes
