"""Pretrained audio embeddings: YAMNet (AudioSet classes) and musicnn (music tags), per frame and per track.

- :mod:`~course_utils.embeddings.yamnet`: YAMNet from a TF Hub address, a SavedModel or a ``.tflite`` file.
- :mod:`~course_utils.embeddings.musicnn`: the musicnn models rebuilt in Keras with the wheel's weights.
- :mod:`~course_utils.embeddings.pooling`: frames to one vector per track or per segment.
- :mod:`~course_utils.embeddings.dataset`: cached embeddings of a whole data set.
- :mod:`~course_utils.embeddings.maps`: a t-SNE map of tracks on a sample of bounded size.
- :mod:`~course_utils.embeddings.availability`: which models this run can load (YAMNet may be out of reach).

TensorFlow is imported only when a model is loaded.

Used in: book/05_pretrained_embeddings.ipynb and the chapters that train on embeddings.
"""

import os

# TensorFlow's C++ start-up messages would land in every rendered page; warnings and errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from course_utils.embeddings.availability import ModelAvailability, available_models
from course_utils.embeddings.common import FrameEmbeddings, WeightsError
from course_utils.embeddings.dataset import MODELS, dataset_frames, embed_dataset, frame_embeddings, musicnn_outputs
from course_utils.embeddings.maps import tsne_map
from course_utils.embeddings.musicnn import load_musicnn, musicnn_embeddings, musicnn_tags
from course_utils.embeddings.pooling import pool, track_embedding
from course_utils.embeddings.yamnet import load_yamnet, yamnet_class_names, yamnet_embeddings, yamnet_handle

__all__ = [
    "MODELS", "FrameEmbeddings", "ModelAvailability", "WeightsError", "available_models", "dataset_frames",
    "embed_dataset", "frame_embeddings", "load_musicnn", "load_yamnet", "musicnn_embeddings", "musicnn_outputs", "musicnn_tags", "pool", "track_embedding",
    "tsne_map", "yamnet_class_names", "yamnet_embeddings", "yamnet_handle",
]
