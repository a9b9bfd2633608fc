"""The artists of the synthetic GTZAN: a few per genre, each with its own production.

An artist keeps, from one of its tracks to the next, a tempo range, a key, its favourite
progression, drum pattern, kit, bass and comping styles, the instruments and their timbres, and
its mix (room, colour, hiss, levels); a track departs from them now and then. A model can
therefore learn an artist's sound as well as its genre, as it can on GTZAN, and a split that
keeps artists apart measures how much of a score that is.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

ARTISTS_PER_GENRE = 3
LOYALTY = 0.85  # the chance that a track uses its artist's choice rather than a fresh draw from its genre


@dataclass(frozen=True)
class Production:
    """What one artist's tracks share (the options are drawn from its genre's recipe).

    Attributes
    ----------
    name : str
        e.g. ``"blues artist 2"``.
    tempo : tuple of float
        The artist's tempo range (beats per minute), a slice of its genre's.
    key : int
        Tonic as semitones above C.
    choices : dict
        The artist's option for each recipe field it fixes (``progressions``, ``drums``, ``kits``,
        ``bass``, ``bass_voices``, ``comp``, ``comp_voices``, ``leads``).
    timbre : int
        Seed of the artist's instrument parameters (the same instruments sound the same).
    reverb_seconds, reverb_mix, noise_db : float
    tilt : tuple of float
        Low and high shelf gains (the recording's colour).
    levels_db : dict
        Mix level offsets of ``drums``, ``bass``, ``comp`` and ``lead``.
    """

    name: str
    tempo: tuple[float, float]
    key: int
    choices: dict
    timbre: int
    reverb_seconds: float
    reverb_mix: float
    noise_db: float
    tilt: tuple[float, float]
    levels_db: dict

    def timbre_rng(self, part: str) -> np.random.Generator:
        """The generator that draws the parameters of the instrument playing ``part``: the same every track."""
        return np.random.default_rng((self.timbre, zlib.crc32(part.encode())))


def artist_of(index: int) -> int:
    """The artist (0 to ``ARTISTS_PER_GENRE - 1``) of a genre's track number ``index``."""
    return index % ARTISTS_PER_GENRE


def artist_name(genre: str, artist: int, *, seed: int = 0) -> str:
    """Name of an artist, e.g. ``"blues artist 1"``; ``"blues artist 1 (set 9)"`` in the set of seed 9.

    An artist's production is drawn from the set's seed, so sets of other seeds have other artists,
    and their names say so (an artist-overlap check must not take them for the same people).
    """
    name = f"{genre} artist {artist + 1}"
    return name if seed == 0 else f"{name} (set {seed})"


def draw_production(genre: str, artist: int, recipe, rng: np.random.Generator) -> Production:
    """The production of ``artist`` of ``genre``, drawn from the genre's ``recipe`` with ``rng``."""
    low, high = recipe.tempo
    width = 0.25 * (high - low)
    start = rng.uniform(low, high - width)

    def pick(options):
        return options[int(rng.integers(len(options)))]

    fields = ("progressions", "drums", "kits", "bass", "bass_voices", "comp", "comp_voices", "leads")
    return Production(
        name=artist_name(genre, artist), tempo=(start, start + width), key=int(rng.integers(12)),
        choices={f: pick(getattr(recipe, f)) for f in fields if getattr(recipe, f)},
        timbre=int(rng.integers(2**31)), reverb_seconds=rng.uniform(*recipe.reverb),
        reverb_mix=rng.uniform(0.1, 0.5), noise_db=rng.uniform(-55.0, -35.0),
        tilt=(rng.uniform(-0.25, 0.3), rng.uniform(-0.25, 0.3)),
        levels_db={part: rng.uniform(-4.0, 4.0) for part in ("drums", "bass", "comp", "lead")},
    )
