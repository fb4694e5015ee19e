"""Read a policy document file into text: ``read_file(path) -> (raw_text, file_format, encoding)``.

Formats and the libraries chosen for them:

* ``.txt`` - bytes decoded by :func:`decode_bytes`: a BOM check, a strict UTF-8 attempt, a
  strict GB18030 attempt (a superset of GBK/GB2312, the usual legacy encoding of mainland
  government sites), then ``charset-normalizer`` for the rest (Big5, UTF-16 without BOM ...).
  Strict attempts come first because the detector is slow and can mislabel short GB texts.
* ``.html``/``.htm`` - ``selectolax`` (lexbor backend): a fast C parser that tolerates the broken
  markup of scraped pages; ``script``/``style``/``nav``/``header``/``footer``/``aside``/``form``
  and similar chrome (by tag, and by class/id words such as nav/menu/share/footer) are dropped;
  block elements become line breaks and table cells tabs, so indicator tables keep their
  columns. trafilatura (boilerplate removal by content heuristics) was not adopted: it is not a
  project dependency, and its heuristics are tuned to drop short lines, which in plans are often
  exactly the list items that hold targets; the line-level chrome filter in
  :mod:`loaders.documents.clean` handles what remains.
* ``.docx`` - ``python-docx``: paragraphs and table cells in document order.
* ``.pdf`` - ``pypdf``: the text layer only (no OCR); a PDF without one gives empty text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from loaders.documents.model import DocumentReadError

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "template",
    "head",
    "menu",
    "menuitem",
)
_CHROME_HINTS = ("nav", "menu", "footer", "header", "breadcrumb", "share", "sidebar", "copyright", "comment")
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16/32 text, or many control bytes, mean this is not text."""
    sample = data[:4096]
    if not sample:
        return False
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl / len(sample) > 0.1


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode document bytes; returns ``(text, encoding)``. Raises :class:`DocumentReadError`."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DocumentReadError(f"{name}: broken {enc} text ({exc.reason})") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy text
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        try:
            return data.decode("utf-16-be"), "utf-16-be"
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise DocumentReadError(f"{name}: binary content, not a text document")
    gb_text: str | None = None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if gb_text is not None and not _big5_more_plausible(data, gb_text):
        return gb_text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        if gb_text is not None:
            return gb_text, "gb18030"
        raise DocumentReadError(f"{name}: cannot detect the text encoding")
    return str(best), best.encoding


def _big5_more_plausible(data: bytes, gb_text: str) -> bool:
    """Big5 bytes often also decode as GB18030, into rare characters; compare common-char share."""
    try:
        big5 = data.decode("big5")
    except UnicodeDecodeError:
        return False
    return _common_share(big5) > _common_share(gb_text) + 0.1


_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
    "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或"
    "但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式"
    "活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则"
    "任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再"
    "采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今"
    "集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备"
    "半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按"
    "格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙校"
)


def _common_share(text: str) -> float:
    cjk = [c for c in text[:4000] if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(c in _COMMON for c in cjk) / len(cjk)


def _html_text(markup: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    page_title = title_node.text(strip=True) if title_node is not None else ""
    for node in tree.css(",".join(_DROP_TAGS)):
        node.decompose()
    for node in tree.css("[class],[id]"):
        attrs = node.attributes
        label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if (
            any(h in label for h in _CHROME_HINTS)
            and "title" not in label
            and node.tag not in ("body", "html", "main", "article")
        ):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return ""
    for node in root.css("td,th"):
        node.insert_after("\t")  # table cells stay apart (no "90.6" + "95" → "90.695")
    for node in root.css(",".join(_BLOCK_TAGS)):
        node.insert_after("\n")
    text = root.text(deep=True, separator="")
    lines = [ln.strip(" \t") for ln in text.splitlines()]
    body = "\n".join(ln for ln in lines if ln)
    # the <title> names the document (and often its region); keep it as the first line when the
    # body does not already start with it (site suffixes after a separator are cut off)
    page_title = re.split(r"\s{0,2}[_|]\s{0,2}|\s{1,2}[-–—]{1,2}\s{1,2}", page_title)[0].strip()
    if page_title and page_title not in body[:300]:
        body = page_title + "\n" + body
    return body


def _docx_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = cell.text.strip()
                    if t and (not cells or cells[-1] != t):  # merged cells repeat
                        cells.append(t)
                out.append("\t".join(cells))
    return "\n".join(out)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def read_file(path: str | Path, data: bytes | None = None) -> tuple[str, str, str | None]:
    """Return ``(raw_text, file_format, encoding)``; ``encoding`` is None for docx/pdf.

    ``data``: the file's bytes when the caller has already read them (text formats are
    then decoded from them instead of being read again).
    """
    p = Path(path)
    fmt = SUPPORTED_EXTENSIONS.get(p.suffix.lower())
    if fmt is None:
        raise DocumentReadError(f"{p}: unsupported file type {p.suffix or '(none)'}")
    try:
        if fmt == "docx":
            return _docx_text(p), fmt, None
        if fmt == "pdf":
            return _pdf_text(p), fmt, None
        if data is None:
            data = p.read_bytes()
    except DocumentReadError:
        raise
    except OSError as exc:
        raise DocumentReadError(f"{p}: cannot open ({exc.strerror or exc})") from exc
    except Exception as exc:  # python-docx / pypdf raise many types on corrupt files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DocumentReadError(f"{p}: cannot parse {fmt} ({reason})") from exc
    text, enc = decode_bytes(data, str(p))
    if fmt == "html":
        text = _html_text(text)
    return text, fmt, enc
