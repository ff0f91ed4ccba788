"""Tables of text cells, shown as aligned text or as HTML: the primitives every value uses.

A leaf module (it imports only :mod:`itinerary._text` and :mod:`itinerary.errors`), so that
each value can build its own table next to itself (``place_table`` in
:mod:`itinerary.places`, ``log_table`` in :mod:`itinerary.log`...) and show it through its
``__str__`` and ``_repr_html_`` without importing the presentation modules above it;
:mod:`itinerary.display` gathers those tables in one place for the CLI and for users.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from itinerary._text import escape_controls
from itinerary.errors import InvalidTableError

__all__ = ["HEAD", "TAIL", "Table", "head_tail", "render_html"]

HEAD = 10
"""How many first rows a long table (a log, an agenda) shows."""
TAIL = 10
"""How many last rows a long table shows."""


def _cells(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(escape_controls(str(value)) for value in values)


def _rows(rows: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_cells(row) for row in rows)


def _title(value: str | None) -> str | None:
    return None if value is None else escape_controls(value)


def _check_table(
    instance: Table, _: attrs.Attribute[Any], rows: tuple[tuple[str, ...], ...]
) -> None:
    width, name = len(instance.headers), instance.title or "(untitled)"
    for number, row in enumerate(rows):
        if len(row) != width:
            raise InvalidTableError(
                f"Table {name!r}: row {number} has {len(row)} cells for {width} headers"
            )
    if instance.status is not None and not 0 <= instance.status < width:
        raise InvalidTableError(f"Table {name!r}: status={instance.status} is not a column")
    if any(not 0 <= i < width for i in instance.right):
        raise InvalidTableError(f"Table {name!r}: right={instance.right} names a missing column")
    if instance.omitted < 0 or not 0 <= instance.head <= len(rows):
        raise InvalidTableError(
            f"Table {name!r}: omitted={instance.omitted} must be >= 0 and head={instance.head} "
            f"within 0..{len(rows)}"
        )


def _indexes(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values)


@attrs.frozen
class Table:
    r"""A titled table of text cells, shown as aligned text or as HTML.

    Every cell, header and the title have their control characters written out visibly
    (``\x1b``) when the table is made, so no consumer can print one.

    Args:
        title: Shown above the table (``None``: no title).
        headers: The column names, lower case (text output shows them upper case).
        rows: The cells, one tuple per row; anything is turned into text with ``str``.
        empty: What to show instead when there are no rows.
        status: The index of the column that holds a status (``pending``, ``at``...): the
            CLI colours it, HTML gives its cells a ``status-<value>`` class.
        right: Indexes of right-aligned columns (numbers).
        omitted: How many rows were left out of a long table, between the first *head*
            rows and the rest; shown as ``... 990 more ...``.
        head: How many of *rows* come before the omitted ones.

    """

    title: str | None = attrs.field(converter=_title)
    headers: tuple[str, ...] = attrs.field(converter=_cells)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows, validator=_check_table)
    empty: str = attrs.field(default="(none)", kw_only=True)
    status: int | None = attrs.field(default=None, kw_only=True)
    right: tuple[int, ...] = attrs.field(default=(), kw_only=True, converter=_indexes)
    omitted: int = attrs.field(default=0, kw_only=True)
    head: int = attrs.field(default=0, kw_only=True)

    def _body(self) -> list[tuple[str, ...] | None]:
        """The rows, with ``None`` where the omitted ones would be."""
        rows: list[tuple[str, ...] | None] = list(self.rows)
        if self.omitted:
            rows.insert(self.head, None)
        return rows

    def text(
        self,
        *,
        style: Callable[[str, str], str] | None = None,
        upper: bool = True,
        indent: str = "  ",
        rule: bool = False,
    ) -> str:
        """The table as aligned columns under its title, as the command line prints it.

        *style(text, value)* may decorate the status column's padded cells (the CLI colours
        them); *upper* writes the headers in capitals; *rule* underlines them with dashes.
        """
        lines = [self.title] if self.title is not None else []
        if not self.rows and not rule:
            return "\n".join([*lines, indent + self.empty] if self.empty else lines)
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

        def line(cells: Sequence[str], styled: bool) -> str:
            out = []
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                padded = cell.rjust(width) if i in self.right else cell.ljust(width)
                if styled and style is not None and i == self.status:
                    padded = style(padded, cell)
                out.append(padded)
            return (indent + "  ".join(out)).rstrip()

        if any(self.headers):  # a table of labels and values has no header line
            lines.append(line(tuple(h.upper() if upper else h for h in self.headers), False))
        if rule:
            lines.append(line(tuple("-" * w for w in widths), styled=False))
        for cells in self._body():
            if cells is None:
                lines.append(f"{indent}... {self.omitted:,} more ...")
            else:
                lines.append(line(cells, styled=True))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def html(self) -> str:
        """The table as HTML, with its own small stylesheet (see :func:`render_html`)."""
        return render_html((self,))

    def _repr_html_(self) -> str:
        return self.html()

    def html_table(self) -> str:
        """The bare ``<table>`` element: every string escaped, no stylesheet."""
        e = html.escape
        parts = ["<table>"]
        if self.title is not None:
            parts.append(f"<caption>{e(self.title)}</caption>")
        if not self.rows:
            parts.append(f'<tbody><tr><td class="empty">{e(self.empty)}</td></tr></tbody>')
            parts.append("</table>")
            return "".join(parts)
        if any(self.headers):
            parts.append("<thead><tr>")
            parts += [
                f'<th class="num">{e(h)}</th>' if i in self.right else f"<th>{e(h)}</th>"
                for i, h in enumerate(self.headers)
            ]
            parts.append("</tr></thead>")
        parts.append("<tbody>")
        for row in self._body():
            if row is None:
                parts.append(
                    f'<tr class="more"><td colspan="{len(self.headers)}">'
                    f"… {self.omitted:,} more …</td></tr>"
                )
                continue
            parts.append("<tr>")
            for i, cell in enumerate(row):
                classes = []
                if i == self.status and cell:
                    classes.append(f"status-{e(cell.replace(' ', '_'))}")
                if i in self.right:
                    classes.append("num")
                attr = f' class="{" ".join(classes)}"' if classes else ""
                text = cell.lstrip(" ")  # a row indented under the one above stays so in HTML
                indent = "\u00a0" * (len(cell) - len(text))
                parts.append(f"<td{attr}>{indent}{e(text)}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)


_STYLE = (
    "<style>"
    ".itinerary table{border-collapse:collapse;margin:0 0 .8em 0;font-size:.9em}"
    ".itinerary caption{text-align:left;font-weight:bold;padding:.2em 0;white-space:nowrap}"
    ".itinerary th,.itinerary td{text-align:left;padding:.15em .6em;"
    "border-bottom:1px solid #ddd;vertical-align:top;white-space:nowrap}"
    ".itinerary td:last-child{white-space:normal}"
    ".itinerary .num{text-align:right}"
    ".itinerary tr.more td{text-align:center;color:#777;font-style:italic}"
    ".itinerary td.empty{color:#777}"
    ".itinerary p{margin:.2em 0 .5em 0}"
    ".itinerary .status-at,.itinerary .status-met{color:#1a7f37}"
    ".itinerary .status-pending{color:#9a6700}"
    ".itinerary .status-overdue{color:#cf222e;font-weight:bold}"
    ".itinerary .status-in_transit{color:#0969da}"
    ".itinerary .status-unknown{color:#777}"
    "</style>"
)


def render_html(tables: Iterable[Table], heading: str | None = None) -> str:
    """*tables* as one HTML block (``<div class="itinerary">``) under an optional heading.

    The stylesheet is scoped to the block's class, so it styles nothing else on a page.
    """
    parts = ['<div class="itinerary">', _STYLE]
    if heading is not None:
        parts.append(f"<p><strong>{html.escape(escape_controls(heading))}</strong></p>")
    parts += [table.html_table() for table in tables]
    parts.append("</div>")
    return "".join(parts)


def head_tail(count: int, head: int, tail: int) -> tuple[list[int], int]:
    """The indexes a table of *count* items shows, and how many it leaves out."""
    if count <= head + tail + 1:
        return list(range(count)), 0
    return [*range(head), *range(count - tail, count)], count - head - tail
