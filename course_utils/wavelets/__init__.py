"""Wavelet views of audio: CWT scalograms (images for models, too) and DWT sub-band features.

A continuous wavelet transform (CWT) correlates the signal with shifted and stretched copies of one
short wave, the *wavelet*. Stretched copies measure low frequencies over long stretches of time,
squeezed copies high frequencies over short ones: the time-frequency grid of a scalogram is not
uniform as in a spectrogram (constant Q instead of constant bandwidth). The discrete wavelet
transform (DWT) splits a signal into octave bands with a cascade of filters; statistics of each band
are compact genre features (Li, Ogihara and Li 2003). Wavelets come from PyWavelets (Lee et al. 2019).

Used in: book/03_wavelets.ipynb, book/11_multimodal.ipynb.
"""

from course_utils.wavelets.cwt import (FMIN, MORLET, scalogram, scalogram_db, scalogram_frequencies,
                                       scalogram_image, segment_scalograms)
from course_utils.wavelets.dwt import dwt_bands, dwt_columns, dwt_features, dwt_table

__all__ = ["FMIN", "MORLET", "dwt_bands", "dwt_columns", "dwt_features", "dwt_table", "scalogram",
           "scalogram_db", "scalogram_frequencies", "scalogram_image", "segment_scalograms"]
