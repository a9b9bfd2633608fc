"""Downloads against a server on the loopback interface; nothing here leaves the machine."""

import hashlib
import http.server
import io
import tarfile
import threading
from functools import partial

import pytest

from conftest import make_collection
from course_utils.data import download, download_gtzan, fault_filtered_lists, load_dataset
from course_utils.data import artists, gtzan_artist_index, sources, splits
from course_utils.data.download import extract_tar
from course_utils.errors import DatasetError, DownloadError


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` (path -> bytes) and honours ``Range: bytes=N-``."""

    def __init__(self, *args, files, log, **kwargs):
        self.files, self.log = files, log
        super().__init__(*args, **kwargs)

    def do_GET(self):
        self.log.append((self.path, self.headers.get("Range")))
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = int(self.headers["Range"].split("=")[1].rstrip("-")) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        self.wfile.write(body[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    files, log = {}, []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(RangeHandler, files=files, log=log))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", files, log
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_verifies_and_places_the_file(server, online, tmp_path):
    url, files, _ = server
    files["/data.bin"] = payload = bytes(range(256)) * 1000
    dest = download(f"{url}/data.bin", tmp_path / "data.bin", sha256=sha(payload), progress=False)
    assert dest.read_bytes() == payload and not (tmp_path / "data.bin.part").exists()


def test_download_resumes_a_partial_file(server, online, tmp_path):
    url, files, log = server
    files["/data.bin"] = payload = b"0123456789" * 5000
    (tmp_path / "data.bin.part").write_bytes(payload[:20000])
    download(f"{url}/data.bin", tmp_path / "data.bin", sha256=sha(payload), progress=False)
    assert (tmp_path / "data.bin").read_bytes() == payload
    assert log == [("/data.bin", "bytes=20000-")]


def test_checksum_mismatch_deletes_the_download(server, online, tmp_path):
    url, files, _ = server
    files["/data.bin"] = b"tampered"
    with pytest.raises(DownloadError, match="SHA-256 is .*expected 00"):
        download(f"{url}/data.bin", tmp_path / "data.bin", sha256="00" * 32, progress=False)
    assert not list(tmp_path.iterdir())


def test_unreachable_server_fails_with_the_hint(server, online, tmp_path):
    url, _, _ = server
    with pytest.raises(DownloadError, match="could not download.*HTTP 404.*set GTZAN_DIR"):
        download(f"{url}/missing", tmp_path / "x", sha256=None, progress=False, hint="set GTZAN_DIR")


def test_offline_refuses_at_once(tmp_path, server):
    url, _, log = server
    with pytest.raises(DownloadError, match="COURSE_OFFLINE.*GTZAN_DIR"):
        download_gtzan(url=f"{url}/genres.tar.gz", progress=False)
    assert log == []


def gtzan_archive(tmp_path) -> bytes:
    make_collection(tmp_path / "src" / "genres", labels=("blues", "metal"), per_label=2, suffix=".au")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(tmp_path / "src" / "genres", arcname="genres")
    return buffer.getvalue()


def test_download_gtzan_then_load_it_by_name(server, online, tmp_path, monkeypatch):
    url, files, log = server
    with pytest.raises(DatasetError, match="download_gtzan"):
        load_dataset("gtzan")
    files["/genres.tar.gz"] = archive = gtzan_archive(tmp_path)
    folder = download_gtzan(url=f"{url}/genres.tar.gz", sha256=sha(archive), progress=False)
    assert (folder / "genres" / "metal" / "metal.00001.au").is_file()
    dataset = load_dataset("gtzan")
    assert dataset.name == "GTZAN" and len(dataset) == 4 and dataset.source == "download_gtzan()"
    assert load_dataset().source == "download_gtzan()"  # found without naming it
    download_gtzan(url=f"{url}/genres.tar.gz", sha256=sha(archive), progress=False)
    assert len(log) == 1  # the second call reuses the copy


def test_split_lists_are_downloaded_once(server, online, monkeypatch):
    url, files, log = server
    lists = {p: f"blues/blues.0000{i}.wav\n".encode() for i, p in enumerate(("train", "valid", "test"))}
    for part, body in lists.items():
        files[f"/{part}_filtered.txt"] = body
    monkeypatch.setattr(splits, "FAULT_FILTERED_URL", url + "/{part}_filtered.txt")
    monkeypatch.setattr(splits, "FAULT_FILTERED_SHA256", {p: sha(b) for p, b in lists.items()})
    assert fault_filtered_lists() == {"train": ["blues.00000"], "valid": ["blues.00001"], "test": ["blues.00002"]}
    fault_filtered_lists()
    assert len(log) == 3
    assert sources.GTZAN_URL.startswith("https://")


def test_artist_index_is_downloaded_once_then_read_offline(server, online, monkeypatch, private_data_home):
    url, files, log = server
    files["/GTZANindex.txt"] = body = b"## Sturm\nblues.00000.wav ::: John Lee Hooker ::: Boogie\n"
    monkeypatch.setattr(artists, "INDEX_URL", url + "/GTZANindex.txt")
    monkeypatch.setattr(artists, "INDEX_SHA256", sha(body))
    assert gtzan_artist_index().to_dict() == {"blues.00000": "John Lee Hooker"}
    assert (private_data_home / "meta" / "GTZANindex.txt").read_bytes() == body
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert gtzan_artist_index().to_dict() == {"blues.00000": "John Lee Hooker"}
    assert len(log) == 1


@pytest.mark.parametrize("python_checks", [True, False], ids=["python-filter", "older-3.11"])
def test_extract_tar_unpacks_plain_files_on_every_python_3_11(tmp_path, monkeypatch, python_checks):
    if not python_checks:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)  # as on Python 3.11.0-3.11.3
    archive = tmp_path / "genres.tar.gz"
    archive.write_bytes(gtzan_archive(tmp_path))
    folder = extract_tar(archive, tmp_path / "out")
    assert (folder / "genres" / "metal" / "metal.00001.au").is_file()
    assert not (tmp_path / "out.extracting").exists()


@pytest.mark.parametrize("python_checks", [True, False], ids=["python-filter", "older-3.11"])
@pytest.mark.parametrize("member", ["../escape.txt", "/abs.txt", "link"])
def test_extract_tar_refuses_members_outside_the_archive(tmp_path, monkeypatch, python_checks, member):
    if not python_checks:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(DownloadError, match="could not unpack"):
        extract_tar(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.txt").exists()
