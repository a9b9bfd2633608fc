"""Keep TensorFlow's, absl's and LiteRT's C++ log lines off a command line's standard error.

TensorFlow 2.21 prints ``WARNING: All log messages before absl::InitializeLog() is called ...`` and
``I0000 ... port.cc:153] oneDNN custom operations are on`` on every import, and LiteRT prints
``INFO: Created TensorFlow Lite XNNPACK delegate for CPU.``: they come from C++, straight to file
descriptor 2, and no environment variable silences all of them (measured: ``TF_CPP_MIN_LOG_LEVEL=3``,
``GLOG_minloglevel=3`` and ``ABSL_MIN_LOG_LEVEL=3`` leave the first lines). :func:`filtered_stderr`
therefore sends descriptor 2 through a pipe whose reader drops exactly those lines and passes
everything else on (a crash report, a fatal error), while Python's own ``sys.stderr`` (progress
bars, the program's messages) writes to the terminal directly.

Used in: the ``genre-classify`` command line (:mod:`course_utils.cli`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from typing import Iterator

# glog/absl lines ("I0000 00:00:1796422029.924508    8337 port.cc:153] ..."), absl's preamble, LiteRT's INFO.
NATIVE_LOG_LINE = re.compile(
    rb"^(?:[IWE]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|INFO: (?:Created TensorFlow Lite|Initialized TensorFlow Lite))")
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GLOG_minloglevel": "2"}
PYTHON_LOGGERS = ("tensorflow", "absl", "h5py")


def quiet_environment() -> None:
    """Lower TensorFlow's log levels before it is imported (what environment variables can do) and its Python loggers."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    for name in PYTHON_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def _forward(read_fd: int, write_fd: int) -> None:
    pending = b""
    while chunk := os.read(read_fd, 65536):
        *lines, pending = (pending + chunk).split(b"\n")
        kept = [line + b"\n" for line in lines if not NATIVE_LOG_LINE.match(line)]
        if kept:
            os.write(write_fd, b"".join(kept))
    if pending and not NATIVE_LOG_LINE.match(pending):
        os.write(write_fd, pending)
    os.close(read_fd)


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Within the block, drop native log lines written to descriptor 2; ``sys.stderr`` goes straight through.

    Only for a whole process that owns its terminal (a console script): it rewires descriptor 2
    and ``sys.stderr`` and puts them back on leaving.
    """
    sys.stderr.flush()
    terminal = os.dup(2)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    reader = threading.Thread(target=_forward, args=(read_fd, terminal), daemon=True, name="native-log-filter")
    reader.start()
    python_stderr = sys.stderr
    sys.stderr = open(terminal, "w", buffering=1, encoding=python_stderr.encoding or "utf-8",
                      errors="backslashreplace", closefd=False)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = python_stderr
        os.dup2(terminal, 2)   # closes the pipe's last writer in this process: the reader sees its end
        reader.join(timeout=0.5)
        if not reader.is_alive():   # else a child process still holds the pipe: leave the reader its output
            os.close(terminal)
