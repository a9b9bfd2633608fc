"""Transfer learning from ImageNet: a table of ``keras.applications`` backbones, their weights, frozen
features and fine-tuning of their top blocks.

A *backbone* is an image network trained on ImageNet's photographs, without its classifier. Its
last layers describe a picture by a few hundred or thousand numbers; on spectrogram images those
numbers are features for a small *head* (frozen regime), or a starting point whose top blocks
keep training on genres (fine-tuning).

Weights come from the Keras cache, ``$KERAS_HOME/models`` (default ``~/.keras/models``), where
``keras.applications`` keeps them: online a missing file is downloaded once, offline
(``$COURSE_OFFLINE=1``) it is reported missing with the file name and what to do.
:func:`available_backbones` makes that decision once per chapter; a backbone whose weights cannot
be had is skipped, never built from random weights under its pretrained name (random weights
are asked for explicitly, ``weights=None``, and named so).

- :mod:`~course_utils.models.transfer.table`: the backbones, their preprocessing, sizes and depth.
- :mod:`~course_utils.models.transfer.weights`: weights from the Keras cache, availability, building.
- :mod:`~course_utils.models.transfer.features`: one picture per track; frozen features of any pictures, cached.
- :mod:`~course_utils.models.transfer.pictures`: a backbone's features of a data set's pictures, one pass,
  cached by what made the pictures (shared by the chapter, the zoo and chapter 12).
- :mod:`~course_utils.models.transfer.fine_tune`: the head, and the top blocks fine-tuned under it.
- :mod:`~course_utils.models.transfer.music`: the same regimes with musicnn, a music network whose weights
  ship with the install (runs offline), and its architecture trained from scratch.

Used in: book/10_transfer_learning.ipynb.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter stays out of the pages

from course_utils.models.transfer.features import OUTPUTS, BackboneFeatures, backbone_features, track_images
from course_utils.models.transfer.fine_tune import fine_tune_model, head, trainable_share
from course_utils.models.transfer.music import (MUSICNN, musicnn_backend, musicnn_scratch, musicnn_top,
                                               pooled_features)
from course_utils.models.transfer.pictures import PICTURE_KINDS, cache_backbone, picture_features, track_segments
from course_utils.models.transfer.table import (BACKBONES, DEFAULT_BACKBONE, WEIGHT_LAYERS, Backbone, backbone_table,
                                                get_backbone, weight_depth)
from course_utils.models.transfer.weights import (KERAS_HOME_ENV, BackboneAvailability, available_backbones,
                                                  fetch_weights, keras_home, load_backbone, weights_path)

__all__ = [
    "BACKBONES", "DEFAULT_BACKBONE", "KERAS_HOME_ENV", "OUTPUTS", "WEIGHT_LAYERS", "Backbone", "BackboneAvailability",
    "BackboneFeatures", "PICTURE_KINDS", "available_backbones", "backbone_features", "backbone_table",
    "cache_backbone", "fetch_weights", "picture_features", "track_segments",
    "fine_tune_model", "get_backbone", "head", "keras_home", "load_backbone", "MUSICNN", "musicnn_backend",
    "musicnn_scratch", "musicnn_top", "pooled_features", "track_images", "trainable_share", "weight_depth",
    "weights_path",
]
