"""Honest evaluation: scores per class and overall, track-level aggregation, confusions, results registry.

:mod:`course_utils.evaluate.reference` adds published figures and the Kaggle GTZAN feature table;
:mod:`course_utils.evaluate.significance` bootstrap intervals and paired comparisons of models;
:mod:`course_utils.evaluate.fingerprints` what made each registry record;
:mod:`course_utils.evaluate.pipelines` the honest fit-and-score of the classical pipelines;
:mod:`course_utils.evaluate.leakage` the sentence on the artist effect;
:mod:`course_utils.evaluate.wording` the sentences that compare them.

Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb and every later chapter.
"""

from course_utils.evaluate.aggregate import aggregate_tracks
from course_utils.evaluate.confusion import confused_pairs, genre_similarity, similarity_linkage
from course_utils.evaluate.fingerprints import Fingerprint, fingerprint
from course_utils.evaluate.leakage import artist_effect_sentence
from course_utils.evaluate.metrics import (Scores, accuracy_interval, classification_report, confusion_matrix,
                                          score)
from course_utils.evaluate import wording
from course_utils.evaluate.pipelines import (Fitted, class_scores, fit_and_evaluate, grid_search, in_class_order,
                                             pipeline_definition)
from course_utils.evaluate.registry import load_results, record_result, results_dir, reusable
from course_utils.evaluate.significance import (PairedComparison, bootstrap_scores, holm, paired_comparison,
                                               paired_table)

__all__ = [
    "Fingerprint", "Fitted", "PairedComparison", "Scores", "accuracy_interval", "aggregate_tracks",
    "artist_effect_sentence", "bootstrap_scores", "class_scores", "classification_report", "confused_pairs",
    "confusion_matrix", "fingerprint", "fit_and_evaluate", "genre_similarity", "grid_search", "holm",
    "in_class_order", "load_results", "paired_comparison", "paired_table", "pipeline_definition", "record_result",
    "results_dir", "reusable", "score", "similarity_linkage", "wording",
]
