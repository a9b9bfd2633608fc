"""The package's exception family: every error a learner can meet at a boundary.

Each message says what was expected and what to do about it.
"""


class CourseError(Exception):
    """Base class of every error raised by ``course_utils``."""


class ConfigError(CourseError, ValueError):
    """An environment variable or argument has a value the course cannot use."""


class DatasetError(CourseError):
    """A data set folder is missing, empty or laid out in a way we cannot read."""


class AudioFileError(CourseError):
    """An audio file does not decode, is empty, too short or otherwise unusable."""

    def __init__(self, path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class SplitError(CourseError):
    """A train/test split cannot be made or would leak tracks between parts."""


class DownloadError(CourseError):
    """A download failed, was refused offline, or did not match its checksum."""
