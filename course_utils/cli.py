"""``genre-classify``: train, run and evaluate genre classifiers from a shell.

This module only parses arguments and calls :mod:`course_utils.classifier` (and the data layer),
so everything the command does is tested through the package. Results go to standard output;
progress bars, warnings and errors go to standard error, so CSV and JSON output stays clean.
Exit status: 0 on success, 1 when an error stopped the command or some file could not be
predicted, 2 for a command line that does not parse. TensorFlow's and LiteRT's own log lines are
left out of standard error unless ``--verbose`` is given (:mod:`course_utils.native_logs`).

Used in: the README's section *Command line*.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import warnings

PROG = "genre-classify"


def _train(args) -> int:
    from course_utils.classifier import train_classifier
    from course_utils.classifier.storage import check_output_path
    from course_utils.data import load_dataset

    check_output_path(args.output)   # before any work
    dataset = load_dataset(args.data_dir, on_error="skip" if args.skip_unreadable else "raise")
    print(f"data set  : {dataset.describe()}")
    classifier = train_classifier(dataset, model=args.model, seed=args.seed, n_jobs=args.jobs,
                                  cache=not args.no_cache)
    classifier.save(args.output)
    print(f"{classifier.describe()}\nsaved to  : {args.output}")
    return 0


def _report(problems) -> int:
    for problem in problems.itertuples(index=False):
        print(f"{PROG}: {problem.path}: {problem.problem}", file=sys.stderr)
    return 1 if len(problems) else 0


def _predict(args) -> int:
    from course_utils.classifier import format_predictions, load_classifier, predict_paths

    if args.output or args.jobs or args.resume:
        return _predict_library(args)
    classifier = load_classifier(args.model, trust=args.trust)
    predictions = predict_paths(classifier, args.paths, segments=args.segments, progress=not args.quiet)
    sys.stdout.write(format_predictions(predictions, format=args.format or "table"))
    return _report(predictions.problems)


def _predict_library(args) -> int:
    import pandas as pd

    from course_utils.classifier import find_audio_files
    from course_utils.classifier.library import predict_library
    from course_utils.errors import ConfigError

    if args.format not in (None, "csv"):
        raise ConfigError(f"--output, --jobs and --resume write CSV; --format {args.format} is not available with them")
    files, missing = find_audio_files(args.paths)
    run = predict_library(args.model, files, output=args.output, jobs=args.jobs, segments=args.segments,
                          resume=args.resume, progress=not args.quiet, trust=args.trust)
    if args.output:
        print(f"{PROG}: {run.predicted} files predicted into {args.output}"
              + (f", {run.skipped} already there" if args.resume else ""), file=sys.stderr)
    return _report(pd.concat([missing, run.problems], ignore_index=True))


def _evaluate(args) -> int:
    from course_utils.classifier import format_evaluation, load_classifier
    from course_utils.data import load_dataset

    classifier = load_classifier(args.model, trust=args.trust)
    dataset = load_dataset(args.data_dir, on_error="skip" if args.skip_unreadable else "raise")
    evaluation = classifier.evaluate(dataset, progress=not args.quiet)
    print(classifier.describe())
    sys.stdout.write(format_evaluation(evaluation))
    overlap_warning = evaluation.overlap.warning() if evaluation.overlap is not None else None
    if overlap_warning:
        print(f"{PROG}: warning: {overlap_warning}", file=sys.stderr)
    return _report(evaluation.predictions.problems)


def _synth(args) -> int:
    from course_utils.synth import make_synthetic_gtzan

    folder = make_synthetic_gtzan(args.out_dir, n_per_genre=args.per_genre, duration=args.seconds, seed=args.seed,
                                  progress=True)
    print(f"wrote {args.per_genre} clips of {args.seconds:g} s per genre to {folder}")
    return 0


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``genre-classify`` (every option documented in its ``--help``)."""
    from course_utils import __version__
    from course_utils.classifier import DEFAULT_RECIPE, FORMATS, RECIPES
    from course_utils.config import get_profile

    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Music genre classification from the command line: train a model on a labelled folder "
                    "of audio, save it to one file, and use it to predict or evaluate.",
        epilog=f"example:\n  {PROG} synth synth-data --per-genre 10 --seconds 10\n"
               f"  {PROG} train synth-data -o genres.gcm\n"
               f"  {PROG} predict -m genres.gcm song.mp3 music/ --format csv > genres.csv\n"
               f"  {PROG} evaluate -m genres.gcm other-data/\n"
               f"\n'{PROG} COMMAND --help' documents each command.")
    parser.add_argument("--version", action="version", version=f"%(prog)s (course_utils {__version__})")
    commands = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="also show TensorFlow's and LiteRT's own log lines on standard error (hidden by default)")
    trusting = argparse.ArgumentParser(add_help=False)
    trusting.add_argument("--trust", metavar="SHA256",
                          help="load a model whose estimator names types outside the course's allow-list; give the "
                               "file's SHA-256, which the refusal shows. Building such types can run code: only for "
                               "a file whose origin you trust")
    models = "\n".join(f"  {name:<16} {recipe.summary}" for name, recipe in RECIPES.items())
    train = commands.add_parser(
        "train", parents=[common], help="train a model on a labelled folder and save it",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a genre classifier on every track of DATA_DIR and save it to one file.",
        epilog=f"models (--model):\n{models}")
    train.add_argument("data_dir", metavar="DATA_DIR",
                       help="folder of <label>/<audio files> in any layout the data layer reads "
                            "(e.g. GTZAN's genres/<genre>/*.au or Kaggle's Data/genres_original)")
    train.add_argument("-o", "--output", metavar="MODEL_PATH", required=True,
                       help="file to write the trained model to (replaced only if it is a saved model; checked "
                            "before training)")
    train.add_argument("--model", default=DEFAULT_RECIPE, choices=list(RECIPES), metavar="NAME",
                       help=f"which model to train (default: {DEFAULT_RECIPE}, the most accurate on real audio; "
                            "the list is below)")
    train.add_argument("--seed", type=int, default=42, help="seed of the model's randomness (default: 42)")
    train.add_argument("--jobs", type=_positive(int), default=None, metavar="N",
                       help="worker processes for handcrafted features (default: $COURSE_JOBS or every core)")
    train.add_argument("--no-cache", action="store_true",
                       help="neither read nor fill the feature and embedding caches in $COURSE_DATA_HOME")
    train.add_argument("--skip-unreadable", action="store_true",
                       help="leave out files that do not decode or last under 1 s (listed on standard error) "
                            "instead of stopping")
    train.set_defaults(run=_train)

    predict = commands.add_parser(
        "predict", parents=[common, trusting], help="predict the genre of audio files",
        description="Predict the genre of each audio file. Files that cannot be decoded are named on standard "
                    "error with the reason and get no row; the others are still predicted, and the exit "
                    "status is then 1.")
    predict.add_argument("-m", "--model", metavar="MODEL_PATH", required=True, help="a model saved by 'train'")
    predict.add_argument("paths", metavar="PATH", nargs="+",
                         help="an audio file, or a folder searched recursively for wav, au, flac, ogg, mp3 "
                              "(and aif/aiff) files; any clip of 1 s or more is predicted")
    predict.add_argument("--format", choices=FORMATS, default=None,
                         help="table (for people, the default); csv (header path,genre,<one probability "
                              "column per genre>, one row per file); json (a list of objects with the same keys)")
    predict.add_argument("--segments", action="store_true",
                         help="add the prediction over time, one per 3-s segment (csv: columns segment,start,end "
                              "after path, with segment 'all' for the whole file; json: a 'segments' list)")
    predict.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    predict.add_argument("-o", "--output", metavar="FILE", default=None,
                         help="for large libraries: write CSV to FILE, each file's rows flushed as soon as it "
                              "is predicted (with worker processes, see --jobs)")
    predict.add_argument("--jobs", type=_positive(int), default=None, metavar="N",
                         help="predict with N worker processes (default with --output: $COURSE_JOBS or every "
                              "core); the output is CSV, in the order of the files")
    predict.add_argument("--resume", action="store_true",
                         help="keep the rows already in --output FILE and predict only the files it lacks "
                              "(after an interruption)")
    predict.set_defaults(run=_predict)

    evaluate = commands.add_parser(
        "evaluate", parents=[common, trusting], help="score a model on a labelled folder",
        description="Predict every track of DATA_DIR and print how many of its tracks and artists the model was "
                    "trained on (with a warning on standard error when any), the accuracy with its 95% interval, "
                    "the per-genre report (precision, recall, F1) and the confusion matrix.")
    evaluate.add_argument("-m", "--model", metavar="MODEL_PATH", required=True, help="a model saved by 'train'")
    evaluate.add_argument("data_dir", metavar="DATA_DIR", help="folder of <label>/<audio files>, as for 'train'")
    evaluate.add_argument("--skip-unreadable", action="store_true",
                          help="leave out files that do not decode or last under 1 s instead of stopping")
    evaluate.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(run=_evaluate)

    profile = get_profile()
    synth = commands.add_parser(
        "synth", parents=[common], help="write the synthetic GTZAN",
        description="Write the course's synthetic GTZAN (music synthesised per genre, deterministic for a seed) "
                    "as OUT_DIR/genres/<genre>/<genre>.000NN.wav.")
    synth.add_argument("out_dir", metavar="OUT_DIR", help="folder to write into (created if missing)")
    synth.add_argument("--per-genre", type=_positive(int), default=profile.synthetic_per_genre, metavar="N",
                       help=f"clips per genre (default: {profile.synthetic_per_genre}, from the "
                            f"{profile.name} profile)")
    synth.add_argument("--seconds", type=_positive(float), default=profile.synthetic_seconds, metavar="S",
                       help=f"length of each clip in seconds (default: {profile.synthetic_seconds:g})")
    synth.add_argument("--seed", type=int, default=0, metavar="K", help="seed of the set (default: 0)")
    synth.set_defaults(run=_synth)
    return parser


def _show_warning(show_other):
    """Show the course's warnings as one line of the program's (other warnings as Python shows them)."""
    from course_utils.classifier.storage import ModelVersionWarning

    def show(message, category, *args, **kwargs) -> None:
        if issubclass(category, ModelVersionWarning):
            print(f"{PROG}: warning: {message}", file=sys.stderr)
        else:
            show_other(message, category, *args, **kwargs)
    return show


def main(argv: list[str] | None = None) -> int:
    """Run ``genre-classify`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Run as the console script (``argv`` not given), native log lines are filtered out of
    descriptor 2 (:func:`course_utils.native_logs.filtered_stderr`) unless ``--verbose``, and the
    garbage collector's objects are frozen before returning: the interpreter's last collection at
    exit then skips the objects of SciPy, librosa's numba and pandas, which it would otherwise walk
    for about 0.5 s of CPU time, a tenth of a prediction. The process still exits normally
    (``atexit`` handlers, flushed and closed files).
    """
    from course_utils.errors import CourseError
    from course_utils.native_logs import filtered_stderr, quiet_environment

    console = argv is None
    try:
        args = build_parser().parse_args(argv)
        if not args.verbose:
            quiet_environment()
        with contextlib.ExitStack() as stack:
            if console and not args.verbose:
                stack.enter_context(filtered_stderr())
            stack.enter_context(warnings.catch_warnings())
            warnings.showwarning = _show_warning(warnings.showwarning)
            status = args.run(args)
    except CourseError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        status = 130
    if console:
        gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(main())
