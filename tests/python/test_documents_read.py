"""read_file: encodings, formats, and unreadable files (fixtures are built here, in tmp_path)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from loaders.documents.model import DocumentReadError
from loaders.documents.read import decode_bytes, read_file

TEXT = "臨湘市教育體育局2021年工作計劃\n學前三年入園率達到95%以上，小學、初中入學率穩定在100%。"
SIMPLE = "临湘市教育体育局2021年工作计划\n学前三年入园率达到95%以上，小学、初中入学率稳定在100%。"


@pytest.mark.parametrize(
    ("encoding", "payload", "text"),
    [
        ("utf-8", SIMPLE.encode("utf-8"), SIMPLE),
        ("utf-8-sig", SIMPLE.encode("utf-8-sig"), SIMPLE),
        ("gb18030", SIMPLE.encode("gb18030"), SIMPLE),
        ("big5", TEXT.encode("big5"), TEXT),
        ("utf-16", SIMPLE.encode("utf-16"), SIMPLE),
    ],
)
def test_txt_encodings(tmp_path: Path, encoding: str, payload: bytes, text: str) -> None:
    f = tmp_path / f"doc_{encoding}.txt"
    f.write_bytes(payload)
    raw, fmt, enc = read_file(f)
    assert fmt == "txt"
    assert raw == text
    assert enc is not None


def test_utf8_is_tried_first() -> None:
    assert decode_bytes("到2025年".encode())[1] == "utf-8"


def test_gbk_short_text() -> None:
    text, enc = decode_bytes("毛入园率达到95%".encode("gbk"))
    assert text == "毛入园率达到95%"
    assert enc == "gb18030"


def test_html_drops_chrome(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(
        """<html><head><title>t</title><style>p{color:red}</style><script>var a=1;</script></head>
        <body><nav><a href="/">首页</a> &gt; 新闻</nav><div class="share-bar">分享到微信</div>
        <article><h1>某市教育事业发展规划</h1><p>到2025年，学前三年毛入园率达到95%以上。</p>
        <p>新建幼儿园10所。</p></article><footer>版权所有 ICP备12345号</footer></body></html>""",
        encoding="utf-8",
    )
    raw, fmt, _ = read_file(f)
    assert fmt == "html"
    assert "学前三年毛入园率达到95%以上" in raw
    assert "新建幼儿园10所" in raw
    for chrome in ("首页", "分享到", "版权所有", "var a", "color:red"):
        assert chrome not in raw


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("某县教育工作要点")
    d.add_paragraph("义务教育巩固率保持在98%以上。")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标值"
    table.cell(1, 0).text = "新建学校"
    table.cell(1, 1).text = "3所"
    f = tmp_path / "plan.docx"
    d.save(str(f))
    raw, fmt, enc = read_file(f)
    assert fmt == "docx"
    assert enc is None
    assert "义务教育巩固率保持在98%以上" in raw
    assert "新建学校\t3所" in raw


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with a Helvetica text line (ASCII only), written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zlib.compress(stream))
        + zlib.compress(stream)
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_layer(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    f = tmp_path / "report.pdf"
    f.write_bytes(_tiny_pdf("Enrolment target 95 percent by 2025"))
    raw, fmt, enc = read_file(f)
    assert fmt == "pdf"
    assert enc is None
    assert "Enrolment target 95 percent" in raw


def test_binary_file_is_a_read_error(tmp_path: Path) -> None:
    f = tmp_path / "blob.txt"
    f.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DocumentReadError) as exc:
        read_file(f)
    msg = str(exc.value)
    assert "blob.txt" in msg
    assert "\n" not in msg


def test_corrupt_docx_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DocumentReadError, match=r"broken\.docx"):
        read_file(bad)
    with pytest.raises(DocumentReadError, match=r"missing\.txt"):
        read_file(tmp_path / "missing.txt")


def test_unsupported_extension(tmp_path: Path) -> None:
    f = tmp_path / "sheet.xls"
    f.write_bytes(b"x")
    with pytest.raises(DocumentReadError, match="unsupported"):
        read_file(f)


def test_pipeline_paths_and_many(tmp_path: Path) -> None:
    import hashlib

    from loaders.documents.model import ProcessedDocument
    from loaders.documents.pipeline import iter_document_paths, process_file, process_many

    (tmp_path / "sub").mkdir()
    good = tmp_path / "sub" / "plan_a.txt"
    good.write_text("某市教育发展规划\n到2025年，学前三年毛入园率达到95%以上。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("新建学校3所。", encoding="gb18030")
    (tmp_path / "bad.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "notes.xlsx").write_bytes(b"x")
    paths = iter_document_paths([tmp_path])
    assert [p.name for p in paths] == ["b.txt", "bad.txt", "plan_a.txt"]

    doc = process_file(good)
    assert isinstance(doc, ProcessedDocument)
    assert doc.doc_id == "plan_a"
    assert doc.content_hash == hashlib.sha256(good.read_bytes()).hexdigest()
    assert [t.value for t in doc.targets] == [95.0]

    for workers in (1, 2):
        out = list(process_many([tmp_path], workers=workers))
        assert len(out) == 3
        assert isinstance(out[1], DocumentReadError) and "bad.txt" in str(out[1])
        assert isinstance(out[0], ProcessedDocument) and out[0].encoding == "gb18030"
