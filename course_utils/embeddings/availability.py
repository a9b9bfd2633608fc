"""Which pretrained embedding models this run can use: one decision that every chapter shares.

musicnn's weights ship with the install; YAMNet's come from a handle that may be out of reach
(offline, no ``$YAMNET_HANDLE``, a failed download). A chapter calls :func:`available_models` once,
shows the result (in a notebook it displays as a note saying which models are missing, why, and
how to get them) and carries on with ``.usable``. No chapter catches a loading error itself, and a
missing model is never replaced by an untrained one.

Used in: book/05_pretrained_embeddings.ipynb and the chapters that train on embeddings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from course_utils.embeddings import musicnn, yamnet
from course_utils.embeddings.common import WeightsError
from course_utils.errors import ConfigError

DEFAULT_MODELS = ("yamnet", "MSD_musicnn")
NAMES = {"yamnet": "YAMNet", **{m: f"musicnn ({m})" for m in musicnn.MODELS}}


@dataclass(frozen=True)
class ModelAvailability:
    """The outcome of :func:`available_models`.

    Attributes
    ----------
    usable : tuple of str
        The models that loaded, in the order asked for (the first is the preferred one).
    missing : dict of str to str
        Each model that did not load, with the reason (the loader's error message).
    sources : dict of str to str
        Where each usable model's weights came from.
    """

    usable: tuple[str, ...]
    missing: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __contains__(self, model: str) -> bool:
        return model in self.usable

    @property
    def preferred(self) -> str:
        """The first usable model; :class:`WeightsError` when none loaded."""
        if not self.usable:
            raise WeightsError("no embedding model could be loaded: " + "; ".join(
                f"{model}: {reason}" for model, reason in self.missing.items()))
        return self.usable[0]

    def table(self) -> pd.DataFrame:
        """One row per model asked for: ``model, available, from or why not``."""
        rows = [{"model": NAMES.get(m, m), "available": True, "from or why not": self.sources[m]} for m in self.usable]
        rows += [{"model": NAMES.get(m, m), "available": False, "from or why not": reason}
                 for m, reason in self.missing.items()]
        return pd.DataFrame(rows, columns=["model", "available", "from or why not"])

    def note(self) -> str:
        """A Markdown note for the rendered page: what runs, and for each missing model why and how to get it."""
        running = ", ".join(NAMES.get(m, m) for m in self.usable) or "none"
        if not self.missing:
            return f"**Pretrained models in this run:** {running}. All the models this chapter uses are available."
        lines = [f"> **Not available in this run: {', '.join(NAMES.get(m, m) for m in self.missing)}.** "
                 f"This page runs with {running} only; the cells and tables that need a missing model say so. "
                 "Why, and how to get it (the README's section *Pretrained weights* has the details):", ">"]
        lines += [f"> - **{NAMES.get(model, model)}**: {reason}" for model, reason in self.missing.items()]
        return "\n".join(lines)

    def skipped(self, model: str) -> str:
        """One line for a cell that leaves ``model`` out, naming the reason."""
        return f"{NAMES.get(model, model)} is not available in this run, so this step is skipped: {self.missing[model]}"

    def _repr_markdown_(self) -> str:
        return self.note()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(usable={self.usable}, missing={sorted(self.missing)})"


def available_models(models=DEFAULT_MODELS, *, handle: str | os.PathLike | None = None) -> ModelAvailability:
    """Try to load each embedding model; report which ones this run can use.

    Parameters
    ----------
    models : sequence of str
        Names from :data:`course_utils.embeddings.MODELS`, in order of preference.
    handle : str or path, optional
        YAMNet's handle (see :func:`course_utils.embeddings.yamnet_handle`).

    Returns
    -------
    ModelAvailability
        ``usable`` keeps the order of ``models``; a model whose weights cannot be had (a
        :class:`WeightsError`) is in ``missing`` with the reason. Any other error propagates.
    """
    if isinstance(models, str):
        models = (models,)
    unknown = [m for m in models if m != "yamnet" and m not in musicnn.MODELS]
    if unknown or not models:
        raise ConfigError(f"models must name some of yamnet, {', '.join(musicnn.MODELS)}; got {list(models)!r}")
    usable, missing, sources = [], {}, {}
    for model in dict.fromkeys(models):
        try:
            if model == "yamnet":
                yamnet.load_yamnet(handle)
                sources[model] = yamnet.yamnet_handle(handle)
            else:
                musicnn.load_musicnn(model)
                sources[model] = f"the {musicnn.WHEEL} wheel ({musicnn.weights_dir(model)})"
        except WeightsError as err:
            missing[model] = str(err)
        else:
            usable.append(model)
    return ModelAvailability(usable=tuple(usable), missing=missing, sources=sources)
