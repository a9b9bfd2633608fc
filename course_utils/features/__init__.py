"""Audio features: time-frequency representations, the handcrafted feature table, model inputs.

- :mod:`~course_utils.features.spectral`: STFT, mel, log-mel, MFCC, chroma, CQT, spectrogram images.
- :mod:`~course_utils.features.clip`: the 57 handcrafted features of one clip (Kaggle layout).
- :mod:`~course_utils.features.table`: those features for a whole data set, per track or segment.
- :mod:`~course_utils.features.segments`: log-mel or MFCC matrices per segment for neural models.
- :mod:`~course_utils.features.hpss`: fast harmonic-percussive separation.

Used in: book/02_spectrograms.ipynb, book/04_mfcc_and_features.ipynb and the model chapters.
"""

from course_utils.features.checks import SignalError, check_signal, check_sr
from course_utils.features.clip import clip_features, feature_columns
from course_utils.features.hpss import harmonic_percussive, median_filter
from course_utils.features.segments import segment_spectrograms
from course_utils.features.spectral import (PAD_MODE, chroma, cqt, log_mel, melspectrogram, mfcc,
                                            spectrogram_image, stft)
from course_utils.features.table import compare_tables, feature_table, published_table

__all__ = [
    "PAD_MODE", "SignalError", "check_signal", "check_sr", "chroma", "clip_features", "compare_tables", "cqt",
    "feature_columns", "feature_table", "harmonic_percussive", "log_mel", "median_filter", "melspectrogram",
    "mfcc", "published_table", "segment_spectrograms", "spectrogram_image", "stft",
]
