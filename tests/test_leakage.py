"""The chapter 6 sentence on the artist effect, generated from the scores."""

import pytest

from course_utils.errors import ConfigError
from course_utils.evaluate import artist_effect_sentence


def test_a_drop_is_called_an_artist_effect():
    text = artist_effect_sentence(0.8, 0.6, margin=0.05)
    assert text.startswith("Holding out whole artists instead of random tracks moves the track accuracy "
                           "from 80.0% to 60.0% (-20.0 points)")
    assert "recognising artists" in text


def test_a_difference_within_the_margin_is_not_an_effect():
    text = artist_effect_sentence(0.62, 0.6, margin=0.05, what="segment accuracy")
    assert "segment accuracy from 62.0% to 60.0% (-2.0 points)" in text and "cannot tell the two apart" in text
    assert "recognising" not in text


def test_a_rise_is_said_plainly():
    text = artist_effect_sentence(0.5, 0.7)
    assert "(+20.0 points)" in text and "no artist effect shows" in text


@pytest.mark.parametrize("kwargs, match", [
    (dict(by_track=80.0, by_artist=0.6), "by_track must be a score between 0 and 1"),
    (dict(by_track=0.8, by_artist=-0.1), "by_artist"),
    (dict(by_track=0.8, by_artist=0.6, margin=-1), "margin"),
])
def test_bad_scores_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        artist_effect_sentence(**kwargs)
