"""Bytes on disk → grids of text cells, whatever the format and encoding.

Statistics arrive as CSV/TSV in whatever encoding the office uses (UTF-8,
UTF-8 with BOM, GB18030/GBK, Big5 from Taiwan/Hong Kong sources, UTF-16 from
Excel's "Unicode text"), as XLSX/XLS workbooks with title rows above the
table, or as Parquet. Every reader here returns the same thing: a
:class:`RawTable` whose cells are all strings, with no header chosen yet — the
header is found later (:mod:`loaders.statistics.layout`), because in a
yearbook it is rarely the first row.

Everything is read as text on purpose: "95.2*", "99%以上" and "—" must reach
the value parser as written, not be coerced (or nulled) by a type guesser.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from loaders.statistics.errors import StatisticsFileError

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
STATISTICS_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
# A folder scan skips .txt (READMEs, notes); a .txt named explicitly is read (Excel's "Unicode text").
FOLDER_SUFFIXES = STATISTICS_SUFFIXES - {".txt"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"
_SNIFF_RECORDS = 2000


@dataclass(slots=True)
class RawTable:
    """One sheet (or the one table of a CSV/Parquet file) as text cells.

    ``grid`` has String columns ``c0 … c{n-1}``; grid row ``i`` is row
    ``first_row + i`` of the file or sheet (1-based, as a spreadsheet shows it;
    for CSV the record number, which differs from the line number only when a
    quoted cell spans lines). ``header_index`` is set when the format itself
    says which row is the header (Parquet); otherwise it is detected.
    """

    sheet: str | None
    grid: pl.DataFrame
    first_row: int = 1
    header_index: int | None = None
    encoding: str | None = None


def sniff_format(path: Path, data: bytes) -> str:
    """``csv`` | ``excel`` | ``parquet`` from the bytes first, the suffix second.

    Why bytes first: a workbook saved as ``.csv`` by a portal, or a CSV named
    ``.xls`` (common in Chinese government downloads), must still be read.
    """
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return "excel"
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        raise StatisticsFileError(path, "not a Parquet file (no PAR1 magic; truncated or mislabelled)")
    if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
        raise StatisticsFileError(path, "not a workbook (no zip signature; truncated or mislabelled)")
    return "csv"


def read_tables(path: Path, data: bytes, *, sheet: str | None = None) -> list[RawTable]:
    """Every table in the file (every visible sheet of a workbook, or only ``sheet``)."""
    if not data:
        raise StatisticsFileError(path, "empty file (0 bytes)")
    fmt = sniff_format(path, data)
    if sheet is not None and fmt != "excel":
        raise StatisticsFileError(path, f"sheet {sheet!r} requested but the file is {fmt}, not a workbook")
    if fmt == "parquet":
        return [_read_parquet(path, data)]
    if fmt == "excel":
        return _read_workbook(path, data, sheet)
    return [_read_text(path, data)]


# --- text -------------------------------------------------------------------


def detect_encoding(path: Path, data: bytes, *, trust_utf8_prefix: bool = False) -> str:
    """The encoding of a text table, or :class:`StatisticsFileError` if it is not text.

    Order matters: BOMs are certain; strict UTF-8 almost never decodes anything
    else; GB18030 and Big5 overlap (every Big5 byte pair is also valid GB18030),
    so when both decode we let charset-normalizer's language-coherence score
    choose between just those two.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    sample = data[:65536]
    if b"\x00" in sample:
        # UTF-16 without a BOM, or binary: decode both ways and keep the one that reads as a table
        best_enc, best_score = None, 0
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = sample[: len(sample) // 2 * 2].decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_binary(text):
                continue
            score = text.count("\n") + text.count(",") + text.count("\t")
            if score > best_score:
                best_enc, best_score = enc, score
        if best_enc is None:
            raise StatisticsFileError(path, "binary content (NUL bytes), not a text table")
        return best_enc
    try:
        if trust_utf8_prefix:  # polars validates the rest while reading (and we re-detect if it fails)
            codecs.getincrementaldecoder("utf-8")().decode(data[: 1 << 20], final=len(data) <= 1 << 20)
        else:
            data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decodes = []
    for enc in ("gb18030", "big5"):
        try:
            data.decode(enc)
            decodes.append(enc)
        except UnicodeDecodeError:
            continue
    if len(decodes) == 1:
        return decodes[0]
    import charset_normalizer  # only for files that are neither UTF-8 nor plainly one CJK encoding

    isolation = decodes or None
    best = charset_normalizer.from_bytes(sample, cp_isolation=isolation).best()
    if best is None:
        raise StatisticsFileError(path, "cannot detect a text encoding (binary or corrupt)")
    return best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\x0c")
    return controls > max(2, len(sample) // 200) or sample.count("\ufffd") > len(sample) // 100


def _sniff_separator(path: Path, text: str) -> str:
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    lines = [ln for ln in text[:65536].splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1
    for sep in (",", "\t", ";", "|"):
        counts = [ln.count(sep) for ln in lines]
        with_sep = [c for c in counts if c]
        # lines that carry the separator, weighted by how consistent the count is
        score = len(with_sep) * 1000 + (max(with_sep) if with_sep else 0)
        if with_sep and with_sep.count(max(set(with_sep), key=with_sep.count)) < len(with_sep) // 2:
            score //= 2
        if score > best_score and with_sep:
            best, best_score = sep, score
    return best


def _max_fields(text: str, sep: str, limit: int | None) -> int:
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    width = 0
    for i, rec in enumerate(reader):
        width = max(width, len(rec))
        if limit is not None and i >= limit:
            break
    return width


def _read_text(path: Path, data: bytes, *, trust_utf8_prefix: bool = True) -> RawTable:
    encoding = detect_encoding(path, data, trust_utf8_prefix=trust_utf8_prefix)
    if encoding == "utf-8":
        # already validated by detect_encoding; polars reads the bytes as they are, and only a
        # prefix is decoded here for sniffing (cut at a line end so no character is split)
        cut = data.rfind(b"\n", 0, 1 << 20)
        text = data[: cut + 1 if cut > 0 else 1 << 20].decode("utf-8", errors="ignore")
        raw = data
    else:
        try:
            text = data.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError) as exc:
            raise StatisticsFileError(path, f"cannot decode as {encoding}: {exc}") from exc
        raw = text.encode("utf-8")
    if _looks_binary(text):
        raise StatisticsFileError(path, "binary content, not a text table")
    if not text[:65536].strip() and not raw.strip():
        raise StatisticsFileError(path, "no content (only blank lines)")
    sep = _sniff_separator(path, text)
    width = max(1, _max_fields(text[: 1 << 20], sep, _SNIFF_RECORDS))
    for attempt in range(2):
        try:
            grid = pl.read_csv(
                io.BytesIO(raw),
                has_header=False,
                separator=sep,
                schema={f"c{i}": pl.String for i in range(width)},
                missing_columns="insert",
                extra_columns="raise",
                infer_schema=False,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
            break
        except pl.exceptions.ComputeError as exc:
            if encoding == "utf-8" and trust_utf8_prefix and "utf-8" in str(exc):
                return _read_text(path, data, trust_utf8_prefix=False)  # not UTF-8 past the first MiB
            if attempt == 0 and "more fields" in str(exc):
                # a wider row past the sample: count the fields of every record
                width = _max_fields(raw.decode("utf-8", errors="replace"), sep, None)
                continue
            raise StatisticsFileError(path, f"unreadable CSV: {str(exc).splitlines()[0]}") from exc
        except pl.exceptions.PolarsError as exc:
            raise StatisticsFileError(path, f"unreadable CSV: {str(exc).splitlines()[0]}") from exc
    return RawTable(sheet=None, grid=grid, encoding=encoding)


# --- workbooks ----------------------------------------------------------------


_FIRST_CELL_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"[A-Z]+(\d+)\"[^>]*?(?<!/)>")


def _xlsx_first_rows(data: bytes) -> dict[str, int]:
    """1-based row of the first filled cell of each XLSX sheet.

    fastexcel (calamine) drops leading empty rows, so without this the row
    numbers we report would be off for a sheet whose table starts at row 3.
    Best effort: any surprise in the package structure → {} (rows counted from 1).
    """
    out: dict[str, int] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = {
                m.group(1): m.group(2)
                for m in re.finditer(r"<Relationship\b[^>]*?Id=\"([^\"]+)\"[^>]*?Target=\"([^\"]+)\"", rels)
            }
            targets |= {
                m.group(2): m.group(1)
                for m in re.finditer(r"<Relationship\b[^>]*?Target=\"([^\"]+)\"[^>]*?Id=\"([^\"]+)\"", rels)
            }
            for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", wb):
                attrs = m.group(1)
                name_m = re.search(r"\bname=\"([^\"]*)\"", attrs)
                rid_m = re.search(r"\br:id=\"([^\"]+)\"", attrs) or re.search(r"\bid=\"([^\"]+)\"", attrs)
                if not name_m or not rid_m or rid_m.group(1) not in targets:
                    continue
                target = targets[rid_m.group(1)].lstrip("/")
                part = target if target.startswith("xl/") else f"xl/{target}"
                with zf.open(part) as fh:
                    head = fh.read(1 << 18)
                cell = _FIRST_CELL_RE.search(head)
                if cell:
                    name = _xml_unescape(name_m.group(1))
                    out[name] = int(cell.group(1))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return {}
    return out


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _read_workbook(path: Path, data: bytes, sheet: str | None) -> list[RawTable]:
    import fastexcel  # imported here: a CSV-only build does not pay for it

    try:
        reader = fastexcel.read_excel(data)
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own hierarchy plus plain errors on corrupt zips
        raise StatisticsFileError(path, f"unreadable workbook (truncated or corrupt): {_one_line(exc)}") from exc
    if sheet is not None and sheet not in names:
        raise StatisticsFileError(path, f"no sheet named {sheet!r}; sheets are {names}")
    first_rows = _xlsx_first_rows(data) if data.startswith(_ZIP_MAGIC) else {}
    tables: list[RawTable] = []
    for name in names:
        if sheet is not None and name != sheet:
            continue
        try:
            # hidden sheets too: a sheet without a statistics header is skipped (and named) later
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception as exc:
            raise StatisticsFileError(path, f"unreadable sheet {name!r}: {_one_line(exc)}") from exc
        if frame.width == 0 or frame.height == 0:
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)}).cast(pl.String)
        tables.append(RawTable(sheet=name, grid=frame, first_row=first_rows.get(name, 1)))
    if not tables:
        raise StatisticsFileError(path, "workbook has no sheet with cells" + (f" (sheet {sheet!r})" if sheet else ""))
    return tables


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


# --- parquet --------------------------------------------------------------------


def _read_parquet(path: Path, data: bytes) -> RawTable:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise StatisticsFileError(path, f"unreadable Parquet: {_one_line(exc)}") from exc
    try:
        cells = frame.select(pl.all().cast(pl.String))
    except pl.exceptions.PolarsError as exc:
        raise StatisticsFileError(path, f"Parquet columns are not flat values: {_one_line(exc)}") from exc
    header = pl.DataFrame([[str(c)] for c in frame.columns], schema={c: pl.String for c in frame.columns}, orient="col")
    grid = pl.concat([header, cells], how="vertical")
    grid = grid.rename({c: f"c{i}" for i, c in enumerate(grid.columns)})
    return RawTable(sheet=None, grid=grid, header_index=0)
