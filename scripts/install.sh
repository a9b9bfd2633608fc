#!/usr/bin/env bash
# Create .venv with the course's pinned environment. A second run with nothing changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
stamp=.venv/.installed
wanted=$(cat pyproject.toml requirements/lock.txt scripts/install.sh | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
  echo "install: .venv is up to date"
  exit 0
fi

# pyproject.toml's requires-python: 3.11 (what the book's figures were made with) or 3.12 (Colab's).
"$python" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' \
  || { echo "install: Python 3.11 or 3.12 is required (found $("$python" --version)); set PYTHON=/path/to/python3.11" >&2; exit 1; }
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install -c requirements/lock.txt -e ".[book,dev]"
# musicnn's metadata pins numpy<1.17; its code and weights work with the pinned stack.
"${pip[@]}" install --no-deps musicnn==0.1.0
echo "install: warming librosa's numba cache (about 30 s, once)"
.venv/bin/python - <<'PY'
import librosa, numpy as np
y = np.random.default_rng(0).standard_normal(22050 * 3).astype(np.float32)
librosa.feature.mfcc(y=y, sr=22050); librosa.feature.chroma_stft(y=y, sr=22050)
librosa.beat.beat_track(y=y, sr=22050); librosa.effects.hpss(y)
PY
echo "$wanted" > "$stamp"
echo "install: done (.venv)"
