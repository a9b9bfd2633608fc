"""Play an arrangement: map beats to seconds, render and place notes, mix, add room and hiss."""

from __future__ import annotations

import numpy as np
from scipy import fft

from course_utils.errors import ConfigError
from course_utils.synth.artists import artist_of, draw_production
from course_utils.synth.genres import GENRES, RECIPES, Arrangement, arrange

PEAK_DBFS = -1.0  # the limiter keeps every peak at or below this
KNEE_DBFS = -6.0  # and leaves samples below this untouched


def check_options(*, duration, sr, seed) -> None:
    """Raise ``ConfigError`` (a ``ValueError``) naming the first argument that is unusable."""
    if isinstance(duration, bool) or not isinstance(duration, (int, float, np.integer, np.floating)) \
            or not np.isfinite(duration) or duration <= 0:
        raise ConfigError(f"duration must be a positive number of seconds, got {duration!r}")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr < 8000:
        raise ConfigError(f"sr must be an integer sample rate of at least 8000 Hz, got {sr!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")


def track_rng(seed: int, genre_index: int, index: int) -> np.random.Generator:
    """The random generator of one track: independent of every other track and of the set size."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(genre_index, index)))


def track_arrangement(genre: str, index: int, *, seconds: float,
                      seed: int) -> tuple[Arrangement, np.random.Generator]:
    """The arrangement of track ``index`` of ``genre`` (by its artist) and the generator that goes on to mix it."""
    genre_index = GENRES.index(genre)
    artist = artist_of(index)
    artist_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(genre_index, artist, 1)))
    production = draw_production(genre, artist, RECIPES[genre], artist_rng)
    rng = track_rng(seed, genre_index, index)
    return arrange(genre, rng, seconds=seconds, production=production), rng


def _swing(beats: np.ndarray, amount: float, unit: float) -> np.ndarray:
    """Delay off-beat subdivisions: the middle of each pair of ``unit``s moves by ``amount * unit / 3``."""
    pair = 2.0 * unit
    base = np.floor(beats / pair) * pair
    p = (beats - base) / unit
    middle = 1.0 + amount / 3.0
    return base + unit * np.where(p < 1.0, p * middle, middle + (p - 1.0) * (2.0 - middle))


def _clock(arr: Arrangement, n_beats: float, rng: np.random.Generator):
    """Function mapping beats (from the song's start) to seconds from the excerpt's start."""
    grid = np.arange(0.0, n_beats + 1.0, 1.0 / 16.0)
    wave = np.sin(2.0 * np.pi * grid / rng.uniform(6.0, 12.0) + rng.uniform(0.0, 2.0 * np.pi))
    seconds_per_step = 60.0 / (arr.tempo * (1.0 + arr.rubato * wave[:-1])) / 16.0
    elapsed = np.concatenate([[0.0], np.cumsum(seconds_per_step)])

    def to_seconds(beats):
        return np.interp(_swing(np.asarray(beats, dtype=float), arr.swing, arr.swing_unit), grid, elapsed)

    t0 = to_seconds(arr.start_beat)
    return lambda beats: to_seconds(beats) - t0


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def mix(arr: Arrangement, *, duration: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Render every part of ``arr`` into one mono float32 signal at its loudness, peaks at or below ``PEAK_DBFS``."""
    n = int(round(duration * sr))
    last_beat = max((note[0] + note[1] for part in arr.parts for note in part.notes), default=0.0)
    clock = _clock(arr, last_beat + 4.0, rng)
    out = np.zeros(n)
    for part in arr.parts:
        beats = np.array([note[0] for note in part.notes])
        lengths = np.array([note[1] for note in part.notes])
        onsets = clock(beats) + rng.normal(0.0, arr.humanize, beats.size)
        gates = np.maximum(0.02, np.round(clock(beats + lengths) - clock(beats), 2))
        track = np.zeros(n)
        cache: dict = {}
        for (_, _, pitches, velocity), onset, gate in zip(part.notes, onsets, gates):
            start = int(round(onset * sr))
            if start >= n or onset + gate + 3.0 < 0.0:
                continue
            gate = min(gate, round(duration - onset + 0.05, 2))  # nothing after the clip's end is heard
            key = (pitches, gate)
            if key not in cache:
                cache[key] = part.voice(pitches, float(gate), sr, rng)
            sound = cache[key]
            skip, stop = max(0, -start), min(sound.size, n - start)
            if stop > skip:
                track[start + skip:start + stop] += velocity * sound[skip:stop]
        if (level := _rms(track)) > 0.0:
            out += track * (part.gain / level)
    return _master(out, arr, sr, rng)


def _energy(spectrum: np.ndarray) -> float:
    return float(np.sum(np.square(spectrum.real)) + np.sum(np.square(spectrum.imag)))


def _lowpass_curve(f: np.ndarray, cutoff: float) -> np.ndarray:
    """Magnitude response of a 2nd-order Butterworth lowpass."""
    return 1.0 / np.sqrt(1.0 + (f / np.float32(cutoff)) ** 4)


def _master(x: np.ndarray, arr: Arrangement, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Room reverb, recording colour and background hiss (all in one FFT), then the level.

    The reverb is a circular convolution: the tail of the clip's end rings into its start,
    as the music before an excerpt would. Single precision is ample for 16-bit output.
    """
    n_fft = fft.next_fast_len(x.size, real=True)
    f = fft.rfftfreq(n_fft, 1.0 / sr).astype(np.float32)
    spectrum = fft.rfft(x.astype(np.float32), n_fft)
    t = np.arange(int(arr.reverb_seconds * sr), dtype=np.float32) / np.float32(sr)
    impulse = rng.standard_normal(t.size, dtype=np.float32) * np.exp(-6.9 * t / np.float32(arr.reverb_seconds))
    wet = spectrum * fft.rfft(impulse, n_fft) * _lowpass_curve(f, 5000.0)
    spectrum += np.float32(arr.reverb_mix * np.sqrt(_energy(spectrum) / _energy(wet))) * wet
    low, high = arr.tilt
    highpass = 1.0 - _lowpass_curve(f, 3500.0)  # complementary shelf, smooth enough for a colour
    spectrum *= 1.0 + np.float32(low) * _lowpass_curve(f, 250.0) + np.float32(high) * highpass
    hiss = (rng.random(2 * f.size, dtype=np.float32) - 0.5).view(np.complex64)
    hiss *= _lowpass_curve(f, rng.uniform(3000.0, 10000.0))
    spectrum += np.float32(10.0 ** (arr.noise_db / 20.0) * np.sqrt(_energy(spectrum) / _energy(hiss))) * hiss
    y = fft.irfft(spectrum, n_fft)[: x.size]
    return _level(y, arr.rms_dbfs)


def _limit(y: np.ndarray) -> np.ndarray:
    """Soft limiter: samples beyond ``KNEE_DBFS`` bend smoothly (tanh) towards ``PEAK_DBFS``; the rest pass."""
    knee, ceiling = np.float32(10.0 ** (KNEE_DBFS / 20.0)), np.float32(10.0 ** (PEAK_DBFS / 20.0))
    over = np.abs(y) - knee
    bent = np.sign(y) * (knee + (ceiling - knee) * np.tanh(over / (ceiling - knee)))
    return np.where(over > 0, bent, y)


def _level(y: np.ndarray, rms_dbfs: float) -> np.ndarray:
    """``y`` at an RMS of ``rms_dbfs``, its peaks through the limiter (silence stays silent).

    Loud genres reach their level the way loud records do: their peaks are squashed, not the
    whole clip turned down. The limiter takes a little level off; a few rounds of gain make it up.
    """
    level, target = _rms(y), 10.0 ** (rms_dbfs / 20.0)
    if level == 0:
        return y
    gain = target / level
    for _ in range(4):
        gain *= target / _rms(_limit(y * np.float32(gain)))
    return _limit(y * np.float32(gain))


def render_track(genre: str, index: int = 0, *, duration: float = 30.0, sr: int = 22050,
                 seed: int = 0) -> np.ndarray:
    """Synthesise one track of a genre.

    Parameters
    ----------
    genre : str
        One of ``GENRES``.
    index : int
        Track number within the genre; with ``seed`` and ``genre`` it fixes the track. Its artist is
        ``course_utils.synth.artists.artist_of(index)``.
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz (at least 8000).
    seed : int
        Seed of the whole synthetic set.

    Returns
    -------
    np.ndarray
        Mono float32 samples, ``round(duration * sr)`` long, at the genre's loudness (RMS
        between about -36 and -11 dBFS), every peak at or below -1 dBFS.

    Raises
    ------
    ConfigError
        (a ``ValueError``) if an argument is unusable.
    """
    if genre not in GENRES:
        raise ConfigError(f"genre must be one of {', '.join(GENRES)}; got {genre!r}")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ConfigError(f"index must be a non-negative integer, got {index!r}")
    check_options(duration=duration, sr=sr, seed=seed)
    arrangement, rng = track_arrangement(genre, int(index), seconds=float(duration), seed=int(seed))
    return mix(arrangement, duration=float(duration), sr=int(sr), rng=rng)
