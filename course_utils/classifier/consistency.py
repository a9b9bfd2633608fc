"""A loaded classifier's parts must agree: genres with the estimator's classes, vector widths, feature names.

An edited manifest (a genre list cut or reversed, another input) would otherwise load and label
every prediction wrongly without a word.

Used in: :mod:`course_utils.classifier.storage` (loading a saved classifier).
"""

from __future__ import annotations

import numpy as np

from course_utils.errors import ConfigError

YAMNET_WIDTH = 1024   # values per YAMNet frame embedding


def feature_names(model_input) -> list[str] | None:
    """The names of the vector's values, for a handcrafted-feature input (``None`` for embeddings)."""
    if getattr(model_input, "kind", None) != "features":
        return None
    from course_utils.features import feature_columns

    return list(feature_columns(model_input.n_mfcc))


def _network_width(network: bytes) -> int:
    """Values per frame of a musicnn LiteRT network, after checking that it takes (batch, 187, 96) patches."""
    from ai_edge_litert.interpreter import Interpreter

    from course_utils.embeddings import musicnn

    try:
        runner = Interpreter(model_content=network).get_signature_runner()
        [shape_in] = [d["shape"] for d in runner.get_input_details().values()]
        shape_out = runner.get_output_details()["embeddings"]["shape"]
    except Exception as err:   # the LiteRT runtime raises several kinds on a broken flat buffer
        raise ConfigError(f"its network does not load in LiteRT ({type(err).__name__}: {err})") from None
    if list(shape_in[1:]) != [musicnn.PATCH_STEPS, musicnn.N_MELS] or len(shape_out) != 2:
        raise ConfigError(f"its network takes {list(shape_in)} and gives {list(shape_out)}; expected "
                          f"(batch, {musicnn.PATCH_STEPS}, {musicnn.N_MELS}) patches to (batch, d) embeddings")
    return int(shape_out[1])


def input_width(model_input) -> int | None:
    """Values in the input's vector, from its definition (``None`` for an input kind this check does not know)."""
    names = feature_names(model_input)
    if names is not None:
        return len(names)
    if getattr(model_input, "kind", None) != "embedding":
        return None
    from course_utils.embeddings import pool

    per_frame = YAMNET_WIDTH if model_input.model == "yamnet" else _network_width(model_input.network)
    return len(pool(np.zeros((2, per_frame)), pooling=model_input.pooling))


def check_consistency(*, kind, estimator, labels: list[str], width: int, model_input,
                      names: list[str] | None) -> None:
    """Raise :class:`ConfigError` saying what disagrees between a manifest and the parts it describes.

    Parameters
    ----------
    kind : EstimatorKind
    estimator
        The loaded estimator.
    labels : list of str
        The manifest's genres (probability columns, in order).
    width : int
        The manifest's vector width.
    model_input
        The rebuilt input.
    names : list of str or None
        The manifest's feature names (must be the ones this code computes for the input).
    """
    fit = kind.fit_shape(estimator)
    if fit["classes"] is not None and fit["classes"] != list(labels):
        raise ConfigError(f"its genre list {list(labels)} is not the estimator's classes {fit['classes']} "
                          "(in that order): its predictions would be labelled wrongly")
    if fit["n_outputs"] != len(labels):
        raise ConfigError(f"its estimator gives {fit['n_outputs']} probabilities but it names {len(labels)} genres")
    if fit["n_features"] != width:
        raise ConfigError(f"its estimator takes vectors of {fit['n_features']} values; the manifest says {width}")
    expected = input_width(model_input)
    if expected is not None and expected != width:
        raise ConfigError(f"its input ({model_input.describe()}) gives vectors of {expected} values; "
                          f"the estimator takes {width}")
    if names != feature_names(model_input):
        raise ConfigError("its feature names differ from the features this version of course_utils computes")
