"""The text of a PDF the app makes, for tests to assert on.

PDFium (pypdfium2) reads the app's PDFs some 20 times faster than pypdf's `extract_text` (#18:
the 37 PDFs the tests read, 289 pages, took 12.4 s of CPU with pypdf and 0.54 s with PDFium).
Its text is pypdf's, character for character on 288 of those pages (on the other one bullet
sits before its line, not after), once two of its habits are undone: its line ends are
"\\r\\n", and a hyphen that ends a line (as in "c-" / "dot.be") comes as U+FFFE with no line
break after it. Page count, page size and metadata stay with pypdf.
"""

import re

import pypdfium2 as pdfium

_HYPHEN_AT_LINE_END = "\ufffe"


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text as pypdf read it: lines separated by "\\n", a hyphen ending a line kept
    as "-" followed by the line break."""
    document = pdfium.PdfDocument(data)
    try:
        return [_page_text(page) for page in document]
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    """The whole document as one line: pages joined, every run of whitespace one space."""
    return re.sub(r"\s+", " ", " ".join(pdf_pages(data))).strip()


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
        page.close()
    return text.replace("\r\n", "\n").replace(_HYPHEN_AT_LINE_END, "-\n")
