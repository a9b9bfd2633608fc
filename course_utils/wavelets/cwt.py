"""Continuous wavelet transform: scalograms of a clip, as dB images, and of every segment of a data set.

Used in: book/03_wavelets.ipynb, book/11_multimodal.ipynb.
"""

from __future__ import annotations

import librosa
import numpy as np
import pywt
import scipy.fft

from course_utils.audio import DEFAULT_SR, load_audio
from course_utils.errors import ConfigError
from course_utils.features.checks import check_positive, check_signal, check_sr
from course_utils.features.segments import segment_arrays
from course_utils.features.spectral import TOP_DB, spectrogram_image
from course_utils.features.table import clip_pieces

MORLET = "cmor1.5-1.0"
FMIN = 40.0
CWT_VERSION = 2   # 2: a clip shorter than a segment gives one looped segment


def scalogram_frequencies(*, sr: int, n_freqs: int = 64, fmin: float = FMIN, fmax: float | None = None) -> np.ndarray:
    """``n_freqs`` geometrically spaced analysis frequencies in Hz, ``fmin`` to ``fmax`` (default ``0.4 * sr``)."""
    sr = check_sr(sr)
    check_positive("n_freqs", n_freqs)
    fmax = 0.4 * sr if fmax is None else fmax
    if not 0 < fmin < fmax <= sr / 2:
        raise ConfigError(f"need 0 < fmin < fmax <= sr / 2 = {sr / 2:g} Hz, got fmin={fmin!r}, fmax={fmax!r}")
    return np.geomspace(fmin, fmax, n_freqs)


def _pool(magnitude: np.ndarray, hop_length: int, n_frames: int) -> np.ndarray:
    """Mean over ``hop_length`` samples around each frame centre ``t * hop_length`` (as centred STFT frames)."""
    total = n_frames * hop_length
    half = hop_length // 2
    padded = np.pad(magnitude, ((0, 0), (half, max(0, total - magnitude.shape[-1] - half))), mode="edge")
    return padded[:, :total].reshape(len(magnitude), n_frames, hop_length).mean(axis=-1)


def _morlet_frames(y: np.ndarray, *, sr: int, freqs: np.ndarray, bandwidth: float, center: float,
                   hop_length: int) -> np.ndarray:
    """Framed |CWT| with a complex Morlet wavelet, computed in the frequency domain.

    At the scale whose centre frequency is ``fc`` the wavelet's spectrum is the Gaussian
    ``exp(-pi^2 B C^2 (f / fc - 1)^2)``; doubled for positive frequencies (an analytic filter), a
    sine of amplitude ``A`` at ``fc`` gives ``|W| = A``. Each band is inverted at the lowest rate
    (a power-of-two fraction of ``sr``) that still holds it, which gives the same values at a
    fraction of the cost (to within a few per cent on white noise, the worst case).
    Returns shape (n_freqs, 1 + n // hop_length).
    """
    n = len(y)
    n_frames = 1 + n // hop_length
    block = max(1, (hop_length & -hop_length) // 32)  # a power of two dividing hop_length: >= 32 samples a frame
    reach = np.sqrt(np.log(1e6) / (np.pi ** 2 * bandwidth * center ** 2))  # gain < 1e-6 beyond fc * (1 + reach)
    widest = center * sr / freqs.min()  # scale of the lowest frequency, in samples
    size = block * scipy.fft.next_fast_len(-(-(n + int(np.ceil(4 * widest * np.sqrt(bandwidth)))) // block))
    spectrum = scipy.fft.rfft(y.astype(np.float32), size)
    f = np.fft.rfftfreq(size, d=1 / sr)
    out = np.empty((len(freqs), n_frames), dtype=np.float32)
    for i, fc in enumerate(freqs):
        d = block
        while d > 1 and sr / (2 * d) < fc * (1 + reach):
            d //= 2
        keep = size // (2 * d)
        band = np.zeros(size // d, dtype=np.complex64)
        band[:keep] = spectrum[:keep] * (2 * np.exp(-np.pi ** 2 * bandwidth * center ** 2 * (f[:keep] / fc - 1) ** 2))
        magnitude = np.abs(scipy.fft.ifft(band)[:-(-n // d)]) / d
        out[i] = _pool(magnitude[None, :], hop_length // d, n_frames)[0]
    return out


def _pywt_magnitude(y: np.ndarray, *, sr: int, freqs: np.ndarray, mother: pywt.ContinuousWavelet) -> np.ndarray:
    """|CWT| through ``pywt.cwt``, on the scale of :func:`_morlet_frames`; shape (n_freqs, n).

    ``pywt.cwt`` multiplies by ``sqrt(scale)``; dividing by it and by the peak of the wavelet's
    spectrum (half of it for a complex wavelet, which sees only the positive-frequency half of a
    sine) makes a sine of amplitude A give a peak ``|W|`` of about A.
    """
    scales = pywt.frequency2scale(mother, freqs / sr)
    coefficients, _ = pywt.cwt(y, scales, mother, sampling_period=1 / sr, method="fft")
    psi, x = mother.wavefun(level=10)
    peak = np.abs(np.fft.fft(psi)).max() * (x[1] - x[0])
    gain = (2.0 if mother.complex_cwt else 1.0) / peak
    return gain * np.abs(coefficients) / np.sqrt(scales)[:, None]


def scalogram(y: np.ndarray, *, sr: int = DEFAULT_SR, wavelet: str = MORLET, n_freqs: int = 64,
              fmin: float = FMIN, fmax: float | None = None,
              hop_length: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude of the continuous wavelet transform, averaged into frames like a spectrogram.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    wavelet : str
        A PyWavelets continuous wavelet: ``"cmorB-C"`` (complex Morlet, bandwidth B, centre C;
        computed fast in the frequency domain), or e.g. ``"mexh"``, ``"morl"``, ``"gaus1"``
        (through ``pywt.cwt``, slower: keep excerpts short).
    n_freqs, fmin, fmax
        Analysis frequencies, see :func:`scalogram_frequencies`.
    hop_length : int
        Samples per output frame; frame ``t`` averages the samples around ``t * hop_length``.

    Returns
    -------
    S : np.ndarray, float32, shape (n_freqs, 1 + n // hop_length)
        ``|W|``, scaled so that a sine of amplitude A at an analysis frequency gives about A
        (with a real wavelet such as ``"mexh"``, ``|W|`` oscillates between 0 and A, averaging
        about 0.64 A).
    freqs : np.ndarray, shape (n_freqs,)
        Analysis frequencies in Hz, low to high.
    """
    sr = check_sr(sr)
    check_positive("hop_length", hop_length)
    y = check_signal(y, min_samples=hop_length)
    freqs = scalogram_frequencies(sr=sr, n_freqs=n_freqs, fmin=fmin, fmax=fmax)
    try:
        mother = pywt.ContinuousWavelet(wavelet)
    except ValueError as err:
        raise ConfigError(f"wavelet={wavelet!r} is not a PyWavelets continuous wavelet; "
                          f"try one of {pywt.wavelist(kind='continuous')}") from err
    if mother.short_family_name == "cmor":
        S = _morlet_frames(y, sr=sr, freqs=freqs, bandwidth=mother.bandwidth_frequency,
                           center=mother.center_frequency, hop_length=hop_length)
    else:
        S = _pool(_pywt_magnitude(y, sr=sr, freqs=freqs, mother=mother), hop_length, 1 + len(y) // hop_length)
    return S.astype(np.float32), freqs


def scalogram_db(y: np.ndarray, *, sr: int = DEFAULT_SR, top_db: float | None = TOP_DB,
                 **options) -> tuple[np.ndarray, np.ndarray]:
    """:func:`scalogram` in dB relative to amplitude 1 (values below ``top_db`` under the peak clipped).

    Returns ``(S_db, freqs)`` with the shapes of :func:`scalogram`.
    """
    S, freqs = scalogram(y, sr=sr, **options)
    return librosa.amplitude_to_db(S, ref=1.0, top_db=top_db), freqs


def scalogram_image(y: np.ndarray, *, sr: int = DEFAULT_SR, size: int | tuple[int, int] = 256,
                    cmap: str | None = None, **options) -> np.ndarray:
    """The scalogram (in dB) as an image model input; see :func:`course_utils.features.spectrogram_image`.

    Returns
    -------
    np.ndarray, float32, shape (height, width, 3), values in [0, 1]
    """
    return spectrogram_image(scalogram_db(y, sr=sr, **options)[0], size=size, cmap=cmap)


def _file_scalograms(path: str, *, sr: int, segment_seconds: float, hop_seconds: float | None, wavelet: str,
                     n_freqs: int, fmin: float, fmax: float | None, hop_length: int) -> dict[str, np.ndarray]:
    y = load_audio(path, sr=sr)
    pieces = clip_pieces(y, sr=sr, segment_seconds=segment_seconds, hop_seconds=hop_seconds)
    return {"value": np.stack([scalogram_db(piece, sr=sr, wavelet=wavelet, n_freqs=n_freqs, fmin=fmin, fmax=fmax,
                                            hop_length=hop_length)[0] for piece in pieces])}


def segment_scalograms(dataset, *, segment_seconds: float = 3.0, hop_seconds: float | None = None,
                       sr: int = DEFAULT_SR, wavelet: str = MORLET, n_freqs: int = 64, fmin: float = FMIN,
                       fmax: float | None = None, hop_length: int = 512, n_jobs: int | None = None,
                       cache: bool = True) -> tuple[np.ndarray, pd.DataFrame]:
    """Scalograms (dB) of every whole segment of every track, cached; the wavelet twin of
    :func:`course_utils.features.segment_spectrograms` (a clip shorter than a segment gives one, looped).

    Returns
    -------
    X : np.ndarray, float32, shape (n_segments, n_freqs, 1 + segment samples // hop_length)
    table : pd.DataFrame
        ``track_id, label, segment, start, end``; row ``i`` describes ``X[i]``.
    """
    scalogram_frequencies(sr=sr, n_freqs=n_freqs, fmin=fmin, fmax=fmax)  # validate early
    params = dict(sr=check_sr(sr), wavelet=wavelet, n_freqs=n_freqs, fmin=fmin, fmax=fmax,
                  hop_length=check_positive("hop_length", hop_length))
    return segment_arrays(dataset, _file_scalograms, name=f"segment_scalograms-v{CWT_VERSION}",
                          params=params, segment_seconds=segment_seconds, hop_seconds=hop_seconds,
                          n_jobs=n_jobs, cache=cache, desc="scalogram segments")
