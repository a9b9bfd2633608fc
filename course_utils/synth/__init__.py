"""A synthetic GTZAN: short pieces of music in the 10 GTZAN genres, made by synthesis.

Each clip is arranged from its genre's recipe (tempo, drum pattern, bass line, chord
progression, scale, instrument timbres) with random overlap between genres, so a
classifier can learn the task without it being trivial. Used when the real data set is
absent (CI, quick runs) and to show what features capture.

Modules: ``instruments`` (synthesised voices), ``patterns`` (musical material),
``genres`` (one recipe per genre), ``render`` (mixing a track), ``dataset`` (writing files).
"""

from course_utils.synth.dataset import make_synthetic_gtzan, synthetic_set_is_complete
from course_utils.synth.genres import GENRES
from course_utils.synth.render import render_track

__all__ = ["GENRES", "make_synthetic_gtzan", "render_track", "synthetic_set_is_complete"]
