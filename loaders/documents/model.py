"""Records produced by the document pipeline.

These dataclasses are the contract between reading/cleaning/extraction and the
rest of eduwh (CLI output, DuckDB landing, dbt sources). Field meanings follow
the project's target guidelines (``docs`` in README): one :class:`Target` per
quantitative goal or reported actual found in a policy document.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import cython

Status = Literal["target", "actual"]
Comparator = Literal[">=", "<=", "=", "~"]

#: Keys every extracted record carries, in output order (the scorer's contract).
TARGET_KEYS: tuple[str, ...] = (
    "doc_id",
    "status",
    "region",
    "indicator_text",
    "indicator_code",
    "comparator",
    "value",
    "value_high",
    "unit",
    "target_year",
    "evidence",
)
COMPARATORS: frozenset[str] = frozenset({">=", "<=", "=", "~"})
STATUSES: frozenset[str] = frozenset({"target", "actual"})


@cython.dataclasses.dataclass
@cython.cclass
class Target:
    """One target (or actual) extracted from a document.

    (A Cython dataclass: compiled, its constructor is C, ~10x cheaper than a dataclass's
    generated ``__init__``, and each field is checked against its annotation; uncompiled, a
    plain dataclass. ``dataclasses.asdict``/``fields``, equality and pickling work either way.)
    """

    doc_id: str
    status: Status
    region: str | None
    indicator_text: str
    indicator_code: str | None
    comparator: Comparator
    value: float
    value_high: float | None
    unit: str | None
    target_year: int | None
    evidence: str
    #: offsets of ``evidence`` in the cleaned text (``CleanText.text``)
    char_start: int = 0
    char_end: int = 0
    #: offsets of the evidence in the original (decoded) text, via the char map
    orig_start: int | None = None
    orig_end: int | None = None
    region_code: str | None = None
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        ordered = {k: d.pop(k) for k in TARGET_KEYS}
        ordered.update(d)
        return ordered


@dataclass(slots=True)
class DocumentMeta:
    """Document-level metadata (one row of ``raw.documents``)."""

    doc_id: str
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    region_code: str | None = None
    published_on: str | None = None  # ISO date, yyyy-mm-dd
    doc_type: str | None = None  # five_year_plan | annual_plan | action_plan | notice | report | news | other
    plan_start_year: int | None = None
    plan_end_year: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DocumentReadError(Exception):
    """A document file that cannot be read at all. ``str()`` is one line naming the file.

    ``path`` is the file, set by the pipeline (:func:`loaders.documents.pipeline.process_many`).
    """

    path: str | None = None


@dataclass(slots=True)
class ProcessedDocument:
    """A document read, cleaned and extracted: what ``eduwh load documents`` lands."""

    doc_id: str
    source_path: str
    content_hash: str  # sha256 of the file's bytes
    file_format: str  # txt | html | docx | pdf
    encoding: str | None
    raw_text: str  # decoded text before cleaning
    text: str  # cleaned canonical text; Target.char_start/char_end index into it
    meta: DocumentMeta
    targets: list[Target]
