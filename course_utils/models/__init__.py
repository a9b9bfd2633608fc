"""Model builders: classical pipelines and neural networks. Builders only build; they never load data or train.

- :mod:`~course_utils.models.classical`: scikit-learn pipelines, grids and one honest fit-and-score.
- :mod:`~course_utils.models.cnn`: :func:`cnn2d` (spectrogram segments), :func:`cnn1d` (embedding sequences).
- :mod:`~course_utils.models.recurrent`: :func:`lstm` and :func:`bilstm` (sequences of frames).
- :mod:`~course_utils.models.inspect`: receptive fields, layer outputs, saliency maps, states over time.
- :mod:`~course_utils.models.transfer`: the ImageNet backbone table, their weights, frozen features, fine-tuning.
- :mod:`~course_utils.models.fusion`: :func:`mlp` (feature vectors), late fusion, the combined multi-input model.

The neural builders are imported on first use, so a chapter that only needs ``classical`` does not
pay for importing TensorFlow. Train them with :func:`course_utils.train.fit`.

Used in: book/07_classical_ml.ipynb onwards.
"""

import importlib

NEURAL = {"cnn2d": "cnn", "cnn1d": "cnn", "lstm": "recurrent", "bilstm": "recurrent", "mlp": "fusion"}

__all__ = ["NEURAL", *NEURAL]


def __getattr__(name: str):
    if name in NEURAL:
        return getattr(importlib.import_module(f"course_utils.models.{NEURAL[name]}"), name)
    raise AttributeError(f"module 'course_utils.models' has no attribute {name!r}")
