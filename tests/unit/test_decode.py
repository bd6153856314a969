import codecs

import pytest

from leshan_reader.conversion import convert
from leshan_reader.ingest.decode import NotText, decode_bytes
from tests.conftest import FRONT_2022_07, SEEDS

TEXT = (SEEDS / FRONT_2022_07).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encoding, data",
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8-sig", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf-16-le", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
        ("utf-16-be", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
        ("gb18030", TEXT.encode("gb18030")),
        ("gb18030", TEXT.encode("gbk")),
    ],
)
def test_every_supported_encoding_gives_the_same_text(encoding, data):
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.text == TEXT
    assert decoded.warnings == []


def test_big5_traditional_page_is_not_mistaken_for_gbk():
    traditional = convert(TEXT, "s2t")
    decoded = decode_bytes(traditional.encode("cp950", errors="replace"))
    assert decoded.encoding == "cp950"
    assert "本報訊（記者 張清）" in decoded.text


def test_line_ends_are_normalised_and_raw_keeps_them():
    decoded = decode_bytes("第一行\r\n第二行\r第三行\n".encode("utf-8"))
    assert decoded.text == "第一行\n第二行\n第三行\n"
    assert decoded.raw == "第一行\r\n第二行\r第三行\n"


def test_text_is_nfc():
    assert decode_bytes("e\u0301".encode("utf-8")).text == "\u00e9"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        ("乐山".encode("utf-8") + b"\x00\x01\x02", "NUL bytes"),
    ],
)
def test_files_that_are_not_text_are_rejected_with_the_reason(data, reason):
    with pytest.raises(NotText, match=reason):
        decode_bytes(data)


def test_a_damaged_utf8_file_is_kept_and_flagged_with_the_byte_offset():
    offset = len(TEXT[:100].encode("utf-8"))
    damaged = TEXT[:100].encode("utf-8") + b"\xff" + TEXT[100:].encode("utf-8")
    decoded = decode_bytes(damaged)
    assert decoded.encoding == "utf-8"
    assert decoded.text == TEXT[:100] + "\ufffd" + TEXT[100:]
    assert decoded.warnings == [
        f"1 invalid UTF-8 byte sequence(s), first at byte {offset}; shown as \ufffd"
    ]
