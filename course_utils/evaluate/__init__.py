"""Honest evaluation: scores per class and overall, track-level aggregation, confusions, results registry.

:mod:`course_utils.evaluate.reference` adds published figures and the Kaggle GTZAN feature table;
:mod:`course_utils.evaluate.significance` bootstrap intervals and paired comparisons of models;
:mod:`course_utils.evaluate.wording` the sentences that compare them.

Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb and every later chapter.
"""

from course_utils.evaluate.aggregate import aggregate_tracks
from course_utils.evaluate.confusion import confused_pairs, genre_similarity, similarity_linkage
from course_utils.evaluate.metrics import (Scores, accuracy_interval, classification_report, confusion_matrix,
                                          score)
from course_utils.evaluate import wording
from course_utils.evaluate.registry import load_results, record_result, results_dir
from course_utils.evaluate.significance import (PairedComparison, bootstrap_scores, holm, paired_comparison,
                                               paired_table)

__all__ = [
    "PairedComparison", "Scores", "accuracy_interval", "aggregate_tracks", "bootstrap_scores", "classification_report",
    "confused_pairs", "confusion_matrix", "genre_similarity", "holm", "load_results", "paired_comparison",
    "paired_table", "record_result", "results_dir", "score", "similarity_linkage", "wording",
]
