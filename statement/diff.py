"""A side-by-side word diff of two statement bodies, for people (not a programmer's diff).

The bodies are reduced to their visible text, one block (paragraph, table row, list item) per
line; blocks are matched, and within a changed block the words are: removed words are marked
in the left column, added words in the right. Unchanged blocks far from a change fold into a
count. The result is plain data for a template (``admin/statement/diff_table.html``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import zip_longest

from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe

_BLOCK_END = re.compile(r"</(p|li|h[1-6]|dt|dd|tr|caption|address|th)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_TOKENS = re.compile(r"\s+|[^\s]+")
CONTEXT = 1  # unchanged blocks shown around a change


def statement_text_lines(html: str) -> list[str]:
    """The statement's visible text, one block (paragraph, row, list item) per line."""
    from html import unescape

    text = unescape(strip_tags(_BLOCK_END.sub("\n", html)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "removed", "added", "folded"
    old: SafeString
    new: SafeString
    folded: int = 0


def _words(old: str, new: str) -> tuple[SafeString, SafeString]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        if removed.strip():
            left.append(format_html("<del>{}</del>", removed))
        else:
            left.append(escape(removed))
        if added.strip():
            right.append(format_html("<ins>{}</ins>", added))
        else:
            right.append(escape(added))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308  # nosec B308 B703 - parts escaped


def word_diff(old_html: str, new_html: str) -> list[DiffRow]:
    """Rows of a side-by-side diff; an empty list when the visible text is the same."""
    old, new = statement_text_lines(old_html), statement_text_lines(new_html)
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows.extend(_context(old[i1:i2], first=index == 0, last=index == len(opcodes) - 1))
            continue
        for before, after in zip_longest(old[i1:i2], new[j1:j2]):
            if before is None:
                rows.append(DiffRow("added", mark_safe(""), format_html("<ins>{}</ins>", after)))  # nosec B308 B703 - empty
            elif after is None:
                rows.append(DiffRow("removed", format_html("<del>{}</del>", before), mark_safe("")))  # nosec B308 B703 - empty
            else:
                left, right = _words(before, after)
                rows.append(DiffRow("changed", left, right))
    return rows


def _context(lines: list[str], *, first: bool, last: bool) -> list[DiffRow]:
    """Unchanged blocks: the ones next to a change, the rest folded into a count."""
    keep_head = 0 if first else CONTEXT
    keep_tail = 0 if last else CONTEXT
    if len(lines) <= keep_head + keep_tail + 1:
        return [DiffRow("same", escape(line), escape(line)) for line in lines]
    head = [DiffRow("same", escape(line), escape(line)) for line in lines[:keep_head]]
    tail = [DiffRow("same", escape(line), escape(line)) for line in lines[len(lines) - keep_tail :]]
    folded = len(lines) - keep_head - keep_tail
    return [*head, DiffRow("folded", mark_safe(""), mark_safe(""), folded), *tail]  # nosec B308 B703 - empty
