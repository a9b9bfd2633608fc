"""Every model of the course, defined once: its input, builder, hyper-parameters, training settings and names.

The chapter that teaches a model and the comparison of chapter 12 both train it through its
:class:`ModelSpec` (``zoo.get(key).fit(...)``), so nothing is typed twice and their registry records
carry the same fingerprint. A learner's change to a model (:func:`override`) is kept in the data
home and reaches every chapter.

- :mod:`~course_utils.zoo.inputs`: :class:`InputSpec`, the inputs (segments, embedding windows, tables, pictures).
- :mod:`~course_utils.zoo.spec`: :class:`ModelSpec`: build, fit, record, fingerprint.
- :mod:`~course_utils.zoo.catalogue`: the definitions; :func:`get`, :func:`specs`, :func:`override`, :func:`reset`.
- :mod:`~course_utils.zoo.fusion`: :func:`late_fusion`, chapter 11's streams and their two fusions.
- :mod:`~course_utils.zoo.training`: :func:`fit`, any model by its definition (a fusion with its streams).

Used in: book/07_classical_ml.ipynb to book/12_comparison.ipynb.
"""

from course_utils.zoo.catalogue import get, override, overrides, reset, specs
from course_utils.zoo.fusion import LateFusion, late_fusion
from course_utils.zoo.inputs import Inputs, InputSpec
from course_utils.zoo.spec import ModelSpec
from course_utils.zoo.training import fit

__all__ = ["InputSpec", "Inputs", "LateFusion", "ModelSpec", "fit", "get", "late_fusion", "override",
           "overrides", "reset", "specs"]
