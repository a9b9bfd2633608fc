"""The discussion of a comparison, written from its numbers (nothing in it is typed by hand).

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

from course_utils.compare.run import Comparison

SIGNIFICANCE = 0.05


def _model(comparison: Comparison, key: str) -> str:
    row = comparison.results.set_index("key").loc[key]
    return f"{key} ({row['accuracy']:.0%}, 95 % interval {row['accuracy_low']:.0%}-{row['accuracy_high']:.0%})"


def discussion(comparison: Comparison) -> str:
    """A few paragraphs of Markdown on what this run's numbers say: the best model and which others are
    not reliably worse, what each family reached, what accuracy costs, the hardest genres, and how far
    the figures can be trusted."""
    results, protocol = comparison.results.set_index("key"), comparison.protocol
    n = len(comparison.predictions[comparison.best])
    paired = comparison.paired().set_index("key")
    tied = paired.index[paired["p_value"] >= SIGNIFICANCE].tolist()
    lines = [f"**The best model and its rivals.** On these {n} test tracks the most accurate model is "
             f"{_model(comparison, comparison.best)}."]
    if tied:
        lines.append(f" {len(tied)} of the other {len(paired)} models are not reliably worse on the same tracks "
                     f"(McNemar p ≥ {SIGNIFICANCE}): {', '.join(tied)}. Their gaps to the best may be chance.")
    else:
        lines.append(" Every other model is reliably worse on the same tracks (McNemar p < "
                     f"{SIGNIFICANCE} for each).")
    families = results.reset_index().sort_values("accuracy", ascending=False).drop_duplicates("family")
    lines.append("\n\n**Families.** The best of each family: " + "; ".join(
        f"{row.family}: {row.key} {row.accuracy:.0%}" for row in families.itertuples()) + ".")
    contenders = results.loc[[comparison.best, *tied]]
    cheapest = contenders["train_seconds"].idxmin()
    lines.append(f"\n\n**Cost.** The best model trained in {results.loc[comparison.best, 'train_seconds']:.1f} s "
                 f"with {results.loc[comparison.best, 'n_params']:,} parameters.")
    if cheapest != comparison.best:
        lines.append(f" Among the models not reliably worse, {cheapest} trained fastest: "
                     f"{results.loc[cheapest, 'train_seconds']:.1f} s with {results.loc[cheapest, 'n_params']:,} "
                     "parameters, a cheaper choice at no measurable loss.")
    mean_f1 = comparison.per_class_f1.mean().sort_values()
    pair = comparison.confused_genres(top=1).iloc[0]
    lines.append(f"\n\n**Genres.** Averaged over the models, the hardest genre is {mean_f1.index[0]} (mean F1 "
                 f"{mean_f1.iloc[0]:.2f}) and the easiest {mean_f1.index[-1]} ({mean_f1.iloc[-1]:.2f}). The most "
                 f"frequent mistake is {pair['true']} taken for {pair['predicted']}: {pair['tracks']} times, by "
                 f"{pair['models']} of the {len(results)} models.")
    caveats = [f"one test track is {1 / n:.0%} of accuracy"]
    if protocol.dataset.synthetic:
        caveats.append("the clips are synthetic, so the ranking shows how the methods behave, not how they do "
                       "on real music")
    if protocol.profile.name == "quick":
        caveats.append("this is the quick profile (few tracks, few epochs), so the neural networks are far "
                       "from trained")
    lines.append("\n\n**How far to trust this.** " + "; ".join(caveats).capitalize() + ". The intervals, not "
                 "the point estimates, say which differences the test tracks can resolve.")
    return "".join(lines)
