"""Every model of the course on one protocol: the same tracks, split, seed and profile.

- :mod:`~course_utils.compare.protocol`: :class:`Protocol`, and which registry rows belong to it.
- :mod:`~course_utils.compare.recipes`: one :class:`Recipe` per model (how its chapter trains it);
  baselines, classical models and linear models on embeddings.
- :mod:`~course_utils.compare.neural`: the recipes of the CNNs, recurrent networks and ImageNet backbones.
- :mod:`~course_utils.compare.multimodal`: the recipes of the late fusions and the combined model.
- :mod:`~course_utils.compare.kaggle`: the same models on all of GTZAN's features, fault-filtered and random splits.
- :mod:`~course_utils.compare.discussion`: the chapter's discussion, written from the run's numbers, and the
  models the chapters recorded on the same test tracks (:func:`chapter_rows`).
- :mod:`~course_utils.compare.run`: :func:`run_all` trains what the registry lacks, reuses the rest,
  and returns a :class:`Comparison` with bootstrap intervals and paired tests.

Used in: book/12_comparison.ipynb.
"""

from course_utils.compare.discussion import chapter_rows, discussion
from course_utils.compare.kaggle import split_effect
from course_utils.compare.multimodal import multimodal_recipes
from course_utils.compare.neural import neural_recipes
from course_utils.compare.protocol import Protocol
from course_utils.compare.recipes import Recipe, classical_recipes
from course_utils.compare.run import Comparison, run_all


def all_recipes() -> list[Recipe]:
    """Every model family of the course, in the order of the chapters."""
    return classical_recipes() + neural_recipes() + multimodal_recipes()


__all__ = ["Comparison", "Protocol", "Recipe", "all_recipes", "chapter_rows", "classical_recipes", "discussion", "multimodal_recipes",
           "neural_recipes", "run_all", "split_effect"]
