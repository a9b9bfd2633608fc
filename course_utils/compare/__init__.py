"""Every model of the course on one protocol: the same tracks, split, seed and profile.

- :mod:`~course_utils.compare.protocol`: :class:`Protocol`, what every model of the comparison shares.
- :mod:`~course_utils.compare.kaggle`: the same models on all of GTZAN's features, fault-filtered and random splits.
- :mod:`~course_utils.compare.discussion`: the chapter's discussion, written from the run's numbers, and the
  models the chapters recorded on the same test tracks (:func:`chapter_rows`).
- :mod:`~course_utils.compare.run`: :func:`run_all` trains the models (:data:`~course_utils.compare.run.COMPARED`,
  defined in :mod:`course_utils.zoo`) whose records the registry lacks, reuses the others by fingerprint,
  and returns a :class:`Comparison` with bootstrap intervals and paired tests.

Used in: book/12_comparison.ipynb.
"""

from course_utils.compare.discussion import chapter_rows, discussion
from course_utils.compare.kaggle import split_effect
from course_utils.compare.protocol import Protocol
from course_utils.compare.run import COMPARED, Comparison, compared_models, run_all

__all__ = ["COMPARED", "Comparison", "Protocol", "chapter_rows", "compared_models", "discussion", "run_all",
           "split_effect"]
