"""Training and evaluating neural networks: one ``fit`` for every Keras model, track-level predictions,
data augmentation, and the one-call protocol that writes to the results registry.

- :mod:`~course_utils.train.inputs`: parts of a track split, embedding windows, ``tf.data`` pipelines.
- :mod:`~course_utils.train.augment`: SpecAugment masks, time shifts and mixup on training batches.
- :mod:`~course_utils.train.audio_variants`: pitch-shifted and time-stretched copies, computed once.
- :mod:`~course_utils.train.stream`: inputs kept in ``.npy`` files and read batch by batch.
- :mod:`~course_utils.train.fit`: :func:`fit`, seeded, early stopping, one line per model.
- :mod:`~course_utils.train.predict`: :func:`predict_tracks`, segment predictions to track predictions.
- :mod:`~course_utils.train.run`: :func:`evaluate_and_record`, fit + predict + score + registry.
- :mod:`~course_utils.train.multimodal`: the aligned inputs of the multimodal models of chapter 11.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb and the chapters after them.
"""

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter stays out of the pages
# Keras traces a new predict function for every model; after five models TensorFlow warns about
# "retracing", which is expected here and would only clutter the chapters.
logging.getLogger("tensorflow").addFilter(lambda record: "triggered tf.function retracing" not in record.getMessage())

from course_utils.train.audio_variants import audio_variants, augmented_segments
from course_utils.train.augment import Augmentation, mask, mixup, time_shift
from course_utils.train.fit import FitResult, adapt_normalization, fit
from course_utils.train.inputs import (Part, as_dataset, frame_windows, one_hot, split_parts, split_parts_on_disk,
                                      split_parts_sized)
from course_utils.train.multimodal import CombinedInputs, combined_inputs, stream_inputs
from course_utils.train.patches import musicnn_patches, musicnn_pooled
from course_utils.train.predict import Predictions, predict_tracks
from course_utils.train.run import Run, evaluate_and_record
from course_utils.train.stream import parts_on_disk

__all__ = [
    "Augmentation", "CombinedInputs", "FitResult", "Part", "Predictions", "Run", "adapt_normalization", "as_dataset",
    "audio_variants", "augmented_segments", "combined_inputs", "evaluate_and_record", "fit", "frame_windows", "mask",
    "mixup", "musicnn_patches", "musicnn_pooled", "one_hot", "parts_on_disk", "predict_tracks", "split_parts",
    "split_parts_on_disk", "split_parts_sized", "stream_inputs",
    "time_shift",
]
