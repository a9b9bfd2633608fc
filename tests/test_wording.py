"""Sentences that compare numbers: ties, overlapping intervals and tests that disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils import evaluate
from course_utils.errors import ConfigError
from course_utils.evaluate import wording
from course_utils.evaluate.significance import PairedComparison


def tracks(right: list[bool]) -> pd.DataFrame:
    """Test-track predictions, right where ``right`` says so."""
    n = len(right)
    return pd.DataFrame({"track_id": [f"blues.{i:05d}" for i in range(n)], "label": ["blues"] * n,
                         "predicted": ["blues" if r else "rock" for r in right]})


def test_holm_multiplies_the_smallest_p_by_m_and_keeps_the_order():
    adjusted = evaluate.holm([0.01, 0.04, 0.03, 0.5])
    np.testing.assert_allclose(adjusted, [0.04, 0.09, 0.09, 0.5])
    assert evaluate.holm([0.6, 0.6]).tolist() == [1.0, 1.0]
    with pytest.raises(ConfigError, match="between 0 and 1"):
        evaluate.holm([0.2, 1.5])


def test_verdict_needs_both_tests_and_names_disagreement():
    assert wording.verdict(0.2, 0.1, 0.3, 0.001) == "reference"
    assert wording.verdict(-0.2, -0.3, -0.1, 0.001) == "model"
    assert wording.verdict(0.05, -0.02, 0.12, 0.4) == "none"
    assert wording.verdict(0.1, 0.01, 0.17, 0.09) == "disagree"  # interval excludes 0, McNemar does not
    assert wording.verdict(0.1, -0.01, 0.2, 0.03) == "disagree"


def test_compare_two_says_more_accurate_only_when_it_is():
    clear = evaluate.paired_comparison(tracks([True] * 40), tracks([True] * 20 + [False] * 20))
    assert wording.compare_two("A", "B", clear).startswith("**A is more accurate than B**")
    assert wording.compare_two("B", "A", evaluate.paired_comparison(tracks([True] * 20 + [False] * 20),
                                                                    tracks([True] * 40))
                               ).startswith("**A is more accurate than B**")
    overlap = evaluate.paired_comparison(tracks([True, False] * 20), tracks([False, True] * 20))
    assert "No measurable difference" in wording.compare_two("A", "B", overlap)
    disagree = PairedComparison(n=30, only_a=7, only_b=1, difference=0.2, low=0.03, high=0.37, p_value=0.07)
    sentence = wording.compare_two("XGBoost", "SVM", disagree)
    assert sentence.startswith("**The tests disagree**") and "more accurate" not in sentence
    # a Holm-corrected p-value can turn a difference into none
    assert "disagree" in wording.compare_two("A", "B", clear, p_value=0.2)


def test_against_reference_groups_models_by_verdict_with_holm():
    reference = tracks([True] * 40)
    table = evaluate.paired_table({"ref": reference, "weak": tracks([True] * 20 + [False] * 20),
                                   "same": tracks([True] * 39 + [False]), "also same": reference},
                                  reference="ref")
    assert table["p_holm"].ge(table["p_value"]).all()
    text = wording.against_reference("ref", table)
    assert "*ref* is more accurate than *weak*" in text
    assert "*ref* shows no measurable difference from *same* and *also same*" in text
    assert text.startswith("On these 40 test tracks (3 paired tests, Holm-corrected")
    assert wording.with_verdicts(table).set_index("model").loc["weak", "verdict"] == "reference better"


def test_rank_times_states_ties_within_the_tolerance():
    text = wording.rank_times({"CNN": 5.95, "LSTM": 1.27, "BiLSTM": 1.2}, what="Per epoch")
    assert text.startswith("Per epoch: BiLSTM (1.2 s) and LSTM (1.27 s) are the quickest")
    assert "CNN (5.95 s, 5.0 times as long)" in text
    assert "is the quickest" in wording.rank_times({"a": 1.0, "b": 2.0})
    with pytest.raises(ConfigError):
        wording.rank_times({"a": 0.0})


def confusion(counts: dict[tuple[str, str], int], labels=("blues", "country", "rock", "jazz")) -> pd.DataFrame:
    table = pd.DataFrame(0, index=list(labels), columns=list(labels))
    for label in labels:
        table.loc[label, label] = 5
    for (a, b), n in counts.items():
        table.loc[a, b] = n
    return table


def test_most_confused_states_a_three_way_tie():
    tie = confusion({("blues", "country"): 1, ("country", "rock"): 1, ("rock", "blues"): 1})
    text = wording.most_confused(tie)
    assert text.startswith("**blues, country and rock** tie for the most confused pair")
    one = wording.most_confused(confusion({("blues", "country"): 2, ("country", "rock"): 1}))
    assert one.startswith("The most confused pair is **blues and country**") and "2 blues tracks" in one
    two = wording.most_confused(confusion({("blues", "country"): 1, ("rock", "jazz"): 1}))
    assert two.startswith("2 pairs tie") and "**blues and country**" in two and "**rock and jazz**" in two
    assert wording.most_confused(confusion({})) == "No two genres are mixed up on these test tracks."


def test_most_frequent_mistake_states_ties_and_what_was_left_out():
    mistakes = pd.DataFrame({"true": ["rock", "blues", "jazz"], "predicted": ["metal", "country", "blues"],
                             "tracks": [4, 4, 1], "models": [3, 2, 1]})
    text = wording.most_frequent_mistake(mistakes, n_models=5, left_out=["majority class"])
    assert "2 mistakes tie as the most frequent, 4 times each" in text
    assert "leaving out majority class" in text and "jazz" not in text


def test_best_of_states_a_shared_top_score():
    assert wording.best_of({"CNN": 0.8, "LSTM": 0.7}) == "**CNN** has the highest test track accuracy (0.80)."
    assert wording.best_of({"CNN": 0.8, "LSTM": 0.8, "MLP": 0.1}).startswith("**CNN and LSTM** share the highest")
