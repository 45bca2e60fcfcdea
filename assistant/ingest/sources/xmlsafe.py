"""The XML rules shared by feeds and OPML: a size cap, an honest encoding, no entity declarations.

The checks run on the decoded text, not on raw bytes, so UTF-16 or UTF-32 cannot hide a
`<!DOCTYPE` from them, and on the whole document, not its first kilobytes, so a long comment
cannot push one past them. CDATA sections are content (a feed may carry a whole HTML page in
one) and are left out of the search. Feeds may keep a bare DOCTYPE (RSS 0.91 has one); neither
may declare entities or an internal subset, the way into entity bombs.
"""

from __future__ import annotations

import codecs
import re

from assistant.ingest.sources.common import LoadError

BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# XML 1.0 appendix F: how '<?' looks in each encoding when there is no byte-order mark
UNMARKED = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<\x00?", "utf-16-be"),
            (b"<\x00?\x00", "utf-16-le"), (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"))
DECLARATION = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["'][^>]*\?>""")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.S)
DOCTYPE = re.compile(r"<!DOCTYPE\b([^>\[]*)(\[)?", re.I)
ENTITY = re.compile(r"<!ENTITY\b", re.I)


def decode_xml(data: bytes, origin: str) -> str:
    """The document's text: byte-order mark, then the XML autodetection bytes, then its declaration, then UTF-8."""
    encoding = next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)), None)
    encoding = encoding or next((name for head, name in UNMARKED if data.startswith(head)), None)
    if encoding is None:
        declared = DECLARATION.match(data[:400].decode("ascii", "replace"))
        encoding = declared.group(1) if declared else "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise LoadError(f"{origin}: declares an unknown encoding {encoding!r}", kind="bad XML") from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"{origin}: not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                        kind="bad XML") from None
    return text.lstrip("\ufeff")


def check_xml(data: bytes, origin: str, what: str, max_bytes: int | None, allow_bare_doctype: bool) -> str:
    """The decoded document with its XML declaration removed (ready for a str parser), or a one-line LoadError."""
    if max_bytes is not None and len(data) > max_bytes:
        raise LoadError(f"{origin}: {len(data):,} bytes is over the {max_bytes:,}-byte limit for {what}", kind="too large")
    text = decode_xml(data, origin)
    searched = CDATA.sub("", text)
    if ENTITY.search(searched):
        raise LoadError(f"{origin}: {what} that declares entities is not accepted", kind="bad XML")
    doctype = DOCTYPE.search(searched)
    if doctype and (not allow_bare_doctype or doctype.group(2)):
        raise LoadError(f"{origin}: {what} with a DOCTYPE{' and an internal subset' if doctype.group(2) else ''} "
                        "is not accepted", kind="bad XML")
    return XML_DECLARATION.sub("", text, count=1)
