"""HTML mail as plain text, safely: text only, nothing executed or fetched.

BeautifulSoup (with the standard library's parser, so no C extension) builds the tree from
whatever markup arrives; this walk keeps the text and the breaks a reader sees, drops scripts,
styles and comments, writes a link as `text (URL)` so staff see where it points (phishing mail
is a reason seniors write in), an image as its alt text, and a <blockquote> as `> ` lines so
the quote folding treats HTML replies (Gmail's `gmail_quote`) like plain ones. The walk uses
an explicit stack: hostile nesting cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Script,
    Stylesheet,
    Tag,
    TemplateString,
)

_SKIPPED_TAGS = frozenset(
    {"head", "script", "style", "template", "noscript", "title", "meta", "link", "object"}
)
_SKIPPED_STRINGS = (
    Comment,
    Declaration,
    Doctype,
    ProcessingInstruction,
    Script,
    Stylesheet,
    TemplateString,
    CData,
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


@dataclass
class _Writer:
    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    quote_depth: int = 0
    pre_depth: int = 0
    # The quote depth at which a paragraph ended: the blank line after it, written only when
    # more text follows, belongs to that depth.
    pending_blank: int | None = None

    def _start_line(self) -> None:
        if not self.current:
            if self.pending_blank is not None and self.lines and self.lines[-1].strip(" >"):
                self.lines.append("> " * min(self.pending_blank, self.quote_depth))
            self.pending_blank = None
            self.current.append("> " * self.quote_depth)

    def text(self, value: str) -> None:
        if self.pre_depth:
            for index, piece in enumerate(value.replace("\r\n", "\n").split("\n")):
                if index:
                    self.newline()
                if piece:
                    self._start_line()
                    self.current.append(piece)
            return
        value = _SPACE.sub(" ", value)
        if not value.strip():
            if self.current and not self.current[-1].endswith(" "):
                self.current.append(" ")
            return
        if not self.current:
            value = value.lstrip()
        self._start_line()
        self.current.append(value)

    def newline(self) -> None:
        if self.current:
            self.lines.append("".join(self.current).rstrip())
            self.current = []
        elif self.pending_blank is None:
            # An explicit <br> on an empty line is an empty line.
            self.lines.append("> " * self.quote_depth)

    def block(self, *, paragraph: bool = False) -> None:
        if self.current:
            self.lines.append("".join(self.current).rstrip())
            self.current = []
        if paragraph and self.pending_blank is None:
            self.pending_blank = self.quote_depth

    def result(self) -> str:
        self.block()
        text = "\n".join(line.rstrip() for line in self.lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip("\n")


def _link_suffix(tag: Tag) -> str:
    href = tag.get("href")
    if not isinstance(href, str):
        return ""
    href = href.strip()
    if not href.lower().startswith(_LINK_SCHEMES):
        return ""
    shown = tag.get_text(" ", strip=True)
    target = href[7:] if href.lower().startswith("mailto:") else href
    if not shown or shown in (target, href):
        return "" if shown else href
    return f" ({href})"


def html_to_text(html: str) -> str:
    """The text a reader sees in `html`, with line breaks, quotes and link targets."""
    soup = BeautifulSoup(html, "html.parser")
    writer = _Writer()
    stack: list[tuple[PageElement, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                writer.text(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if closing:
            _close(writer, node, name)
            continue
        if name in _SKIPPED_TAGS:
            continue
        _open(writer, node, name)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return writer.result()


def _open(writer: _Writer, node: Tag, name: str) -> None:
    if name in _BLOCK_TAGS:
        writer.block(paragraph=name in _PARAGRAPH_TAGS)
    if name == "blockquote":
        writer.quote_depth += 1
    elif name == "pre":
        writer.pre_depth += 1
    elif name == "br":
        writer.newline()
    elif name == "li":
        writer.text("・")
    elif name == "hr":
        writer.text("----")
        writer.block()
    elif name == "img":
        alt = node.get("alt")
        if isinstance(alt, str) and alt.strip():
            writer.text(f"[{alt.strip()}]")
    elif name in ("td", "th") and writer.current and writer.current[-1].strip():
        writer.text(" ")


def _close(writer: _Writer, node: Tag, name: str) -> None:
    if name == "a":
        suffix = _link_suffix(node)
        if suffix:
            writer.text(suffix)
    if name in _BLOCK_TAGS:
        writer.block(paragraph=name in _PARAGRAPH_TAGS)
    if name == "blockquote":
        writer.quote_depth = max(0, writer.quote_depth - 1)
    elif name == "pre":
        writer.pre_depth = max(0, writer.pre_depth - 1)
