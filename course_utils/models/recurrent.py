"""Recurrent networks: LSTM and bidirectional LSTM over sequences of frames.

An LSTM reads a sequence one step at a time and keeps a hidden state, a vector that summarises
what it has read so far; the classifier reads the state after the last step. The bidirectional
version runs a second LSTM from the end to the start and joins both final states.

Used in: book/09_recurrent.ipynb.
"""

from __future__ import annotations

from typing import Sequence

from keras import layers

from course_utils.config import DEFAULT_SEED
from course_utils.models.blocks import LayerSeeds, batch_norm, check_sizes, classifier, sequence_input


def lstm(input_shape: Sequence[int], n_classes: int, *, units: int | Sequence[int] = 64, pool: int = 1,
         input_dropout: float = 0.1, dropout: float = 0.3, time_axis: int = 0, bidirectional: bool = False,
         learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED, name: str | None = None):
    """An LSTM classifier of sequences: MFCC or log-mel frames, or embedding frames.

    Layers, in order: ``normalize`` (each feature standardised with training statistics, see
    :func:`course_utils.train.fit`); ``to_time_first`` when ``time_axis=1``; ``pool`` (average of
    every ``pool`` successive steps, fewer steps to walk through); ``input_dropout``; one LSTM per
    entry of ``units`` (``lstm1``, ``lstm2`` ...; each but the last passes its whole sequence of
    states on), wrapped in ``Bidirectional`` when asked; ``bn`` (batch normalisation of the final
    state), ``dropout`` and the softmax layer ``probabilities``.

    Parameters
    ----------
    input_shape : (steps, features), or (features, steps) with ``time_axis=1``
        E.g. (10, 200) for ten musicnn patches; (20, 130) for a 3-s MFCC segment with ``time_axis=1``.
    n_classes : int
    units : int or sequence of int
        Size of the hidden state of each stacked LSTM.
    pool : int
        Average this many successive steps first (1: keep every step). 2 halves the training time
        on 130-frame spectrogram segments.
    time_axis : {0, 1}
        Which axis of ``input_shape`` is time.
    bidirectional : bool
        Read the sequence in both directions (twice the weights and the time).
    name : str, optional
        Defaults to ``"lstm"`` or ``"bilstm"``.

    Returns
    -------
    keras.Model
        Compiled; input (batch, *input_shape), output (batch, n_classes).
    """
    units = check_sizes("units", units)
    seeds = LayerSeeds(seed)
    inputs, x = sequence_input(input_shape, time_axis=time_axis, pool=pool, dropout=input_dropout, seeds=seeds)
    for k, size in enumerate(units, start=1):
        def reader(name: str, backwards: bool = False):
            return layers.LSTM(size, return_sequences=k < len(units), go_backwards=backwards, name=name,
                               kernel_initializer=seeds.kernel(), recurrent_initializer=seeds.recurrent(),
                               seed=seeds.next())
        if bidirectional:  # each direction its own seeds (a copied layer would start with the same weights)
            x = layers.Bidirectional(reader(f"lstm{k}"), backward_layer=reader(f"lstm{k}_backward", True),
                                     name=f"bilstm{k}")(x)
        else:
            x = reader(f"lstm{k}")(x)
    return classifier(inputs, batch_norm("bn")(x), n_classes, dropout=dropout,
                      name=name or ("bilstm" if bidirectional else "lstm"), learning_rate=learning_rate, seeds=seeds)


def bilstm(input_shape: Sequence[int], n_classes: int, **options):
    """:func:`lstm` with ``bidirectional=True``: one LSTM reads forward, one backward, both final states
    feed the classifier. Same options as :func:`lstm`."""
    return lstm(input_shape, n_classes, bidirectional=True, **options)
