"""Train any model of the course by its definition: a late fusion together with its streams, any other
model on its own.

Used in: book/12_comparison.ipynb, through :func:`course_utils.compare.run_all`.
"""

from __future__ import annotations

from course_utils.config import Profile
from course_utils.zoo.fusion import late_fusion
from course_utils.zoo.inputs import Inputs
from course_utils.zoo.spec import FUSIONS, ModelSpec


def fit(spec: ModelSpec, *, dataset, split, profile: Profile, seed: int, inputs: Inputs | None = None,
        verbose: bool = True):
    """Train ``spec`` on the training tracks, score the test tracks and write its record.

    A fusion (``"fusion, average"``, ``"fusion, joined"``) is trained by :func:`late_fusion`, which trains
    its stream CNNs and records all of them; any other model by :meth:`ModelSpec.fit`.

    Returns
    -------
    Run, Fitted or LateFusion
    """
    options = dict(dataset=dataset, split=split, profile=profile, seed=seed, inputs=inputs, verbose=verbose)
    return late_fusion(**options) if spec.trainer in FUSIONS else spec.fit(**options)
