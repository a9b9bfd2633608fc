"""Checks for the exercises of chapter 2 (spectrograms).

Used in: solutions/02_spectrograms_exercises.ipynb
"""

from __future__ import annotations

import librosa
import numpy as np

from course_utils.audio import DEFAULT_SR
from course_utils.checks import check, reject
from course_utils.features import segment_spectrograms, spectrogram_image
from course_utils.models import classical

TONES = (440.0, 460.0)  # two tones 20 Hz apart
VALLEY_DB = 6.0  # a valley this deep between two peaks makes them two


def _count(value, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        reject(f"{what} should return one whole number of frames, got {value!r}")
    if not float(value).is_integer():
        reject(f"{what} returned {value!r}: a number of frames is a whole number (use // for the division)")
    return int(value)


@check("2.1")
def check_frames_for(frames_for) -> str:
    """``frames_for(n_samples, n_fft=, hop_length=, center=)`` is the number of STFT frames librosa gives."""
    cases = [(22050, 2048, 512, True), (22050, 2048, 512, False), (2048, 2048, 512, True), (2048, 2048, 512, False),
             (10240, 2048, 1024, True), (10241, 2048, 1024, True), (2048 + 511, 2048, 512, False),
             (2048 + 512, 2048, 512, False), (5000, 1024, 256, True), (5000, 1024, 256, False)]
    for n, n_fft, hop, center in cases:
        expected = librosa.stft(np.zeros(n, np.float32), n_fft=n_fft, hop_length=hop, center=center,
                                pad_mode="constant").shape[1]
        got = _count(frames_for(n, n_fft=n_fft, hop_length=hop, center=center), "frames_for")
        if got == expected:
            continue
        where = f"for {n} samples, n_fft={n_fft}, hop_length={hop}, center={center}: librosa gives {expected} frames, you {got}"
        if center:
            hints = {n // hop: "one frame short: the padded signal has n + 2 * (n_fft // 2) samples, in which "
                               "1 + n // hop_length frames fit (did you forget the 1 + or round n / hop_length up?)",
                     1 + (n - n_fft) // hop: "that is the count without centring: with center=True librosa first "
                                             "pads n_fft // 2 samples at both ends, so more frames fit: "
                                             "1 + n // hop_length"}
        else:
            hints = {1 + n // hop: "that is the count with centring: with center=False there is no padding and the "
                                   "last frame must fit inside the signal: 1 + (n - n_fft) // hop_length",
                     (n - n_fft) // hop: "one frame short: a frame at 0, then one per whole hop that still fits, "
                                         "1 + (n - n_fft) // hop_length",
                     n // hop: "with center=False the last frame must fit inside the signal: "
                               "1 + (n - n_fft) // hop_length"}
        reject(f"{where}: {hints[got]}" if got in hints else where)
    thirty = 1 + 30 * DEFAULT_SR // 512
    return f"A 30-s clip at {DEFAULT_SR} Hz with hop_length=512 gives {thirty} centred frames."


def two_tones(seconds: float = 2.0, *, sr: int = DEFAULT_SR, freqs: tuple[float, float] = TONES) -> np.ndarray:
    """Two sines of amplitude 0.3 at ``freqs`` Hz, shape (seconds * sr,)."""
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freqs[0] * t) + 0.3 * np.sin(2 * np.pi * freqs[1] * t + 0.7)).astype(np.float32)


def valley_db(n_fft: int, *, sr: int = DEFAULT_SR, freqs: tuple[float, float] = TONES) -> float:
    """How many dB the time-averaged magnitude spectrum of :func:`two_tones` dips between the two tones
    (0 when their peaks merge into one)."""
    spectrum = np.abs(librosa.stft(two_tones(sr=sr, freqs=freqs), n_fft=n_fft, hop_length=512)).mean(axis=1)
    level = 20 * np.log10(spectrum + 1e-12)
    bins = [int(np.argmin(np.abs(librosa.fft_frequencies(sr=sr, n_fft=n_fft) - f))) for f in freqs]
    between = level[bins[0]:bins[1] + 1]
    return float(max(0.0, min(level[bins[0]], level[bins[1]]) - between.min()))


@check("2.2")
def check_n_fft(n_fft, *, sr: int = DEFAULT_SR) -> str:
    """``n_fft`` is the smallest power of two whose spectrum shows two tones 20 Hz apart as two peaks."""
    if isinstance(n_fft, (bool, np.bool_)) or not isinstance(n_fft, (int, np.integer)) or n_fft < 2:
        reject(f"n_fft should be a whole number of samples, got {n_fft!r}")
    n_fft = int(n_fft)
    if n_fft & (n_fft - 1):
        reject(f"n_fft={n_fft} is not a power of two: choose among 512, 1024, 2048, 4096, 8192 "
               "(FFTs are fastest on powers of two)")
    smallest = next(2 ** k for k in range(6, 16) if valley_db(2 ** k, sr=sr) >= VALLEY_DB)
    ms = {n: 1000 * n / sr for n in (n_fft, smallest)}
    if n_fft < smallest:
        reject(f"with n_fft={n_fft} (bins {sr / n_fft:.1f} Hz apart) the valley between {TONES[0]:g} and "
               f"{TONES[1]:g} Hz is only {valley_db(n_fft, sr=sr):.1f} dB deep: the two tones blur into one band. "
               "The Hann window spreads each tone over about 4 bins, so the tones must be about 2 bins apart: "
               "try a longer window")
    if n_fft > smallest:
        reject(f"n_fft={n_fft} separates the tones, but so does n_fft={smallest} with a window half as long "
               f"({ms[smallest]:.0f} ms instead of {ms[n_fft]:.0f} ms), which blurs time less: take the smallest")
    return (f"n_fft={n_fft}: bins {sr / n_fft:.1f} Hz apart, a valley of {valley_db(n_fft, sr=sr):.0f} dB between "
            f"the tones, a window of {ms[n_fft]:.0f} ms. A Hann window needs about two bins between tones: "
            f"sr / n_fft <= 10 Hz.")


def _test_spectrogram(bins: int = 40, frames: int = 100) -> np.ndarray:
    """A dB matrix (bins, frames): quiet, a loud band in the lowest bins, a burst over frames 10-15."""
    S = np.full((bins, frames), -60.0, dtype=np.float32)
    S[:5] = 0.0
    S[:, 10:16] = np.maximum(S[:, 10:16], -20.0)
    return S + np.linspace(0.0, 3.0, frames, dtype=np.float32)  # a slow rise: left and right differ


@check("2.3")
def check_image(to_image) -> str:
    """``to_image(S_db, height=, width=)`` is a (height, width, 3) picture in [0, 1], low frequencies at the bottom."""
    S = _test_spectrogram()
    height, width = 32, 48
    image = np.asarray(to_image(S.copy(), height=height, width=width))
    if image.shape in ((width, height, 3), (width, height)):
        reject(f"expected shape ({height}, {width}, 3), got {image.shape}: did you transpose? Rows are frequencies "
               "(height), columns are time (width); note that PIL's resize takes (width, height)")
    if image.shape == (height, width):
        reject(f"expected shape ({height}, {width}, 3), got {image.shape}: repeat the grey image in 3 channels "
               "(np.repeat(grey[..., None], 3, axis=-1))")
    if image.shape == (3, height, width):
        reject(f"expected shape ({height}, {width}, 3), got {image.shape}: put the channels last")
    if image.shape != (height, width, 3):
        reject(f"expected shape ({height}, {width}, 3) for height={height}, width={width}, got {image.shape}")
    if not np.issubdtype(image.dtype, np.floating) or not np.all(np.isfinite(image)):
        reject(f"the image should hold finite floats, got dtype {image.dtype}"
               + ("" if np.all(np.isfinite(image.astype(float))) else " with NaN or infinite values"))
    low, high = float(image.min()), float(image.max())
    if high > 2.0:
        reject(f"your values run from {low:g} to {high:g}: scale them to [0, 1] (subtract the minimum, divide by "
               "the range), not to 0-255 or dB")
    if abs(low) > 1e-3 or abs(high - 1.0) > 1e-3:
        reject(f"your values run from {low:.3f} to {high:.3f}: scale each image so that its minimum is 0 and its "
               "maximum 1")
    if not (np.allclose(image[..., 0], image[..., 1]) and np.allclose(image[..., 0], image[..., 2])):
        reject("the three channels differ: repeat the same grey image in all three")
    grey = image[..., 0]
    if grey[:4].mean() > grey[-4:].mean():
        reject("the loud low-frequency band is at the top of your image: low frequencies belong at the bottom "
               "row, as in a plot. Flip the frequency axis (S_db[::-1]) before resizing")
    if grey.mean(axis=0).argmax() >= width // 2:
        reject("the burst at the start of the spectrogram appears at the right of your image: time runs from left "
               "to right, flip only the frequency axis")
    if not np.allclose(np.asarray(to_image(S + 20.0, height=height, width=width)), image, atol=1e-4):
        reject("the same spectrogram 20 dB louder gives a different image: scale each image by its own minimum and "
               "maximum, not by fixed dB limits")
    reference = spectrogram_image(S, size=(height, width))[..., 0]
    similarity = np.corrcoef(reference.ravel(), grey.ravel())[0, 1]
    if similarity < 0.95:
        reject(f"your image resembles the resized spectrogram only weakly (correlation {similarity:.2f} with "
               "features.spectrogram_image): resize the whole matrix to (height, width), do not crop it")
    silent = np.asarray(to_image(np.full((20, 30), -80.0, np.float32), height=8, width=8), dtype=float)
    if silent.shape != (8, 8, 3) or not np.all(np.isfinite(silent)):
        reject("a constant spectrogram (silence) gives NaN: its range is 0, so return an image of zeros instead of "
               "dividing by 0")
    return (f"Shape ({height}, {width}, 3), values in [0, 1], low frequencies at the bottom; correlation "
            f"{similarity:.3f} with features.spectrogram_image.")


def mel_band_table(dataset, split, *, n_mels: int):
    """The exercise's input: mean and std of each log-mel band of every 3-s segment, with the split."""
    X, segments = segment_spectrograms(dataset, kind="log_mel", n_mels=n_mels)
    return split.assign(classical.frame_statistics(X, segments, prefix="logmel"))


@check("2.4")
def check_mel_bands(mel_band_scores, *, dataset, split) -> str:
    """``mel_band_scores(dataset, split, n_mels=)`` fits the chapter's logistic regression on ``n_mels`` bands."""
    test_tracks = set(split.ids("test"))
    found = {}
    for n_mels in (64, 32):
        fitted = mel_band_scores(dataset, split, n_mels=n_mels)
        if not all(hasattr(fitted, name) for name in ("model", "scores", "tracks")):
            reject(f"mel_band_scores should return what evaluate.fit_and_evaluate returns, got "
                   f"{type(fitted).__name__}")
        n_inputs = int(fitted.model[-1].n_features_in_)
        if n_inputs != 2 * n_mels:
            hint = {256: "the model still sees 128 bands: pass n_mels=n_mels to features.segment_spectrograms",
                    40: "that is 20 MFCCs: use kind='log_mel'",
                    n_mels: "the model sees one value per band: keep the mean and the standard deviation "
                            "(classical.frame_statistics)"}
            reject(f"with n_mels={n_mels} the model has {n_inputs} inputs, expected {2 * n_mels} (the mean and "
                   f"standard deviation of each band)" + (f": {hint[n_inputs]}" if n_inputs in hint else ""))
        tracks = set(fitted.tracks["track_id"])
        if tracks != test_tracks:
            reject(f"your model was tested on {len(tracks)} tracks, {len(tracks & test_tracks)} of them test tracks "
                   f"of the split ({len(test_tracks)}): add the split's column with split.assign(table)")
        table = mel_band_table(dataset, split, n_mels=n_mels)
        train = table[table["split"] != "test"]
        scaler = fitted.model[0]
        if hasattr(scaler, "mean_") and not np.allclose(scaler.mean_, train[classical.feature_columns(table)].mean(),
                                                        rtol=1e-4, atol=1e-4):
            reject(f"with n_mels={n_mels} the model learned from other numbers than the band statistics of the 3-s "
                   "segments of the training tracks: summarise with classical.frame_statistics(X, segments) and "
                   "pass classical.feature_columns(table) as the features")
        found[n_mels] = fitted.scores.accuracy
    return ("Track accuracy " + ", ".join(f"{v:.2f} with {k} bands" for k, v in found.items())
            + f" ({len(test_tracks)} test tracks: one track is {1 / len(test_tracks):.0%}).")
