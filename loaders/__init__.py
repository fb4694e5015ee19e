"""eduwh: an analytical warehouse of Chinese education-policy targets and statistics."""

__version__ = "0.1.0"
