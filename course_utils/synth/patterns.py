"""Musical material: scales, chord progressions, drum patterns, bass lines, comping, melodies.

Everything is written in beats (quarter notes) of 4/4 bars; the renderer turns beats into
seconds (tempo, swing, rubato). A note is ``(beat, length, pitches, velocity)`` where
``pitches`` is a tuple of MIDI numbers (empty for a drum hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

BEATS_PER_BAR = 4
Note = tuple[float, float, tuple[int, ...], float]

SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10),
}

# ----------------------------------------------------------------------------- chords

_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_QUALITIES = {  # suffix -> (intervals when the numeral is upper case, when lower case)
    "": ((0, 4, 7), (0, 3, 7)),
    "5": ((0, 7, 12), (0, 7, 12)),
    "6": ((0, 4, 7, 9), (0, 3, 7, 9)),
    "7": ((0, 4, 7, 10), (0, 3, 7, 10)),
    "maj7": ((0, 4, 7, 11), (0, 3, 7, 11)),
    "9": ((0, 4, 7, 10, 14), (0, 3, 7, 10, 14)),
    "maj9": ((0, 4, 7, 11, 14), (0, 3, 7, 11, 14)),
}
_NUMERAL = re.compile(r"^(b?)(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(.*)$")


@dataclass(frozen=True)
class Chord:
    """A chord of a progression: when it sounds and which notes it holds.

    Attributes
    ----------
    start, length : float
        Position and duration in beats.
    root : int
        Semitones from the key's tonic to the chord's root (0-11).
    intervals : tuple of int
        Semitones from the root to each chord note.
    """

    start: float
    length: float
    root: int
    intervals: tuple[int, ...]

    @property
    def third(self) -> int:
        """The chord's third (3 or 4 semitones); a power chord counts as minor."""
        return 4 if 4 in self.intervals else 3


def parse_progression(text: str) -> list[Chord]:
    """Read Roman numerals: bars separated by spaces, chords sharing a bar by commas.

    Upper case is major, lower case minor, a ``b`` prefix flattens the degree; suffixes
    ``5 6 7 maj7 9 maj9`` add power-chord fifths, sixths, sevenths and ninths.
    E.g. ``"ii7,V7 Imaj7"`` is two beats of ii7, two of V7 and a bar of Imaj7.
    """
    chords = []
    for bar, content in enumerate(text.split()):
        names = content.split(",")
        length = BEATS_PER_BAR / len(names)
        for k, name in enumerate(names):
            match = _NUMERAL.match(name)
            if match is None or match.group(3) not in _QUALITIES:
                raise ValueError(f"cannot read chord {name!r} of progression {text!r}")
            flat, numeral, suffix = match.groups()
            major, minor = _QUALITIES[suffix]
            root = (_DEGREES[numeral.upper()] - len(flat)) % 12
            chords.append(Chord(bar * BEATS_PER_BAR + k * length, length, root,
                                major if numeral.isupper() else minor))
    return chords


def loop_progression(chords: list[Chord], n_bars: int) -> list[Chord]:
    """Repeat a progression until it fills ``n_bars`` bars."""
    span = chords[-1].start + chords[-1].length
    total = n_bars * BEATS_PER_BAR
    return [replace(c, start=c.start + k * span)
            for k in range(int(np.ceil(total / span))) for c in chords if c.start + k * span < total]


def voicing(chord: Chord, tonic: int, *, low: int, power: bool = False) -> tuple[int, ...]:
    """MIDI notes of ``chord`` with its root in ``[low, low + 12)`` (``power``: root, fifth, octave)."""
    root = low + (tonic + chord.root - low) % 12
    return tuple(root + i for i in ((0, 7, 12) if power else chord.intervals))


# ----------------------------------------------------------------------------- drums

DRUM_PATTERNS = {  # 16 steps per bar; X accent, x hit, o ghost, . rest
    "shuffle": {"kick": "x.......x.......", "snare": "....x.......x...", "hat": "x.x.x.x.x.x.x.x."},
    "train": {"kick": "x.......x.......", "snare": "o.o.X.o.o.o.X.o.", "hat": "....x.......x..."},
    "four_floor": {"kick": "X...X...X...X...", "clap": "....x.......x...",
                   "hat": "x...x...x...x...", "open_hat": "..x...x...x...x."},
    "boom_bap": {"kick": "X.....x...x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
    "swing_ride": {"ride": "x...x.x.x...x.x.", "hat": "....x.......x...", "kick": "o.......o.......",
                   "brush": "....o.......o..."},
    "double_kick": {"kick": "xxxxxxxxxxxxxxxx", "snare": "....X.......X...", "ride": "x...x...x...x..."},
    "blast": {"kick": "x.x.x.x.x.x.x.x.", "snare": ".x.x.x.x.x.x.x.x", "crash": "x...x...x...x..."},
    "backbeat": {"kick": "X.......x.x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
    "one_drop": {"kick": "........X.......", "rim": "........x.......", "hat": "x.x.x.x.x.x.x.x."},
    "steppers": {"kick": "x...x...x...x...", "rim": "........x.......", "hat": "..x...x...x...x."},
    "rock8": {"kick": "X.....x.x.......", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
}
_VELOCITY = {"X": 1.0, "x": 0.8, "o": 0.35}


def drum_hits(pattern: str, n_bars: int, rng: np.random.Generator, *, ghost: float = 0.03,
              drop: float = 0.05, fill: float = 0.3) -> dict[str, list[Note]]:
    """Repeat a named pattern for ``n_bars`` bars with variation.

    Parameters
    ----------
    pattern : str
        Key of ``DRUM_PATTERNS``.
    ghost, drop : float
        Probability that an empty step gets a soft extra hit / that a non-accented hit is left out.
    fill : float
        Probability that a four-bar phrase ends with a snare fill and the next starts with a crash.

    Returns
    -------
    dict
        Drum piece name (``"kick"``, ``"snare"``, ...) -> its notes.
    """
    hits: dict[str, list[Note]] = {}
    for piece, steps in DRUM_PATTERNS[pattern].items():
        grid = np.tile([_VELOCITY.get(c, 0.0) for c in steps], n_bars)
        grid[(grid < 1.0) & (rng.random(grid.size) < drop)] = 0.0
        grid[(grid == 0.0) & (rng.random(grid.size) < ghost)] = 0.3
        grid *= rng.uniform(0.8, 1.0, grid.size)
        hits[piece] = [(i * 0.25, 0.25, (), float(grid[i])) for i in np.flatnonzero(grid)]
    for phrase_end in range(4, n_bars + 1, 4):
        if rng.random() < fill:
            last_beat = phrase_end * BEATS_PER_BAR - 1
            hits.setdefault("snare", []).extend(
                (last_beat + k * 0.25, 0.25, (), 0.5 + 0.12 * k) for k in range(4))
            hits.setdefault("crash", []).append((last_beat + 1.0, 1.0, (), 1.0))
    return hits


# ----------------------------------------------------------------------------- bass


def _fit(interval: int, chord: Chord) -> int:
    """Adjust a riff interval to the chord: thirds follow the chord's third, sevenths its seventh."""
    if interval in (3, 4):
        return chord.third
    if interval in (10, 11) and 11 in chord.intervals:
        return 11
    return interval


def bass_riff(style: str, rng: np.random.Generator) -> list[tuple[float, float, int, float]]:
    """A one-bar bass figure ``(offset, length, interval, velocity)`` drawn once per track."""
    if style == "roots":
        return [(0.0, 3.8, 0, 1.0)]
    if style == "halves":
        return [(0.0, 1.9, 0, 1.0), (2.0, 1.9, int(rng.choice([0, 7, 12])), 0.9)]
    if style == "root_fifth":
        fifth = int(rng.choice([7, -5]))
        return [(0.0, 0.9, 0, 1.0), (2.0, 0.9, fifth, 0.9)] + (
            [(3.0, 0.45, fifth + 2, 0.7), (3.5, 0.45, fifth + 4, 0.7)] if rng.random() < 0.4 else [])
    if style == "boogie":
        return [(i * 0.5, 0.45, iv, 0.9 if i % 2 else 1.0) for i, iv in enumerate((0, 4, 7, 9, 10, 9, 7, 4))]
    if style == "octaves":
        return [(i * 0.5, 0.4, 12 * (i % 2), 1.0 - 0.2 * (i % 2)) for i in range(8)]
    if style == "eighths":
        return [(i * 0.5, 0.45, 0, 1.0 - 0.15 * (i % 2)) for i in range(8)]
    if style == "gallop":
        return [(b + o, ln, 0, v) for b in range(4) for o, ln, v in ((0, 0.45, 1.0), (0.5, 0.2, 0.8), (0.75, 0.2, 0.8))]
    if style == "sub":
        return [(0.0, 1.5, 0, 1.0), (float(rng.choice([2.5, 2.75, 3.0])), 1.0, int(rng.choice([0, 7, 10, 12])), 0.9)]
    if style == "reggae":
        candidates = [(1.0, 0.45, 0), (1.5, 0.45, 4), (2.5, 0.45, 7), (3.0, 0.7, 12), (3.5, 0.45, 10)]
        keep = [c for c in candidates if rng.random() < 0.6]
        head = [(0.0, 0.9, 0)] if rng.random() < 0.7 else []
        return [(o, ln, iv, 1.0) for o, ln, iv in head + keep] or [(0.0, 1.8, 0, 1.0)]
    if style == "syncopated":
        candidates = [(0.75, 0.2, 0), (1.5, 0.45, 0), (2.5, 0.45, 12), (3.0, 0.45, 7), (3.5, 0.45, 0)]
        return [(0.0, 0.7, 0, 1.0)] + [(o, ln, iv, 0.85) for o, ln, iv in candidates if rng.random() < 0.6]
    raise ValueError(f"unknown bass style {style!r}")


def bass_line(style: str, chords: list[Chord], tonic: int, rng: np.random.Generator) -> list[Note]:
    """Bass notes over ``chords``; ``tonic`` is the key's tonic in the bass register (MIDI)."""
    if style == "walking":
        return _walking(chords, tonic, rng)
    riff = bass_riff(style, rng)
    notes = []
    for chord in chords:
        root = tonic + chord.root
        notes.extend((chord.start + o, min(ln, chord.length - o), (root + _fit(iv, chord),), v)
                     for o, ln, iv, v in riff if o < chord.length)
    return notes


def _walking(chords: list[Chord], tonic: int, rng: np.random.Generator) -> list[Note]:
    """Jazz walking bass: quarter notes, root on the downbeat, chromatic approach to the next root."""
    notes = []
    for k, chord in enumerate(chords):
        root = tonic + chord.root
        target = tonic + chords[(k + 1) % len(chords)].root
        beats = int(chord.length)
        line = [root]
        for _ in range(beats - 2):
            line.append(root + int(rng.choice([chord.third, 7, 12, 10, 9, 5, 2])))
        if beats > 1:
            line.append(target + int(rng.choice([-1, 1, 7 - 12])))
        notes.extend((chord.start + b, 0.9, (p,), 1.0 if b == 0 else 0.85) for b, p in enumerate(line))
    return notes


# ----------------------------------------------------------------------------- chords


def comp_rhythm(style: str, rng: np.random.Generator) -> list[tuple[float, float, float]]:
    """A one-bar comping rhythm ``(offset, length, velocity)`` drawn once per track."""
    fixed = {
        "sustain": [(0.0, 3.9, 0.8)],
        "halves": [(0.0, 1.9, 0.9), (2.0, 1.9, 0.8)],
        "quarters": [(float(b), 0.8, 1.0 - 0.1 * (b % 2)) for b in range(4)],
        "boom_chick": [(1.0, 0.5, 0.9), (3.0, 0.5, 0.9)],
        "skank": [(1.0, 0.25, 1.0), (3.0, 0.25, 1.0)],
        "offbeats": [(b + 0.5, 0.3, 0.9) for b in range(4)],
        "charleston": [(0.0, 0.6, 1.0), (1.5, 1.0, 0.85)],
        "eighths": [(i * 0.5, 0.45, 1.0 - 0.2 * (i % 2)) for i in range(8)],
        "gallop": [(b + o, ln, v) for b in range(4) for o, ln, v in ((0, 0.45, 1.0), (0.5, 0.2, 0.8), (0.75, 0.2, 0.8))],
        "strum": [(0.0, 0.9, 1.0), (1.0, 0.45, 0.6), (1.5, 0.45, 0.7), (2.0, 0.9, 0.9), (3.0, 0.45, 0.6), (3.5, 0.45, 0.7)],
    }
    if style in fixed:
        return fixed[style]
    if style == "stabs":
        steps = np.sort(rng.choice(16, size=int(rng.integers(3, 6)), replace=False))
        return [(s * 0.25, 0.2, 0.9) for s in steps]
    raise ValueError(f"unknown comping style {style!r}")


def comp_notes(style: str, chords: list[Chord], tonic: int, rng: np.random.Generator, *,
               low: int = 52, power: bool = False) -> list[Note]:
    """Chord instrument part: block chords in a rhythm, an arpeggio or a blues shuffle figure."""
    if style == "arpeggio":
        return _arpeggio(chords, tonic, rng, low=low)
    notes = []
    if style == "shuffle":  # root-fifth, root-fifth, root-sixth, root-sixth on eighths
        for chord in chords:
            root = low + (tonic + chord.root - low) % 12
            notes.extend((chord.start + i * 0.5, 0.45, (root, root + (7 if i % 4 < 2 else 9)), 0.9)
                         for i in range(int(chord.length * 2)))
        return notes
    rhythm = comp_rhythm(style, rng)
    for chord in chords:
        pitches = voicing(chord, tonic, low=low, power=power)
        notes.extend((chord.start + o, min(ln, chord.length - o), pitches, v) for o, ln, v in rhythm if o < chord.length)
    return notes


def _arpeggio(chords: list[Chord], tonic: int, rng: np.random.Generator, *, low: int) -> list[Note]:
    """Broken chords (up, up-down or Alberti order) in eighths or sixteenths."""
    step = float(rng.choice([0.5, 0.25]))
    order = [(0, 1, 2, 3), (0, 1, 2, 3, 2, 1), (0, 2, 1, 2)][int(rng.integers(3))]
    notes = []
    for chord in chords:
        tones = voicing(chord, tonic, low=low)
        tones = tones + tuple(p + 12 for p in tones)
        for i in range(int(chord.length / step)):
            notes.append((chord.start + i * step, step * 1.8, (tones[order[i % len(order)] % len(tones)],),
                          0.9 if i % 4 == 0 else 0.7))
    return notes


# ----------------------------------------------------------------------------- melody


def melody(chords: list[Chord], tonic: int, scale: tuple[int, ...], rng: np.random.Generator, *,
           density: float, step: float = 0.5, low: int = 62, high: int = 86, rest: float = 0.35) -> list[Note]:
    """A lead line: a random walk on the scale, landing on chord tones on strong beats.

    Parameters
    ----------
    density : float
        Probability that a ``step``-beat slot starts a note.
    low, high : int
        MIDI range of the line.
    rest : float
        Probability that a two-bar phrase is left silent (call and response).
    """
    pitches = np.array([m for m in range(low, high) if (m - tonic) % 12 in scale])
    starts = np.array([c.start for c in chords])
    end = chords[-1].start + chords[-1].length
    phrase = 2 * BEATS_PER_BAR
    index = len(pitches) // 2
    notes = []
    for phrase_start in np.arange(0.0, end, phrase):
        if rng.random() < rest:
            continue
        slots = phrase_start + step * np.flatnonzero(rng.random(int(phrase / step)) < density)
        slots = slots[slots < end]
        for k, beat in enumerate(slots):
            index = int(np.clip(index + rng.choice([-3, -2, -1, -1, 0, 1, 1, 2, 3]), 0, len(pitches) - 1))
            if beat % 2 == 0:
                chord = chords[int(np.searchsorted(starts, beat, side="right")) - 1]
                tones = {(tonic + chord.root + i) % 12 for i in chord.intervals}
                fits = np.flatnonzero([p % 12 in tones for p in pitches])
                if fits.size:
                    index = int(fits[np.argmin(np.abs(fits - index))])
            nxt = slots[k + 1] if k + 1 < len(slots) else phrase_start + phrase
            notes.append((float(beat), float(min(nxt - beat, 2.0) * 0.9), (int(pitches[index]),),
                          float(rng.uniform(0.7, 1.0))))
    return notes
