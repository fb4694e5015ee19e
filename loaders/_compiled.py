"""Which modules run compiled, and the guard that keeps a stale compiled module from running.

The document pipeline's modules (:data:`COMPILED_MODULES`) are ordinary Python. ``setup.py``
compiles the same source files with Cython into C extension modules beside them, which Python
then imports instead of the ``.py`` files: about a fifth faster on the rules, and a good deal
more where a function is written with Cython types (pure-Python mode: the annotations are
ignored by the interpreter). Nothing depends on the compiled form: without a C compiler the
build skips it and the same source runs interpreted, with the same results.

A compiled module is only as new as its last build. Editing ``extract.py`` and running the tests
without rebuilding would test the old rules, silently. So the build records the SHA-256 of every
source it compiled (``loaders/_build_info.py``, written by ``setup.py``), and :func:`install`,
run when ``loaders`` is first imported, puts an import hook in front of the normal one that
loads the ``.py`` source of any module whose source no longer matches its build (or every
listed module when ``EDUWH_PURE_PYTHON=1``). A stale module is announced once on stderr;
``make install`` (or ``pip install -e .``) rebuilds. Hashing the dozen sources costs ~0.3 ms.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

#: Compiled by ``setup.py`` (module name → path of its source, relative to the project root).
COMPILED_MODULES: tuple[str, ...] = (
    "loaders.regions",
    "loaders.documents.clean",
    "loaders.documents.extract",
    "loaders.documents.mentions",
    "loaders.documents.metadata",
    "loaders.documents.model",
    "loaders.documents.numbers",
    "loaders.documents.phrases",
    "loaders.documents.places",
    "loaders.documents.scan",
    "loaders.documents.status",
    "loaders.documents.tables",
    "loaders.documents.years",
)

_ROOT = Path(__file__).resolve().parent.parent
PURE_ENV = "EDUWH_PURE_PYTHON"


def source_path(module: str) -> Path:
    return _ROOT.joinpath(*module.split(".")).with_suffix(".py")


def source_hash(module: str) -> str:
    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def _extension_path(module: str) -> Path | None:
    """The compiled module beside the source, if one was built."""
    src = source_path(module)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = src.with_suffix(suffix)
        if p.exists():
            return p
    return None


def _built_hashes() -> dict[str, str]:
    try:
        from loaders import _build_info  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return dict(getattr(_build_info, "SOURCE_SHA256", {}))


def status() -> dict[str, str]:
    """Per listed module: ``compiled`` (the extension is built from the current source),
    ``stale`` (built from another version of the source: the source runs), ``pure`` (no
    extension, or ``EDUWH_PURE_PYTHON=1``)."""
    force_pure = os.environ.get(PURE_ENV, "") not in ("", "0")
    built = _built_hashes()
    out: dict[str, str] = {}
    for mod in COMPILED_MODULES:
        if force_pure or _extension_path(mod) is None:
            out[mod] = "pure"
        elif built.get(mod) != source_hash(mod):
            out[mod] = "stale"
        else:
            out[mod] = "compiled"
    return out


def is_compiled(module: ModuleType) -> bool:
    """Whether ``module`` was loaded from a compiled extension."""
    return isinstance(getattr(module, "__loader__", None), importlib.machinery.ExtensionFileLoader)


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds the listed modules as their ``.py`` source, ahead of the compiled extension."""

    def __init__(self, modules: set[str]) -> None:
        self.modules = modules

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


_installed = False


def install() -> None:
    """Route stale (or, with ``EDUWH_PURE_PYTHON=1``, all) compiled modules to their source."""
    global _installed
    if _installed:
        return
    _installed = True
    states = status()
    pure = {m for m, s in states.items() if s != "compiled" and _extension_path(m) is not None}
    if not pure:
        return
    stale = sorted(m for m in pure if states[m] == "stale")
    if stale:
        print(
            f"eduwh: {len(stale)} compiled module(s) are older than their source and run as Python "
            f"({', '.join(m.rsplit('.', 1)[-1] for m in stale)}); `make install` rebuilds them",
            file=sys.stderr,
        )
    sys.meta_path.insert(0, _SourceFirst(pure))
