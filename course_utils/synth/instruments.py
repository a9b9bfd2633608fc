"""Instrument voices built by synthesis: drum hits and pitched notes.

Drum functions take ``(sr, rng, **params)`` and return one hit with its natural decay.
Pitched functions take ``(freqs, seconds, sr, rng, **params)``: ``freqs`` holds one
frequency (a line) or several (a chord, summed), ``seconds`` is how long the note is
held, and the returned array includes a short release tail. All return float64 arrays
that start at sample 0.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import signal

TWO_PI = 2.0 * np.pi


def midi_to_hz(midi) -> np.ndarray:
    """Frequency in Hz of MIDI note numbers (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


@lru_cache(maxsize=1024)
def _sos(btype: str, cutoff: int | tuple[int, int], sr: int, order: int) -> np.ndarray:
    top = 0.45 * sr
    edges = np.minimum(np.atleast_1d(cutoff).astype(float), top) / (0.5 * sr)
    return signal.butter(order, edges if edges.size > 1 else edges[0], btype=btype, output="sos")


def filt(x: np.ndarray, btype: str, cutoff, sr: int, *, order: int = 2) -> np.ndarray:
    """Butterworth ``lowpass``/``highpass``/``bandpass`` filter (cutoffs in Hz, kept below Nyquist)."""
    key = tuple(int(round(c)) for c in cutoff) if np.ndim(cutoff) else int(round(cutoff))
    return signal.sosfilt(_sos(btype, key, sr, order), x)


def _gate(seconds: float, sr: int, *, attack: float, release: float) -> tuple[np.ndarray, np.ndarray]:
    """Time axis and attack-hold-release envelope of a note held for ``seconds``."""
    n = int((seconds + release) * sr) + 1
    t = np.arange(n, dtype=np.float32) / np.float32(sr)  # single precision: fast, ample for audio
    env = np.clip((seconds + release - t) / release, 0.0, 1.0)
    if attack > 0:
        env *= np.minimum(1.0, t / attack)
    return t, env


def _vibrato_time(t: np.ndarray, depth: float, *, rate: float = 5.5) -> np.ndarray:
    """Time warped so that ``freq * result`` is the phase (in cycles) of a tone with vibrato."""
    return t - depth * np.cos(TWO_PI * rate * t) / (TWO_PI * rate) if depth else t


_WAVES = {
    "saw": lambda c: 2.0 * (c % 1.0) - 1.0,
    "square": lambda c: np.where(c % 1.0 < 0.5, 1.0, -1.0),
    "triangle": lambda c: 4.0 * np.abs((c % 1.0) - 0.5) - 1.0,
    "sine": lambda c: np.sin(TWO_PI * c),
}


# ----------------------------------------------------------------------------- drums


def kick(sr: int, rng: np.random.Generator, *, pitch: float = 52.0, decay: float = 0.3,
         click: float = 0.3, sweep: float = 3.0) -> np.ndarray:
    """Bass drum: a sine whose pitch falls from ``pitch * (1 + sweep)`` to ``pitch``, plus a click."""
    t = np.arange(int(min(1.5, 5 * decay) * sr)) / sr
    freq = pitch * (1.0 + sweep * np.exp(-t / 0.02))
    body = np.sin(TWO_PI * np.cumsum(freq) / sr) * np.exp(-t / decay)
    tick = filt(rng.standard_normal(t.size), "highpass", 2000, sr) * np.exp(-t / 0.003)
    return body + click * tick


def snare(sr: int, rng: np.random.Generator, *, tone: float = 185.0, decay: float = 0.15,
          snappy: float = 0.6) -> np.ndarray:
    """Snare drum: a short pitched body plus a band of noise (the wires)."""
    t = np.arange(int(5 * decay * sr)) / sr
    body = (np.sin(TWO_PI * tone * t) + 0.5 * np.sin(TWO_PI * 1.6 * tone * t)) * np.exp(-t / 0.05)
    wires = filt(rng.standard_normal(t.size), "bandpass", (1500, 9000), sr) * np.exp(-t / decay)
    return (1.0 - snappy) * body + 2.0 * snappy * wires


def hat(sr: int, rng: np.random.Generator, *, decay: float = 0.05, cutoff: float = 7000.0) -> np.ndarray:
    """Hi-hat: high-passed noise; a long ``decay`` makes it an open hat."""
    t = np.arange(int(6 * decay * sr)) / sr
    return filt(rng.standard_normal(t.size), "highpass", cutoff, sr, order=4) * np.exp(-t / decay)


def cymbal(sr: int, rng: np.random.Generator, *, decay: float = 1.2, bell: float = 0.3,
           cutoff: float = 4000.0) -> np.ndarray:
    """Ride or crash: inharmonic square partials and noise, high-passed (``bell`` = ping level)."""
    t = np.arange(int(min(2.5, 3 * decay) * sr), dtype=np.float32) / np.float32(sr)
    ratios = np.array([1.0, 1.483, 1.932, 2.546, 2.630, 3.897], dtype=np.float32)
    metal = np.sign(np.sin(TWO_PI * 330.0 * ratios[:, None] * t)).sum(axis=0)
    tone = filt(0.2 * metal + rng.standard_normal(t.size), "highpass", cutoff, sr, order=4)
    ping = bell * np.sin(TWO_PI * 2650.0 * t) * np.exp(-t / 0.4)
    return (tone * np.exp(-t / decay) + ping) * 0.5


def clap(sr: int, rng: np.random.Generator, *, decay: float = 0.12) -> np.ndarray:
    """Hand clap: three quick noise bursts and a band-passed tail."""
    t = np.arange(int((0.03 + 5 * decay) * sr)) / sr
    env = np.exp(-t / decay)
    for delay in (0.0, 0.011, 0.022):
        late = t >= delay
        env[late] += np.exp(-(t[late] - delay) / 0.004)
    return filt(rng.standard_normal(t.size), "bandpass", (900, 3500), sr) * env


def rim(sr: int, rng: np.random.Generator, *, tone: float = 1700.0) -> np.ndarray:
    """Rim shot / cross-stick: a short woody click."""
    t = np.arange(int(0.08 * sr)) / sr
    knock = np.sin(TWO_PI * tone * t) + 0.6 * np.sin(TWO_PI * 0.57 * tone * t)
    return knock * np.exp(-t / 0.012) + 0.3 * rng.standard_normal(t.size) * np.exp(-t / 0.004)


def brush(sr: int, rng: np.random.Generator, *, length: float = 0.18) -> np.ndarray:
    """Brush on a snare: a soft swish of band-passed noise that swells and fades."""
    n = int(length * sr)
    return filt(rng.standard_normal(n), "bandpass", (2000, 8000), sr) * np.hanning(n) ** 2


# ----------------------------------------------------------------------------- pitched


def _string(freq: float, n: int, sr: int, rng: np.random.Generator, decay: float,
            brightness: float) -> np.ndarray:
    """Karplus-Strong string, computed one period block at a time.

    The loop filter is a two-tap lowpass (``stretch`` sets how much it damps the highs)
    convolved with a linear-interpolation fractional delay, so the pitch is exact.
    """
    stretch = 0.5 - 0.4 * brightness
    period = sr / freq
    delay = max(2, int(period - stretch))
    frac = period - stretch - delay
    gain = np.exp(-1.0 / (freq * decay))
    taps = gain * np.convolve([1.0 - stretch, stretch], [1.0 - frac, frac])
    burst = filt(rng.standard_normal(delay), "lowpass", freq * (2.0 + 40.0 * brightness), sr)
    y = np.zeros(n + 2)  # two leading zeros stand for the string's silence before the pluck
    y[2:2 + min(delay, n)] = (burst - burst.mean())[:n]
    for start in range(2 + delay, n + 2, delay):  # y[m] = sum_k taps[k] * y[m - delay - k]
        stop = min(start + delay, n + 2)
        y[start:stop] = np.convolve(y[start - delay - 2:stop - delay], taps, "valid")
    return y[2:]


def pluck(freqs, seconds: float, sr: int, rng: np.random.Generator, *, decay: float = 1.5,
          brightness: float = 0.6, strum: float = 0.0) -> np.ndarray:
    """Plucked string (guitar, banjo, harp, upright bass); chords are strummed ``strum`` s apart."""
    _, env = _gate(seconds, sr, attack=0.0, release=0.06)
    out = np.zeros(env.size)
    for k, f in enumerate(np.atleast_1d(freqs)):
        offset = min(int(k * strum * sr), env.size - 1)
        out[offset:] += _string(f, env.size - offset, sr, rng, decay, brightness)
    return out * env


def distorted_guitar(freqs, seconds: float, sr: int, rng: np.random.Generator, *,
                     drive: float = 8.0, decay: float = 2.0, tone: float = 3500.0) -> np.ndarray:
    """Electric guitar through an overdrive (``tanh``, gain ``drive``) and a cabinet lowpass."""
    dry = pluck(freqs, seconds, sr, rng, decay=decay, brightness=0.85)
    wet = np.tanh(drive * dry / (np.max(np.abs(dry)) + 1e-12))
    return filt(filt(wet, "lowpass", tone, sr, order=4), "highpass", 90, sr)


def piano(freqs, seconds: float, sr: int, rng: np.random.Generator, *, decay: float = 1.2,
          brightness: float = 0.5) -> np.ndarray:
    """Piano-like tone: slightly stretched partials that die faster the higher they are."""
    t, env = _gate(seconds, sr, attack=0.002, release=0.15)
    out = np.zeros(t.size, dtype=np.float32)
    thump = min(t.size, int(0.03 * sr))
    out[:thump] = 0.02 * filt(rng.standard_normal(thump), "lowpass", 3000, sr) * np.exp(-t[:thump] / 0.004)
    for f in np.atleast_1d(freqs).tolist():
        for h in range(1, 13):
            fh = f * h * math.sqrt(1.0 + 4e-4 * h**2)
            if fh >= min(0.45 * sr, 9000.0):
                break
            tau = decay * (220.0 / f) ** 0.4 / (1.0 + 0.6 * (h - 1))
            m = min(t.size, int(6.0 * tau * sr) + 1)  # the partial is inaudible after six time constants
            out[:m] += h ** -(2.2 - 1.4 * brightness) * np.sin(TWO_PI * fh * t[:m]) * np.exp(-t[:m] / tau)
    return out * env


def epiano(freqs, seconds: float, sr: int, rng: np.random.Generator, *, decay: float = 1.5,
           index: float = 1.5, tremolo: float = 0.0) -> np.ndarray:
    """Electric piano / vibraphone: FM tone with a decaying modulation index."""
    t, env = _gate(seconds, sr, attack=0.003, release=0.1)
    out = np.zeros(t.size, dtype=np.float32)
    mod_env = index * np.exp(-t / 0.2)
    for f in np.atleast_1d(freqs).tolist():
        out += np.sin(TWO_PI * f * t + mod_env * np.sin(TWO_PI * f * t)) * np.exp(-t / decay)
    if tremolo:
        out *= 1.0 + tremolo * np.sin(TWO_PI * 5.0 * t)
    return out * env


def organ(freqs, seconds: float, sr: int, rng: np.random.Generator, *,
          drawbars: tuple[float, ...] = (0.6, 1.0, 0.7, 0.5, 0.3, 0.2), tremolo: float = 0.15) -> np.ndarray:
    """Tonewheel organ: sines at 1/2, 1, 3/2, 2, 3, 4 times the pitch, with tremolo."""
    t, env = _gate(seconds, sr, attack=0.008, release=0.05)
    ratios = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
    weights = np.asarray(drawbars, dtype=np.float32)
    out = np.zeros(t.size, dtype=np.float32)
    for f in np.atleast_1d(freqs).tolist():
        for ratio, weight in zip(ratios, weights):
            if ratio * f < 0.45 * sr:
                out += weight * np.sin(TWO_PI * f * ratio * t)
    return out * env * (1.0 + tremolo * np.sin(TWO_PI * 6.5 * t))


def synth(freqs, seconds: float, sr: int, rng: np.random.Generator, *, wave: str = "saw",
          cutoff: float = 3000.0, attack: float = 0.01, release: float = 0.1,
          decay: float | None = None, detune: float = 0.0, vibrato: float = 0.0) -> np.ndarray:
    """Subtractive synth voice: pads, strings, brass, reed, flute, synth leads and basses.

    Parameters
    ----------
    wave : {"saw", "square", "triangle", "sine"}
        Oscillator shape.
    cutoff : float
        Lowpass cutoff in Hz.
    attack, release : float
        Envelope times in seconds.
    decay : float or None
        Exponential decay time constant in seconds (``None``: sustained).
    detune : float
        Spread in semitones of three detuned oscillators (0: a single oscillator).
    vibrato : float
        Relative depth of a 5.5 Hz vibrato.
    """
    t, env = _gate(seconds, sr, attack=attack, release=release)
    shape = _WAVES[wave]
    spread = (-detune, 0.0, detune) if detune else (0.0,)
    warped = _vibrato_time(t, vibrato)
    out = np.zeros(t.size, dtype=np.float32)
    for f in np.atleast_1d(freqs).tolist():
        for d in spread:
            out += shape(rng.random() + f * 2.0 ** (d / 12.0) * warped)
    if decay:
        env = env * np.exp(-t / decay)
    return filt(out, "lowpass", cutoff, sr) * env


def sub_bass(freqs, seconds: float, sr: int, rng: np.random.Generator, *, decay: float = 0.8,
             drive: float = 1.5) -> np.ndarray:
    """808-style sub bass: a sine that glides down onto its pitch, gently saturated."""
    t, env = _gate(seconds, sr, attack=0.004, release=0.08)
    out = np.zeros(t.size)
    for f in np.atleast_1d(freqs):
        inst = f * (1.0 + 0.5 * np.exp(-t / 0.015))
        out += np.sin(TWO_PI * np.cumsum(inst) / sr)
    return np.tanh(drive * out * np.exp(-t / decay)) * env
