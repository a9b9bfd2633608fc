"""The discussion of a comparison, written from its numbers (nothing in it is typed by hand).

Every comparing sentence comes from :mod:`course_utils.evaluate.wording`: two models differ only
when McNemar's test (Holm-corrected over the run's tests) and the paired bootstrap both say so.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

import pandas as pd

from course_utils.compare.run import Comparison
from course_utils.evaluate import accuracy_interval, load_results, paired_table, wording

TOP_CHAPTER_ROWS = 3  # chapter rows the discussion tests against the best model (all are in the table)

def chapter_rows(comparison: Comparison) -> pd.DataFrame:
    """Models the chapters recorded on exactly this protocol's test tracks that the comparison does not run.

    Chapters 8 to 11 train more models than the comparison's recipes (the LSTM on embedding frames,
    the augmented CNN, the scalogram CNN, ...); when they ran under the same protocol (data set,
    profile, split, seed, test tracks), their registry rows are read back here, newest first.

    Returns
    -------
    pd.DataFrame
        ``model, features, accuracy, accuracy_low, accuracy_high`` (Wilson), ``train_seconds,
        n_params, predictions``; one row per (model, features), best accuracy first.
    """
    columns = ["model", "features", "accuracy", "accuracy_low", "accuracy_high", "train_seconds", "n_params",
               "predictions"]
    rows = load_results(latest=False)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    compared = set(zip(comparison.results["model"], comparison.results["features"]))
    mine = rows[[comparison.protocol.matches(row) and (row["model"], row["features"]) not in compared
                 for _, row in rows.iterrows()]]
    mine = mine.sort_values("recorded_at", ascending=False).drop_duplicates(["model", "features"])
    out = []
    for row in mine.itertuples():
        tracks = row.predictions
        low, high = accuracy_interval(int((tracks["label"] == tracks["predicted"]).sum()), len(tracks))
        out.append({"model": row.model, "features": row.features, "accuracy": row.accuracy, "accuracy_low": low,
                    "accuracy_high": high, "train_seconds": row.train_seconds, "n_params": row.n_params,
                    "predictions": tracks})
    return pd.DataFrame(out, columns=columns).sort_values("accuracy", ascending=False, ignore_index=True)


def _model(results: pd.DataFrame, label: str) -> str:
    row = results.loc[label]
    return f"{label} ({row['accuracy']:.0%}, 95 % interval {row['accuracy_low']:.0%}-{row['accuracy_high']:.0%})"


def discussion(comparison: Comparison) -> str:
    """A few paragraphs of Markdown on what this run's numbers say: the best model and which others are
    not reliably worse (by :data:`course_utils.evaluate.wording.RULE`), what each family reached, what the
    comparison leaves out, what accuracy costs, the hardest genres and mistakes (models that answer one genre
    for every track left out),
    and how far the figures can be trusted."""
    results, protocol = comparison.results.set_index("label"), comparison.protocol
    best = results.index[0]
    n = len(comparison.predictions[comparison.best])
    paired = wording.with_verdicts(comparison.paired())
    lines = [f"**The best model and its rivals.** On these {n} test tracks the most accurate model is "
             f"{_model(results, best)}. " + wording.against_reference(best, paired, name="label")]
    lines.append(f" The rule behind these words: {wording.RULE}.")

    families = results.reset_index().drop_duplicates("family")
    lines.append("\n\n**Families.** The best of each family: " + "; ".join(
        f"{row.family}: {row.label} {row.accuracy:.0%}" for row in families.itertuples()) + ".")
    extras = chapter_rows(comparison)
    if not extras.empty:
        top = extras.head(TOP_CHAPTER_ROWS)
        names = [f"{r.model} on {r.features}" for r in top.itertuples()]
        against = paired_table({best: comparison.predictions[comparison.best], **dict(zip(names, top["predictions"]))},
                               reference=best, seed=protocol.seed)
        more = len(extras) - len(top)
        lines.append(f" The chapters also recorded {len(extras)} model{'s' if len(extras) > 1 else ''} on exactly "
                     "these test tracks that the comparison does not run (the chapter rows above); the most "
                     "accurate: " + "; ".join(f"{name} {acc:.0%}" for name, acc in zip(names, top["accuracy"]))
                     + (f" (and {more} more)" if more else "") + ". Against the best model: "
                     + wording.against_reference(best, against))
    else:
        lines.append(" No chapter recorded other models on exactly these test tracks (run chapters 8 to 11 "
                     "with this data set and profile to add their own best models, such as the LSTM on "
                     "embedding frames and the augmented CNN).")
    if not comparison.skipped.empty:
        lines.append(f" Missing from this run: {wording.join(comparison.skipped['key'].tolist())}, whose "
                     "pretrained weights this run cannot load (the skipped table above says why and how to get "
                     "them); the ranking says nothing about them.")

    contenders = [best, *paired.loc[paired["verdict"] == wording.VERDICTS["none"], "label"]]
    cheapest = results.loc[contenders, "train_seconds"].idxmin()
    lines.append(f"\n\n**Cost.** The best model trained in {results.loc[best, 'train_seconds']:.1f} s "
                 f"with {results.loc[best, 'n_params']:,} parameters.")
    if cheapest != best:
        lines.append(f" Among the models with no measurable difference from it (both tests agree), {cheapest} "
                     f"trained fastest: {results.loc[cheapest, 'train_seconds']:.1f} s with "
                     f"{results.loc[cheapest, 'n_params']:,} parameters, a cheaper choice at no loss these test "
                     "tracks can measure.")
    else:
        lines.append(" No model with no measurable difference from it trained faster.")

    constant = results.index[results["key"].isin(comparison.constant)].tolist()
    models = results.drop(index=constant)
    mean_f1 = comparison.per_class_f1.loc[models.index].mean().sort_values()
    lowest, highest = mean_f1.iloc[0], mean_f1.iloc[-1]
    hardest = wording.join(mean_f1.index[mean_f1 == lowest].tolist())
    easiest = wording.join(mean_f1.index[mean_f1 == highest].tolist())
    mistakes = comparison.confused_genres(top=len(protocol.labels) ** 2)
    over = f"the {len(models)} models"
    if constant:
        over += f" that give different tracks different genres (not {wording.join(constant)})"
    lines.append(f"\n\n**Genres.** Averaged over {over}, the hardest genre is {hardest} (mean F1 {lowest:.2f}) "
                 f"and the easiest {easiest} ({highest:.2f}). "
                 + wording.most_frequent_mistake(mistakes, n_models=len(models), left_out=constant))

    caveats = [f"one test track is {1 / n:.0%} of accuracy"]
    if protocol.dataset.synthetic:
        caveats.append("the clips are synthetic, so the ranking shows how the methods behave, not how they do "
                       "on real music")
    if protocol.profile.name == "quick":
        caveats.append("this is the quick profile (few tracks, few epochs), so the neural networks are far "
                       "from trained")
    lines.append("\n\n**How far to trust this.** " + "; ".join(caveats).capitalize() + ". The paired tests, not "
                 "the point estimates, say which differences the test tracks can resolve.")
    return "".join(lines)
