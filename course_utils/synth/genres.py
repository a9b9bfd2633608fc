"""One recipe per GTZAN genre, and the random arrangement of one track from it.

A recipe lists what a genre may use (tempo range, progressions, drum patterns, bass and
comping styles, instruments). Arranging a track draws one option of each, and with
probability ``BORROW`` takes an aspect from another genre's recipe instead, so genres
overlap the way real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from course_utils.synth import instruments as ins
from course_utils.synth import patterns as pat
from course_utils.synth.artists import LOYALTY, Production

GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")
BORROW = 0.05

Voice = Callable[[tuple[int, ...], float, int, np.random.Generator], np.ndarray]
"""Renders one note: ``voice(midi_pitches, seconds_held, sr, rng) -> samples``."""


class R(NamedTuple):
    """A parameter drawn uniformly from ``[lo, hi)`` once per track."""

    lo: float
    hi: float


def _draw(ranges: dict, rng: np.random.Generator) -> dict:
    return {k: float(rng.uniform(v.lo, v.hi)) if isinstance(v, R) else v for k, v in ranges.items()}


def _pitched(fn: Callable, **ranges) -> Callable[[np.random.Generator], Voice]:
    """Voice factory for a pitched instrument; parameters given as ``R`` are drawn per track."""
    def factory(rng: np.random.Generator) -> Voice:
        params = _draw(ranges, rng)
        return lambda pitches, seconds, sr, r: fn(ins.midi_to_hz(pitches), seconds, sr, r, **params)
    return factory


def _hit(fn: Callable, **ranges) -> Callable[[np.random.Generator], Voice]:
    """Voice factory for a drum: pitch and length of the note are ignored."""
    def factory(rng: np.random.Generator) -> Voice:
        params = _draw(ranges, rng)
        return lambda pitches, seconds, sr, r: fn(sr, r, **params)
    return factory


VOICES = {
    "acoustic_guitar": _pitched(ins.pluck, decay=R(1.0, 2.5), brightness=R(0.5, 0.8), strum=R(0.008, 0.02)),
    "clean_guitar": _pitched(ins.pluck, decay=R(0.8, 2.0), brightness=R(0.3, 0.6), strum=R(0.0, 0.01)),
    "muted_guitar": _pitched(ins.pluck, decay=R(0.08, 0.25), brightness=R(0.4, 0.7)),
    "banjo": _pitched(ins.pluck, decay=R(0.3, 0.6), brightness=R(0.85, 0.95)),
    "harp": _pitched(ins.pluck, decay=R(2.0, 4.0), brightness=R(0.3, 0.5)),
    "crunch_guitar": _pitched(ins.distorted_guitar, drive=R(1.5, 4.0), tone=R(3000, 5000), decay=R(1.0, 2.0)),
    "rock_guitar": _pitched(ins.distorted_guitar, drive=R(4.0, 12.0), tone=R(2800, 4500)),
    "metal_guitar": _pitched(ins.distorted_guitar, drive=R(15.0, 60.0), tone=R(2500, 4000)),
    "piano": _pitched(ins.piano, decay=R(0.8, 2.0), brightness=R(0.3, 0.8)),
    "epiano": _pitched(ins.epiano, decay=R(0.8, 2.0), index=R(0.8, 2.5)),
    "vibes": _pitched(ins.epiano, decay=R(1.0, 2.5), index=R(0.1, 0.4), tremolo=R(0.2, 0.4)),
    "bell": _pitched(ins.epiano, decay=R(0.5, 1.5), index=R(3.0, 6.0)),
    "organ": _pitched(ins.organ, tremolo=R(0.05, 0.25)),
    "strings": _pitched(ins.synth, cutoff=R(1800, 3500), attack=R(0.08, 0.25), release=R(0.2, 0.4),
                        detune=R(0.05, 0.15), vibrato=R(0.002, 0.006)),
    "pad": _pitched(ins.synth, cutoff=R(800, 2000), attack=R(0.2, 0.6), release=0.5, detune=R(0.1, 0.25)),
    "brass": _pitched(ins.synth, cutoff=R(1500, 3000), attack=R(0.03, 0.08), vibrato=R(0.0, 0.003)),
    "sax": _pitched(ins.synth, cutoff=R(1200, 2200), attack=0.04, vibrato=R(0.003, 0.008)),
    "harmonica": _pitched(ins.synth, wave="square", cutoff=R(1500, 3000), attack=0.03, vibrato=0.006),
    "melodica": _pitched(ins.synth, wave="square", cutoff=R(1800, 3000), attack=0.02),
    "flute": _pitched(ins.synth, wave="triangle", cutoff=4000, attack=0.06, vibrato=R(0.003, 0.006)),
    "fiddle": _pitched(ins.synth, cutoff=R(2500, 4500), attack=0.05, vibrato=R(0.004, 0.01)),
    "synth_lead": _pitched(ins.synth, wave="square", cutoff=R(2500, 6000), attack=0.005, detune=R(0.0, 0.1)),
    "synth_pluck": _pitched(ins.synth, cutoff=R(1500, 4000), decay=R(0.15, 0.4)),
    "cello": _pitched(ins.synth, cutoff=R(1000, 2000), attack=R(0.08, 0.2), vibrato=R(0.003, 0.006)),
    "finger_bass": _pitched(ins.pluck, decay=R(0.6, 1.5), brightness=R(0.1, 0.35)),
    "upright_bass": _pitched(ins.pluck, decay=R(0.4, 0.9), brightness=R(0.05, 0.25)),
    "pick_bass": _pitched(ins.pluck, decay=R(0.8, 1.5), brightness=R(0.4, 0.6)),
    "deep_bass": _pitched(ins.synth, wave="triangle", cutoff=R(300, 500), release=0.08),
    "sub_bass": _pitched(ins.sub_bass, decay=R(0.4, 1.2), drive=R(1.0, 3.0)),
    "synth_bass": _pitched(ins.synth, cutoff=R(400, 1500), decay=R(0.2, 0.6)),
    "dist_bass": _pitched(ins.distorted_guitar, drive=R(3.0, 10.0), tone=R(1500, 2500)),
}

_ACOUSTIC_KIT = {
    "kick": _hit(ins.kick, pitch=R(48, 62), decay=R(0.18, 0.35), click=R(0.2, 0.5)),
    "snare": _hit(ins.snare, tone=R(170, 230), decay=R(0.1, 0.2), snappy=R(0.45, 0.7)),
    "hat": _hit(ins.hat, decay=R(0.03, 0.06)),
    "open_hat": _hit(ins.hat, decay=R(0.15, 0.3)),
    "ride": _hit(ins.cymbal, decay=R(0.8, 1.6), bell=R(0.2, 0.5)),
    "crash": _hit(ins.cymbal, decay=R(1.2, 2.0), bell=0.0, cutoff=3000.0),
    "rim": _hit(ins.rim, tone=R(1500, 2000)),
    "clap": _hit(ins.clap, decay=R(0.08, 0.16)),
    "brush": _hit(ins.brush, length=R(0.12, 0.25)),
}
KITS = {
    "acoustic": _ACOUSTIC_KIT,
    "brushes": {**_ACOUSTIC_KIT, "snare": _hit(ins.brush, length=R(0.12, 0.25)),
                "kick": _hit(ins.kick, pitch=R(45, 55), decay=R(0.2, 0.3), click=0.0),
                "hat": _hit(ins.hat, decay=R(0.02, 0.04), cutoff=5000.0)},
    "808": {**_ACOUSTIC_KIT, "kick": _hit(ins.kick, pitch=R(40, 50), decay=R(0.4, 0.8), click=0.1, sweep=R(1.0, 2.0)),
            "snare": _hit(ins.snare, tone=R(190, 230), decay=R(0.07, 0.14), snappy=R(0.8, 0.95)),
            "hat": _hit(ins.hat, decay=R(0.015, 0.04), cutoff=8000.0)},
    "disco": {**_ACOUSTIC_KIT, "kick": _hit(ins.kick, pitch=R(50, 60), decay=R(0.15, 0.25), click=R(0.3, 0.6)),
              "hat": _hit(ins.hat, decay=R(0.02, 0.05), cutoff=8000.0)},
    "heavy": {**_ACOUSTIC_KIT, "kick": _hit(ins.kick, pitch=R(55, 70), decay=R(0.1, 0.2), click=R(0.6, 1.0)),
              "snare": _hit(ins.snare, tone=R(200, 250), decay=R(0.15, 0.25), snappy=R(0.5, 0.7))},
}
DRUM_LEVELS_DB = {"kick": 0.0, "snare": -1.0, "clap": -2.0, "rim": -8.0, "hat": -12.0, "open_hat": -13.0,
                  "ride": -14.0, "crash": -12.0, "brush": -6.0}


@dataclass(frozen=True)
class Recipe:
    """What a genre may use; each field lists the options a track draws from.

    ``progressions`` pairs a Roman-numeral progression with the scale of its melody;
    ``power`` is the chance that chords are played as power chords; ``*_prob`` is the
    chance that the part plays at all; ranges are ``(low, high)``. ``loudness`` is the RMS level
    of the finished clip in dBFS, set around the middle half of each genre's RMS in the Kaggle
    GTZAN feature table (classical about -30 dBFS, pop about -14 dBFS).
    """

    tempo: tuple[float, float]
    swing: tuple[float, float]
    progressions: tuple[tuple[str, str], ...]
    drums: tuple[str, ...]
    kits: tuple[str, ...]
    bass: tuple[str, ...]
    bass_voices: tuple[str, ...]
    comp: tuple[str, ...]
    comp_voices: tuple[str, ...]
    leads: tuple[str, ...]
    lead_density: tuple[float, float]
    reverb: tuple[float, float]
    loudness: tuple[float, float]
    swing_unit: float = 0.5
    rubato: tuple[float, float] = (0.0, 0.0)
    power: float = 0.0
    lead_prob: float = 0.75


RECIPES = {
    "blues": Recipe(
        tempo=(65, 125), swing=(0.6, 1.0),
        progressions=(("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "blues"),
                      ("I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "mixolydian"),
                      ("i7 i7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7", "blues")),
        drums=("shuffle",), kits=("acoustic", "brushes"),
        bass=("boogie", "walking"), bass_voices=("finger_bass", "upright_bass"),
        comp=("shuffle", "charleston", "quarters"), comp_voices=("crunch_guitar", "clean_guitar", "piano", "organ"),
        leads=("crunch_guitar", "harmonica", "piano", "organ"), lead_density=(0.3, 0.6), loudness=(-22, -14), reverb=(0.6, 1.5)),
    "classical": Recipe(
        tempo=(55, 110), swing=(0.0, 0.0), rubato=(0.05, 0.15),
        progressions=(("I IV V I", "major"), ("I vi ii V", "major"), ("i iv V i", "harmonic_minor"),
                      ("I V vi iii IV I IV V", "major"), ("i VI iv V", "harmonic_minor"), ("I ii,V I,IV V", "major")),
        drums=(), kits=("acoustic",),
        bass=("roots", "halves"), bass_voices=("cello", "piano", "harp"),
        comp=("arpeggio", "sustain", "halves"), comp_voices=("piano", "strings", "harp"),
        leads=("strings", "flute", "piano", "fiddle"), lead_density=(0.3, 0.7), loudness=(-36, -25), reverb=(1.5, 3.0), lead_prob=0.85),
    "country": Recipe(
        tempo=(85, 160), swing=(0.0, 0.3),
        progressions=(("I I IV IV V V I I", "major_pentatonic"), ("I IV I V", "major"),
                      ("I IV V I", "major_pentatonic"), ("I V IV I", "major")),
        drums=("train", "backbeat"), kits=("acoustic", "brushes"),
        bass=("root_fifth",), bass_voices=("finger_bass", "upright_bass"),
        comp=("boom_chick", "strum"), comp_voices=("acoustic_guitar", "clean_guitar", "piano"),
        leads=("fiddle", "banjo", "acoustic_guitar", "clean_guitar"), lead_density=(0.4, 0.8), loudness=(-22, -15), reverb=(0.4, 1.0)),
    "disco": Recipe(
        tempo=(108, 132), swing=(0.0, 0.1),
        progressions=(("i7 iv7", "dorian"), ("i bVII bVI bVII", "minor"), ("ii7 V7", "major"), ("vi IV I V", "major")),
        drums=("four_floor",), kits=("disco", "acoustic"),
        bass=("octaves", "syncopated"), bass_voices=("finger_bass", "synth_bass"),
        comp=("stabs", "offbeats", "eighths"), comp_voices=("strings", "brass", "muted_guitar", "epiano"),
        leads=("strings", "synth_lead", "brass"), lead_density=(0.3, 0.6), loudness=(-21, -14), reverb=(0.8, 1.5)),
    "hiphop": Recipe(
        tempo=(78, 100), swing=(0.3, 0.7), swing_unit=0.25,
        progressions=(("i7 iv7", "dorian"), ("i9 bVImaj7", "minor"), ("i7 i7 bVImaj7 V7", "harmonic_minor"),
                      ("i7", "minor_pentatonic")),
        drums=("boom_bap",), kits=("808", "acoustic"),
        bass=("sub",), bass_voices=("sub_bass", "synth_bass"),
        comp=("sustain", "halves", "stabs"), comp_voices=("epiano", "pad", "piano", "strings"),
        leads=("bell", "epiano", "flute", "vibes"), lead_density=(0.15, 0.4), loudness=(-19, -11), reverb=(0.3, 0.9), lead_prob=0.5),
    "jazz": Recipe(
        tempo=(100, 210), swing=(0.6, 1.0),
        progressions=(("ii7 V7 Imaj7 Imaj7", "major"), ("ii7,V7 Imaj7 vi7,ii7 V7", "major"),
                      ("Imaj9 vi7 ii7 V9", "major"), ("iii7,VI7 ii7,V7 Imaj7 Imaj7", "major"),
                      ("i7 i7 iv7 iv7 ii7,V7 i7", "dorian")),
        drums=("swing_ride",), kits=("brushes", "acoustic"),
        bass=("walking",), bass_voices=("upright_bass",),
        comp=("charleston", "stabs"), comp_voices=("piano", "epiano", "clean_guitar", "vibes"),
        leads=("sax", "brass", "piano", "vibes"), lead_density=(0.4, 0.8), loudness=(-27, -18), reverb=(0.6, 1.5)),
    "metal": Recipe(
        tempo=(130, 200), swing=(0.0, 0.0),
        progressions=(("i5 i5 bVI5 bVII5", "minor"), ("i5 bII5 i5 bII5", "phrygian"),
                      ("i5 bVII5 bVI5 V5", "harmonic_minor"), ("i5 i5 iv5 v5", "minor")),
        drums=("double_kick", "blast", "rock8"), kits=("heavy",),
        bass=("gallop", "eighths"), bass_voices=("dist_bass", "pick_bass"),
        comp=("gallop", "eighths", "sustain"), comp_voices=("metal_guitar",),
        leads=("metal_guitar", "rock_guitar"), lead_density=(0.3, 0.7), loudness=(-22, -13), reverb=(0.4, 1.0), power=1.0, lead_prob=0.5),
    "pop": Recipe(
        tempo=(88, 128), swing=(0.0, 0.15),
        progressions=(("I V vi IV", "major"), ("vi IV I V", "major"), ("I vi IV V", "major_pentatonic"),
                      ("IV I V vi", "major")),
        drums=("backbeat", "backbeat", "four_floor"), kits=("acoustic", "808", "disco"),
        bass=("syncopated", "eighths", "roots"), bass_voices=("synth_bass", "finger_bass"),
        comp=("quarters", "arpeggio", "sustain", "offbeats"), comp_voices=("piano", "pad", "clean_guitar", "synth_pluck"),
        leads=("synth_lead", "piano", "bell", "synth_pluck"), lead_density=(0.4, 0.7), loudness=(-17, -11), reverb=(0.6, 1.4)),
    "reggae": Recipe(
        tempo=(66, 92), swing=(0.1, 0.4),
        progressions=(("I IV", "major"), ("i iv", "minor"), ("I V vi IV", "major"), ("I IV V IV", "major"),
                      ("i bVII", "dorian")),
        drums=("one_drop", "steppers"), kits=("acoustic",),
        bass=("reggae",), bass_voices=("deep_bass", "sub_bass", "finger_bass"),
        comp=("skank", "offbeats"), comp_voices=("muted_guitar", "organ", "clean_guitar"),
        leads=("melodica", "organ", "brass"), lead_density=(0.3, 0.6), loudness=(-22, -15), reverb=(0.8, 2.0)),
    "rock": Recipe(
        tempo=(105, 155), swing=(0.0, 0.0),
        progressions=(("I IV V IV", "major"), ("I bVII IV I", "mixolydian"), ("I V vi IV", "major"),
                      ("I I IV V", "major_pentatonic"), ("i bVII bVI bVII", "minor")),
        drums=("rock8", "backbeat"), kits=("acoustic", "heavy"),
        bass=("eighths", "roots"), bass_voices=("finger_bass", "pick_bass"),
        comp=("eighths", "sustain", "quarters"), comp_voices=("rock_guitar", "crunch_guitar"),
        leads=("rock_guitar", "organ", "crunch_guitar"), lead_density=(0.3, 0.6), loudness=(-22, -15), reverb=(0.5, 1.2), power=0.7),
}


@dataclass(frozen=True)
class Part:
    """One instrument's notes (``patterns.Note``), its voice and its mix level (linear RMS)."""

    name: str
    voice: Voice
    notes: list[pat.Note]
    gain: float


@dataclass(frozen=True)
class Arrangement:
    """Everything the renderer needs to play one track.

    Attributes
    ----------
    tempo : float
        Beats per minute.
    swing, swing_unit : float
        Swing amount (0 straight, 1 triplet feel) applied to off-beat ``swing_unit`` notes (beats).
    rubato : float
        Relative depth of a slow tempo wave (0: strict time).
    start_beat : float
        Beat at which the excerpt starts (clips start mid-song, not on a downbeat).
    humanize : float
        Standard deviation of the timing jitter of each note, in seconds.
    parts : tuple of Part
    reverb_seconds, reverb_mix : float
        Decay time (RT60) and level of the room.
    noise_db : float
        Level of the background hiss relative to the music's RMS.
    tilt : tuple of float
        Gains added to a low (<250 Hz) and high (>3.5 kHz) band: the recording's colour.
    rms_dbfs : float
        Loudness of the finished clip: its RMS in dB relative to full scale.
    """

    tempo: float
    swing: float
    swing_unit: float
    rubato: float
    start_beat: float
    humanize: float
    parts: tuple[Part, ...]
    reverb_seconds: float
    reverb_mix: float
    noise_db: float
    tilt: tuple[float, float]
    rms_dbfs: float


def _choice(options, rng: np.random.Generator):
    return options[int(rng.integers(len(options)))]


def arrange(genre: str, rng: np.random.Generator, *, seconds: float,
            production: Production | None = None) -> Arrangement:
    """Draw the arrangement of one ``seconds``-long track of ``genre``, by the artist of ``production``.

    Without ``production`` every option is drawn from the genre's recipe; with it, the artist's
    tempo range, key, choices, instrument timbres and mix are used, each choice with probability
    ``LOYALTY`` (else drawn afresh), and the mix varies a little around the artist's.
    """
    own = RECIPES[genre]
    artist = production

    def recipe() -> Recipe:  # the genre's own recipe, or now and then another genre's
        return RECIPES[_choice(GENRES, rng)] if rng.random() < BORROW else own

    def level(db: float, part: str) -> float:
        if artist is None:
            return 10.0 ** ((db + rng.uniform(-4.0, 4.0)) / 20.0)
        return 10.0 ** ((db + artist.levels_db[part] + rng.uniform(-1.5, 1.5)) / 20.0)

    def choose(field: str, r: Recipe):  # the artist's option of a recipe field, or a fresh draw
        if artist is not None and r is own and field in artist.choices and rng.random() < LOYALTY:
            return artist.choices[field], True
        return _choice(getattr(r, field), rng), False

    def voice(field: str, r: Recipe, part: str) -> Voice:
        name, loyal = choose(field, r)
        return VOICES[name](artist.timbre_rng(part) if loyal else rng)

    r = recipe()
    tempo_range = artist.tempo if artist is not None and r is own else r.tempo
    tempo, swing, rubato = rng.uniform(*tempo_range), rng.uniform(*r.swing), rng.uniform(*r.rubato)
    swing_unit = r.swing_unit
    text, scale = choose("progressions", recipe())[0]
    progression = pat.parse_progression(text)
    span = progression[-1].start + progression[-1].length
    start_beat = rng.uniform(0.0, span)
    n_bars = int(np.ceil((start_beat + seconds * tempo * (1.0 + rubato) / 60.0) / pat.BEATS_PER_BAR)) + 1
    chords = pat.loop_progression(progression, n_bars)
    key = artist.key if artist is not None else int(rng.integers(12))
    parts = []

    r = recipe()
    if r.drums and rng.random() < 0.97:
        kit_name, loyal_kit = choose("kits", r)
        kit = KITS[kit_name]
        hits = pat.drum_hits(choose("drums", r)[0], n_bars, rng, ghost=rng.uniform(0.0, 0.06),
                             drop=rng.uniform(0.0, 0.1), fill=rng.uniform(0.1, 0.5))
        drum_db = rng.uniform(-3.0, 3.0)
        parts += [Part(piece, kit[piece](artist.timbre_rng(piece) if loyal_kit else rng), notes,
                       level(DRUM_LEVELS_DB[piece] + drum_db, "drums"))
                  for piece, notes in hits.items()]
    r = recipe()
    if rng.random() < 0.95:
        notes = pat.bass_line(choose("bass", r)[0], chords, 28 + key, rng)
        parts.append(Part("bass", voice("bass_voices", r, "bass"), notes, level(-2.0, "bass")))
    r = recipe()
    if rng.random() < 0.95 or not parts:  # a track always has something to play
        notes = pat.comp_notes(choose("comp", r)[0], chords, key, rng, low=int(rng.integers(48, 56)),
                               power=rng.random() < r.power)
        parts.append(Part("comp", voice("comp_voices", r, "comp"), notes, level(-4.0, "comp")))
    r = recipe()
    if rng.random() < r.lead_prob:
        notes = pat.melody(chords, key, pat.SCALES[scale], rng, density=rng.uniform(*r.lead_density),
                           step=float(rng.choice([0.5, 0.25], p=[0.7, 0.3])))
        parts.append(Part("lead", voice("leads", r, "lead"), notes, level(-3.0, "lead")))

    r = recipe()
    if artist is None:
        room = dict(reverb_seconds=rng.uniform(*r.reverb), reverb_mix=rng.uniform(0.1, 0.5),
                    noise_db=rng.uniform(-55.0, -35.0), tilt=(rng.uniform(-0.25, 0.3), rng.uniform(-0.25, 0.3)))
    else:
        room = dict(reverb_seconds=artist.reverb_seconds * rng.uniform(0.9, 1.1),
                    reverb_mix=float(np.clip(artist.reverb_mix + rng.uniform(-0.05, 0.05), 0.05, 0.6)),
                    noise_db=artist.noise_db + rng.uniform(-2.0, 2.0),
                    tilt=tuple(t + rng.uniform(-0.05, 0.05) for t in artist.tilt))
    return Arrangement(tempo=tempo, swing=swing, swing_unit=swing_unit, rubato=rubato, start_beat=start_beat,
                       humanize=rng.uniform(0.002, 0.012), parts=tuple(parts), rms_dbfs=rng.uniform(*r.loudness),
                       **room)
