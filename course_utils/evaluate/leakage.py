"""What a leaky split does to a score, put in words computed from the scores themselves.

Used in: book/06_evaluation_and_splits.ipynb.
"""

from __future__ import annotations

from course_utils.errors import ConfigError


def artist_effect_sentence(by_track: float, by_artist: float, *, margin: float = 0.0,
                           what: str = "track accuracy") -> str:
    """One sentence comparing a score with random tracks held out and with whole artists held out.

    Parameters
    ----------
    by_track, by_artist : float
        The same model's score (a fraction in [0, 1]) on a random track split and on an
        artist-disjoint split.
    margin : float
        Differences no larger than this (e.g. the spread of repeated splits) are called
        indistinguishable rather than an effect.
    what : str
        The name of the score.

    Returns
    -------
    str
        e.g. ``"Holding out whole artists instead of random tracks moves the track accuracy from
        80.0% to 60.0% (-20.0 points): part of the random-track score came from recognising artists
        the model had already heard."``
    """
    for name, value in (("by_track", by_track), ("by_artist", by_artist)):
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{name} must be a score between 0 and 1, got {value!r}")
    if margin < 0:
        raise ConfigError(f"margin must be zero or positive, got {margin!r}")
    gap = by_artist - by_track
    head = (f"Holding out whole artists instead of random tracks moves the {what} from {by_track:.1%} "
            f"to {by_artist:.1%} ({gap * 100:+.1f} points)")
    if abs(gap) <= margin:
        return (f"{head}: no more than the spread of the repeated splits ({margin * 100:.1f} points), so this "
                "run cannot tell the two apart; more test tracks would.")
    if gap < 0:
        return f"{head}: part of the random-track score came from recognising artists the model had already heard."
    return (f"{head}: here the artist split scored higher, so no artist effect shows in this run "
            "(with few test tracks, chance can do that).")
