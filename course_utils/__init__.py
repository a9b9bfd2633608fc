"""Support package of the course *Music genre classification, from audio to deep learning*.

Every chapter imports its helpers from here; see ``DESIGN.md`` for the flow of data:
``data`` -> ``audio`` -> features -> models -> ``evaluate``.
"""

from course_utils.errors import CourseError

__version__ = "0.1.0"
__all__ = ["CourseError", "__version__"]
