"""The backbone table: six ImageNet networks of ``keras.applications``, each with its preprocessing, feature size,
parameters, depth, weights file and the layer where fine-tuning's top blocks begin.

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import pandas as pd
from keras import layers

from course_utils.errors import ConfigError
from course_utils.models.blocks import check_count

DEFAULT_BACKBONE = "MobileNet"
_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class Backbone:
    """One ImageNet network of ``keras.applications``, without its classifier top.

    Attributes
    ----------
    name : str
        The ``keras.applications`` constructor (``"MobileNet"``, ``"ResNet50"`` ...).
    module : str
        The ``keras.applications`` module whose ``preprocess_input`` the network expects.
    preprocessing : str
        What that function does to pixel values 0-255, in words.
    features : int
        Length of the pooled feature vector (channels of the last block).
    params : int
        Weights without the top.
    depth : int
        Layers with weights (convolutions) on the longest path from input to output.
    weights_file, weights_url : str
        The no-top ImageNet weights (224-pixel version) in the Keras cache, and where Keras downloads them.
    weights_hash : str or None
        Their MD5 or SHA-256 (as ``keras.utils.get_file`` checks it); ``None`` when Keras publishes none.
    frozen_until : str
        The last layer that fine-tuning keeps frozen; the blocks after it are the *top blocks*.
    options : dict
        Extra constructor arguments (MobileNet's width ``alpha``).
    default_size, min_size : int
        The input side ImageNet training used, and the smallest side the network accepts.
    """

    name: str
    module: str
    preprocessing: str
    features: int
    params: int
    depth: int
    weights_file: str
    weights_url: str
    weights_hash: str | None
    frozen_until: str
    options: dict = field(default_factory=dict)
    default_size: int = 224
    min_size: int = 32

    def preprocess(self, images: np.ndarray) -> np.ndarray:
        """Images with values in [0, 1], shape (n, height, width, 3), scaled as the network expects."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[-1] != 3:
            raise ConfigError(f"images must have shape (n, height, width, 3), got {images.shape}")
        return getattr(keras.applications, self.module).preprocess_input(255.0 * images)

    def check_size(self, size) -> int:
        """``size`` as an int, at least :attr:`min_size`."""
        return check_count("size", size, minimum=self.min_size)


_MOBILENET_WEIGHTS = "mobilenet_2_5_224_tf_no_top.h5"
_MOBILENET_V2_WEIGHTS = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
BACKBONES: dict[str, Backbone] = {b.name: b for b in (
    Backbone("MobileNet", "mobilenet", "scaled to [-1, 1]", features=256, params=218_544, depth=27,
             weights_file=_MOBILENET_WEIGHTS, weights_url=f"{_KERAS_WEIGHTS}mobilenet/{_MOBILENET_WEIGHTS}",
             weights_hash="dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf",
             frozen_until="conv_pw_11_relu", options={"alpha": 0.25}),
    Backbone("MobileNetV2", "mobilenet_v2", "scaled to [-1, 1]", features=1280, params=2_257_984, depth=52,
             weights_file=_MOBILENET_V2_WEIGHTS, weights_url=f"{_KERAS_WEIGHTS}mobilenet_v2/{_MOBILENET_V2_WEIGHTS}",
             weights_hash=None, frozen_until="block_15_add"),
    Backbone("ResNet50", "resnet50", "BGR, ImageNet channel means subtracted", features=2048, params=23_587_712,
             depth=49, weights_file="resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="4d473c1dd8becc155b73f8504c6f6626", frozen_until="conv4_block6_out"),
    Backbone("DenseNet121", "densenet", "scaled to [0, 1], standardised by ImageNet channel statistics",
             features=1024, params=7_037_504, depth=120,
             weights_file="densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="30ee3e1110167f948a6b9946edeeb738", frozen_until="pool4_pool"),
    Backbone("VGG16", "vgg16", "BGR, ImageNet channel means subtracted", features=512, params=14_714_688, depth=13,
             weights_file="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="6d6bbae143d832006294945121d1f1fc", frozen_until="block4_pool"),
    Backbone("EfficientNetB0", "efficientnet", "none: the network rescales 0-255 itself", features=1280,
             params=4_049_571, depth=81, weights_file="efficientnetb0_notop.h5",
             weights_url="https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
             weights_hash="50bc09e76180e00e4465e1a485ddc09d", frozen_until="block6d_add"),
)}


def get_backbone(name: str) -> Backbone:
    """The table entry of ``name``, or a :class:`ConfigError` listing the names."""
    try:
        return BACKBONES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"backbone must be one of {', '.join(BACKBONES)}; got {name!r}") from None


def backbone_table() -> pd.DataFrame:
    """The backbone table as a DataFrame, one row per backbone (nothing is built or downloaded).

    Columns: ``backbone, width`` (MobileNet's ``alpha``), ``ImageNet input``, ``smallest input``,
    ``preprocessing``, ``features, parameters, depth, weights file``.
    """
    return pd.DataFrame([{"backbone": b.name, "width": b.options.get("alpha", 1.0),
                          "ImageNet input": f"{b.default_size} x {b.default_size}",
                          "smallest input": f"{b.min_size} x {b.min_size}", "preprocessing": b.preprocessing,
                          "features": b.features, "parameters": b.params, "depth": b.depth,
                          "weights file": b.weights_file} for b in BACKBONES.values()])


WEIGHT_LAYERS = (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D, layers.Dense)


def weight_depth(model: keras.Model) -> int:
    """Layers with weights (convolutions, dense layers) on the longest path from the input to the output.

    The count behind names such as ResNet50 (49 convolutions and the classifier's dense layer). For a
    network whose layers each run once, as built by :func:`load_backbone`.
    """
    depth = {}  # tensor -> weight layers before it; the model's inputs (not in it yet) count 0
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        sources = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
        depth[id(layer.output)] = max(depth.get(id(t), 0) for t in sources) + isinstance(layer, WEIGHT_LAYERS)
    return depth[id(model.output)]
