import numpy as np
import pytest
import soundfile as sf

from conftest import write_tone
from course_utils import audio
from course_utils.errors import AudioFileError, ConfigError


def test_load_resamples_to_the_requested_rate(tmp_path):
    path = write_tone(tmp_path / "a.wav", 2.0, sr=44100)
    y = audio.load_audio(path, sr=22050)
    assert y.dtype == np.float32 and y.shape == (44100,)
    native = audio.load_audio(path, sr=None)
    assert native.shape == (88200,)


def test_load_keeps_the_pitch_when_resampling(tmp_path):
    y = audio.load_audio(write_tone(tmp_path / "a.wav", 1.0, sr=44100, freq=440.0), sr=16000)
    spectrum = np.abs(np.fft.rfft(y))
    assert np.fft.rfftfreq(len(y), 1 / 16000)[spectrum.argmax()] == pytest.approx(440.0, abs=1.0)


def test_stereo_becomes_the_mean_of_its_channels(tmp_path):
    path = write_tone(tmp_path / "stereo.wav", 1.0, channels=2)
    mono = audio.load_audio(path, sr=None)
    both = audio.load_audio(path, sr=None, mono=False)
    assert both.shape == (2, 22050) and mono.shape == (22050,)
    np.testing.assert_allclose(mono, both.mean(axis=0), atol=1e-6)


def test_offset_and_duration_read_an_excerpt(tmp_path):
    """A ramp (sample i holds i / n) says exactly which samples were read."""
    sr, n = 22050, 3 * 22050
    ramp = np.arange(n) / n
    path = tmp_path / "ramp.wav"
    sf.write(path, ramp, sr, subtype="FLOAT")
    y = audio.load_audio(path, sr=None, offset=1.0, duration=0.5)
    assert y.shape == (11025,)
    np.testing.assert_allclose(y, ramp[sr:sr + 11025], atol=1e-6)
    tail = audio.load_audio(path, sr=None, offset=2.5)
    np.testing.assert_allclose(tail, ramp[int(2.5 * sr):], atol=1e-6)


@pytest.mark.parametrize("content, problem, name", [
    (b"this is not audio at all" * 10, "does not decode", "broken.wav"),
    (b"this is not audio at all" * 10, r"does not decode as audio \(NoBackendError, no decoder could read it\)",
     "broken.mp3"),
    (None, "no such file", "broken.wav"),
])
def test_unreadable_files_are_named(tmp_path, content, problem, name):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError, match=problem) as info:
        audio.load_audio(path)
    assert str(path) in str(info.value) and info.value.path == path
    assert not str(info.value).endswith(": )")  # the reason is never left empty


def test_empty_and_nan_files_are_refused(tmp_path):
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 22050)
    with pytest.raises(AudioFileError, match="no samples"):
        audio.load_audio(empty)
    nan = tmp_path / "nan.wav"
    sf.write(nan, np.array([0.1, np.nan, 0.2] * 1000), 22050, subtype="FLOAT")
    with pytest.raises(AudioFileError, match="NaN"):
        audio.load_audio(nan, sr=None)


def test_bad_sample_rate_argument():
    with pytest.raises(ConfigError, match="sr must be"):
        audio.load_audio("whatever.wav", sr=0)


def test_fix_duration_trims_and_pads():
    y = np.ones(1000, dtype=np.float32)
    assert audio.fix_duration(y, sr=100, seconds=5).shape == (500,)
    padded = audio.fix_duration(y, sr=100, seconds=12)
    assert padded.shape == (1200,) and padded[1000:].sum() == 0 and padded[:1000].sum() == 1000
    with pytest.raises(ConfigError):
        audio.fix_duration(y, sr=100, seconds=0)


def test_segment_shapes_and_overlap():
    sr = 100
    y = np.arange(1000, dtype=np.float32)
    windows = audio.segment(y, sr=sr, seconds=3.0)
    assert windows.shape == (3, 300)
    np.testing.assert_array_equal(windows[1], y[300:600])
    overlapping = audio.segment(y, sr=sr, seconds=3.0, hop_seconds=1.5)
    assert overlapping.shape == (5, 300) and overlapping[1, 0] == 150
    for seconds, hop in ((3.0, None), (3.0, 1.5), (2.5, 0.7)):
        assert audio.segment(y, sr=sr, seconds=seconds, hop_seconds=hop).shape[0] == \
            audio.segment_count(10.0, sr=sr, seconds=seconds, hop_seconds=hop)


def test_a_clip_shorter_than_a_segment_is_looped_into_one():
    y = np.arange(1, 101, dtype=np.float32)  # 1 s at 100 Hz
    windows = audio.segment(y, sr=100, seconds=2.5)
    assert windows.shape == (1, 250) == (audio.segment_count(1.0, sr=100, seconds=2.5), 250)
    np.testing.assert_array_equal(windows[0], np.concatenate([y, y, y[:50]]))
    assert audio.segment_count(0.0, sr=100) == 0


@pytest.mark.parametrize("mode, tail", [("loop", [1.0, 2.0, 3.0, 1.0]), ("silence", [0.0, 0.0, 0.0, 0.0])])
def test_pad_to_length(mode, tail):
    y = np.array([1.0, 2.0, 3.0])
    padded = audio.pad_to_length(y, size=7, mode=mode)
    assert padded.shape == (7,)
    np.testing.assert_array_equal(padded[:3], y)
    np.testing.assert_array_equal(padded[3:], tail)
    assert audio.pad_to_length(y, size=2, mode=mode) is y  # long enough: unchanged


def test_pad_to_length_errors():
    with pytest.raises(ConfigError, match="mode must be one of"):
        audio.pad_to_length(np.ones(3), size=5, mode="reflect")
    with pytest.raises(ConfigError, match="non-empty mono"):
        audio.pad_to_length(np.ones((2, 3)), size=5)
    with pytest.raises(ConfigError, match="non-empty mono"):
        audio.pad_to_length(np.ones(0), size=5)


def test_segment_errors():
    with pytest.raises(ConfigError, match="mono"):
        audio.segment(np.zeros((2, 1000)), sr=100)
    with pytest.raises(ConfigError, match="positive"):
        audio.segment(np.zeros(1000), sr=100, seconds=-1)
