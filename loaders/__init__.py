"""eduwh: an analytical warehouse of Chinese education-policy targets and statistics."""

from loaders._compiled import install as _install_compiled_guard

__version__ = "0.1.0"

_install_compiled_guard()  # a compiled module older than its source runs as source (see _compiled.py)
