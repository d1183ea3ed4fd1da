"""Stop-word check for the language tests: text of one language with no sentence of the other.

Elements marked ``lang="…"`` with another language (quotations of a source file, such as a
Swedish table title printed in the programme file) are left out, as a screen reader would
switch voice for them (WCAG 2.1 SC 3.1.2, language of parts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

STOP_WORDS = {
    # frequent function words that do not occur in the other language
    "sv": (
        "och",
        "av",
        "för",
        "är",
        "inte",
        "som",
        "med",
        "på",
        "det",
        "till",
        "från",
        "har",
        "eller",
        "inga",
        "saknas",
    ),
    "en": ("the", "and", "of", "is", "not", "with", "from", "has", "are", "this", "which", "or"),
}
_VOID = {"br", "img", "meta", "link", "input", "hr", "col", "source", "wbr", "area", "base"}


class _Text(HTMLParser):
    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        other = dict(attrs).get("lang")
        skip = tag in ("style", "script") or (
            other is not None and other != self.lang and tag != "html"
        )
        self.stack.append((tag, skip))
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def foreign_lines(html: str, lang: str, min_words: int = 4) -> list[str]:
    """Lines of the page's text (outside other-language parts) holding a stop word of the
    other language."""
    p = _Text(lang)
    p.feed(html)
    other = STOP_WORDS["en" if lang == "sv" else "sv"]
    out = []
    for line in "".join(p.parts).split("\n"):
        toks = re.findall(r"[a-zåäöé]+", line.lower())
        if len(toks) >= min_words and any(w in toks for w in other):
            out.append(line.strip()[:200])
    return out
