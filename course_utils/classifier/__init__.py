"""Genre classifiers you can train, save in one file, load back and run on audio files.

- :mod:`~course_utils.classifier.recipes`: the models ``genre-classify train --model`` offers.
- :mod:`~course_utils.classifier.temperature`: the one number that scales a model's probabilities.
- :mod:`~course_utils.classifier.inputs`: how a clip becomes a vector (pooled embedding, feature row).
- :mod:`~course_utils.classifier.lite`: musicnn as a LiteRT network (predicting without TensorFlow).
- :mod:`~course_utils.classifier.genre`: :class:`GenreClassifier` (predict, evaluate) and :func:`train_classifier`.
- :mod:`~course_utils.classifier.estimators`, :mod:`~course_utils.classifier.storage`: the saved file;
  :mod:`~course_utils.classifier.sklearn_format` (skops and its allow-list),
  :mod:`~course_utils.classifier.consistency` (its parts agree), :mod:`~course_utils.classifier.training`
  (its training tracks, and their overlap with an evaluated set).
- :mod:`~course_utils.classifier.files`, :mod:`~course_utils.classifier.output`: paths in, text out.

Used in: the ``genre-classify`` command line (:mod:`course_utils.cli`).
"""

from course_utils.classifier.files import find_audio_files, predict_paths
from course_utils.classifier.genre import Evaluation, GenreClassifier, Predictions, load_classifier, train_classifier
from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.classifier.output import FORMATS, format_evaluation, format_predictions
from course_utils.classifier.recipes import DEFAULT_RECIPE, RECIPES, Recipe, get_recipe
from course_utils.classifier.storage import FORMAT_VERSION, SavedModelError, save_classifier
from course_utils.classifier.training import Overlap, TrainingTracks

__all__ = [
    "DEFAULT_RECIPE", "FORMATS", "FORMAT_VERSION", "RECIPES", "EmbeddingInput", "Evaluation", "FeatureInput",
    "GenreClassifier", "Overlap", "Predictions", "Recipe", "SavedModelError", "TrainingTracks", "find_audio_files",
    "format_evaluation", "format_predictions", "get_recipe", "load_classifier", "predict_paths",
    "save_classifier", "train_classifier",
]
