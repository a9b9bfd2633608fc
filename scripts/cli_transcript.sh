#!/usr/bin/env bash
# Print the README's example genre-classify session, run afresh in an empty temporary folder so that
# every path shown is relative. Standard error is shown in place, progress bars left out.
# Usage: scripts/cli_transcript.sh > transcript.txt
set -uo pipefail
script=${GENRE_CLASSIFY:-genre-classify}
command -v "$script" >/dev/null || script="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/genre-classify"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

export PYTHONUNBUFFERED=1   # standard output and error in the order they were written

show() {   # show "command line": print it after a prompt, run it, drop the progress bars (tqdm's "NN%|")
  echo "\$ $1"
  bash -c "${1//genre-classify/\"$script\"}" 2>&1 | sed -E 's/.*\r//' | grep -v -E '[0-9]+%\|'
}

show "genre-classify synth synth-train --per-genre 10 --seconds 10"
show "genre-classify synth synth-test --per-genre 3 --seconds 10 --seed 1"
show "genre-classify train synth-train -o genres.gcm"
show "genre-classify predict -m genres.gcm synth-test/genres/jazz synth-test/genres/metal/metal.00000.wav"
show "genre-classify predict -m genres.gcm synth-test/genres/rock/rock.00001.wav --segments"
show "genre-classify predict -m genres.gcm synth-test/genres/blues --format csv"
show 'printf "not audio" > broken.wav'
show 'genre-classify predict -m genres.gcm broken.wav synth-test/genres/pop/pop.00000.wav -q; echo "exit status $?"'
show "genre-classify evaluate -m genres.gcm synth-test"
show "genre-classify evaluate -m genres.gcm synth-train -q | head -6"
