"""Downloads with a progress bar, resume, checksum and atomic placement.

Used in: :func:`course_utils.data.download_gtzan` and the fault-filtered split lists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from course_utils.config import OFFLINE_ENV, offline
from course_utils.errors import DownloadError

CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest: str | Path, *, sha256: str | None, timeout: float = 30.0,
             progress: bool = True, hint: str = "") -> Path:
    """Fetch ``url`` to ``dest``: resume a partial ``dest.part``, verify, then move into place.

    Parameters
    ----------
    url : str
        http(s) or file URL.
    dest : path-like
        Final file; returned at once when it exists and matches ``sha256``.
    sha256 : str or None
        Expected hex digest; a mismatch deletes the download and raises.
    hint : str
        What the user can do instead (appended to every error message).

    Raises
    ------
    DownloadError
        When ``$COURSE_OFFLINE`` is set, the server cannot be reached, or the checksum differs.
    """
    dest = Path(dest)
    if dest.is_file() and (sha256 is None or file_sha256(dest) == sha256):
        return dest
    if offline():
        raise DownloadError(f"not downloading {url}: ${OFFLINE_ENV} is set. {hint}".strip())
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={start}-"} if start else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = start and response.status == 206
            total = response.length + (start if resumed else 0) if response.length else None
            with open(part, "ab" if resumed else "wb") as out, tqdm(
                total=total, initial=start if resumed else 0, unit="B", unit_scale=True,
                desc=dest.name, disable=not progress,
            ) as bar:
                for block in iter(lambda: response.read(CHUNK), b""):
                    out.write(block)
                    bar.update(len(block))
    except (urllib.error.URLError, OSError) as err:
        reason = f"HTTP {err.code} {err.reason}" if isinstance(err, urllib.error.HTTPError) else getattr(err, "reason", err)
        raise DownloadError(f"could not download {url} ({reason}); a partial file stays at {part} "
                            f"and the next call resumes it. {hint}".strip()) from err
    if sha256 is not None:
        actual = file_sha256(part)
        if actual != sha256:
            part.unlink()
            raise DownloadError(f"{url} downloaded, but its SHA-256 is {actual}, expected {sha256}; "
                                f"the file was deleted. {hint}".strip())
    os.replace(part, dest)
    return dest


def _plain_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The members, refused unless each is a plain file or folder inside the archive's root.

    Python 3.11.4+ checks this itself (``filter="data"``); older 3.11 releases (Debian 12 ships 3.11.2)
    do not, so the same rule is applied here.
    """
    members = tar.getmembers()
    for member in members:
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or Path(member.name).is_absolute() or ".." in parts:
            raise tarfile.TarError(f"member {member.name!r} is not a plain file or folder inside the archive")
    return members


def extract_tar(archive: str | Path, dest: str | Path) -> Path:
    """Unpack a tar archive of plain files and folders into ``dest`` atomically (a sibling folder, then renamed)."""
    dest = Path(dest)
    staging = dest.with_name(dest.name + ".extracting")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with tarfile.open(archive) as tar:
            members = _plain_members(tar)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, members=members, filter="data")
            else:
                tar.extractall(staging, members=members)
    except (tarfile.TarError, OSError) as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError(f"could not unpack {archive} ({err}); delete it and download again") from err
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(staging, dest)
    return dest
