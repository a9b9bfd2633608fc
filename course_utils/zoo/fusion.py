"""Chapter 11's late fusion, trained once for the three records it makes: a CNN per view (each its own
model of the course), their averaged probabilities, and their joined embeddings under a new head.

Used in: book/11_multimodal.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_utils.config import Profile
from course_utils.zoo.inputs import Inputs


@dataclass(frozen=True)
class LateFusion:
    """What :func:`late_fusion` trained.

    Attributes
    ----------
    streams : dict of str to Run
        One trained CNN per view (``"spectrogram"``, ``"scalogram"``).
    average : Predictions
        The averaged probabilities on the test tracks.
    average_record : Path
        Its registry record.
    joined : Run
        The joined embeddings under a trained head.
    """

    streams: dict
    average: object
    average_record: Path
    joined: object


def late_fusion(*, dataset, split, profile: Profile, seed: int, inputs: Inputs | None = None,
                streams: dict | None = None, verbose: bool = True) -> LateFusion:
    """Train the stream CNNs (``"CNN, spectrogram stream"``, ``"CNN, scalogram stream"``), average them
    (``"fusion, average"``) and train a head on their joined embeddings (``"fusion, joined"``); record all four.

    Parameters
    ----------
    dataset, split, profile, seed
        As in :meth:`course_utils.zoo.ModelSpec.fit`.
    inputs : Inputs, optional
        The aligned views (``zoo.get("fusion, average").input.load(dataset, profile=profile)``).
    streams : dict of str to Run, optional
        The stream CNNs, already trained by their definitions on these inputs (as chapter 11 does
        first); default: trained here.
    """
    from course_utils import train
    from course_utils.evaluate import record_result
    from course_utils.models import fusion
    from course_utils.zoo.catalogue import get

    average_spec, joined_spec = get("fusion, average"), get("fusion, joined")
    options = dict(dataset=dataset, split=split, profile=profile, seed=seed)
    inputs = inputs or average_spec.input.load(dataset, profile=profile)
    if streams is None:
        streams = {}
        for key in average_spec.parts:
            view = get(key).input.params["view"]
            streams[view] = get(key).fit(inputs=inputs.pick(view), verbose=verbose, **options)
    labels = dataset.labels
    both = train.split_parts_sized(inputs.X, inputs.table, split, classes=labels, name="both views")
    average = fusion.average_fusion({view: run.model for view, run in streams.items()})
    averaged = train.predict_tracks(average, both["test"].X, both["test"].table, classes=labels)
    record = record_result(model=average_spec.name, features=inputs.features, scores=averaged.scores, split=split,
                           profile=profile, dataset=dataset,
                           train_seconds=sum(run.fit.train_seconds for run in streams.values()),
                           predict_seconds=averaged.seconds, n_params=average.count_params(), seed=seed,
                           predictions=averaged.tracks, fingerprint=average_spec.fingerprint(**options))
    if verbose:
        print(f"{average_spec.name}: test tracks {averaged.scores}")
    settings = joined_spec.settings(profile)
    joined = fusion.concat_fusion({view: run.model for view, run in streams.items()}, len(labels), seed=seed,
                                  **joined_spec.options)
    joined_run = train.evaluate_and_record(joined, both, features=inputs.features,
                                           name=joined_spec.name, epochs=settings["epochs"],
                                           batch_size=settings["batch_size"], patience=settings["patience"],
                                           made=joined_spec.fingerprint(**options), verbose=verbose, **options)
    return LateFusion(streams=streams, average=averaged, average_record=record, joined=joined_run)
