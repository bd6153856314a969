"""Bytes to text: the encodings Chinese archives come in, and clear reasons for what is not text."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

MAX_FILE_BYTES = 50 * 1024 * 1024  # a newspaper page is ~50 KB; anything this large is not one

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class NotText(ValueError):
    """The file is not a text page; the message says why."""


@dataclass
class Decoded:
    raw: str  # the decoded text exactly as in the file (BOM removed, line ends kept)
    text: str  # NFC, line ends as \n
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _common_share(text: str, encoding: str, lead_lo: int, lead_hi: int) -> float:
    """Share of Han characters that fall in the frequent-character block of ``encoding``.

    GB2312 level 1 (lead bytes B0-D7) holds the 3,755 most used simplified characters; Big5's
    A4-C6 block the 5,401 most used traditional ones. Text decoded with the wrong one of the two
    is mostly rare characters, so the share tells them apart without a frequency table.
    """
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for char in han:
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and lead_lo <= encoded[0] <= lead_hi:
            common += 1
    return common / len(han)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 200)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a page file, or raise NotText with the reason."""
    if not data.strip():
        raise NotText("the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise NotText(f"the file is {what}, not text")
    warnings: list[str] = []
    encoding = None
    raw = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                raw = data[len(bom):].decode(name)
            except UnicodeDecodeError as exc:
                raise NotText(f"invalid {name.upper()} at byte {exc.start + len(bom)}") from None
            encoding = name + ("-sig" if name == "utf-8" else "")
            break
    if raw is None:
        if b"\x00" in data:
            raise NotText(f"the file contains NUL bytes (at byte {data.index(0)}): binary, not text")
        try:
            raw = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as utf8_error:
            raw, encoding, warnings = _decode_legacy(data, utf8_error)
    if _looks_binary(raw):
        raise NotText("the file is mostly control characters: binary, not text")
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return Decoded(raw=raw, text=text, encoding=encoding, warnings=warnings)


def _decode_legacy(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, str, list[str]]:
    candidates: list[tuple[float, str, str]] = []
    for name, lead_lo, lead_hi in (("gb18030", 0xB0, 0xD7), ("cp950", 0xA4, 0xC6)):
        try:
            decoded = data.decode(name)
        except UnicodeDecodeError:
            continue
        share = _common_share(decoded, "gb2312" if name == "gb18030" else "cp950", lead_lo, lead_hi)
        candidates.append((share, name, decoded))
    candidates.sort(reverse=True)
    if candidates and candidates[0][0] >= 0.5:
        _, name, decoded = candidates[0]
        return decoded, name, []
    # Mostly UTF-8 with a few damaged bytes: keep it, flag where the damage starts.
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    if bad <= max(1, len(replaced) // 100):
        where = utf8_error.start
        return replaced, "utf-8", [
            f"{bad} invalid UTF-8 byte sequence(s), first at byte {where}; shown as \ufffd"
        ]
    raise NotText(
        "not readable as UTF-8, UTF-16, GB18030/GBK or Big5 "
        f"(first invalid UTF-8 byte at {utf8_error.start})"
    )
