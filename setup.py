"""Compile the document pipeline's modules with Cython (optional; metadata is in pyproject.toml).

The modules listed in ``loaders/_compiled.py`` are compiled from their own ``.py`` source: one
source of truth, run interpreted when no compiler is at hand. They are built with ``-O3 -g0``
(no debug information: with it, Python's default ``-O3 -g`` took ~90 s), the extensions in
parallel, one per core, the largest first (pip's editable build would otherwise compile them one
by one): ~40 s on two cores. ``-O3`` runs 3 % fewer instructions than ``-O1`` (callgrind, the
pipeline on the benchmark documents; ``-O2`` 2.4 %), which builds in ~35 s serially; the
generated code is mostly calls into the Python C API, which optimisation changes little. After
the build, ``loaders/_build_info.py`` records the SHA-256 of every source that
was compiled, so that ``loaders._compiled`` can tell a stale extension from a current one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import time
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _compiled_modules() -> tuple[str, ...]:
    # loaded from its file: importing the ``loaders`` package here would run its import hook
    spec = importlib.util.spec_from_file_location("_eduwh_compiled", ROOT / "loaders" / "_compiled.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return tuple(mod.COMPILED_MODULES)


MODULES = _compiled_modules()


def _source(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def _source_size(path: str) -> int:
    p = ROOT / path
    return p.stat().st_size if p.exists() else 0


class BuildExt(build_ext):
    """build_ext that compiles the extensions in parallel, largest first, and records, after
    building, which sources they were built from."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if not self.parallel:  # (pip's editable build passes no --parallel)
            self.parallel = os.cpu_count() or 1
        # the largest module (extract) takes a third of the compile time: started first, the
        # others share the remaining cores meanwhile
        self.extensions.sort(key=lambda ext: -sum(_source_size(s) for s in ext.sources))

    def run(self) -> None:
        started = time.time()
        super().run()
        built: dict[str, str] = {}
        target_dir: Path | None = None
        for ext in self.extensions:
            out = Path(self.get_ext_fullpath(ext.name))
            if out.exists() and out.stat().st_mtime >= started - 1:
                built[ext.name] = hashlib.sha256(_source(ext.name).read_bytes()).hexdigest()
            target_dir = out.parents[len(ext.name.split(".")) - 2]  # the ``loaders`` folder
        if target_dir is None:
            return
        lines = [
            '"""Written by setup.py at build time: the sources the compiled modules were built from."""',
            "",
            "SOURCE_SHA256 = {",
            *(f"    {name!r}: {digest!r}," for name, digest in sorted(built.items())),
            "}",
            "",
        ]
        (target_dir / "_build_info.py").write_text("\n".join(lines), encoding="utf-8")


def _extensions() -> list[Extension]:
    if os.environ.get("EDUWH_NO_COMPILE", "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
        from Cython.Compiler.Errors import CompileError
    except ImportError:  # no Cython: the pure-Python modules are the package
        return []
    out: list[Extension] = []
    for name in MODULES:
        ext = Extension(
            name,
            [str(_source(name).relative_to(ROOT))],
            extra_compile_args=["-O3", "-g0"],
            optional=True,  # a failed C compile leaves that module interpreted, not a failed install
        )
        try:
            out.extend(
                cythonize(
                    [ext],
                    build_dir="build/cython",
                    quiet=True,
                    compiler_directives={"language_level": 3, "infer_types": True},
                )
            )
        except CompileError:  # (Cython printed why) the module stays interpreted; a test says so
            print(f"eduwh: {name} could not be compiled and stays interpreted", file=sys.stderr)
    return out


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": BuildExt},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
