"""Catching English on a Chinese page: every gettext lookup that found no translation, and whether it shows.

Lookups are recorded in the translation object itself (trans_real.DjangoTranslation), which every
path reaches: {% translate %}, {% blocktranslate %}, gettext in Python, lazy labels and third-party
apps alike. A lookup counts when the active language is zh-hans, its catalogue has no entry for the
message, and the message (with its placeholders filled by anything) appears in the page that was
rendered: a lookup made but never shown is no leak.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import trans_real

CHINESE = "zh-hans"
CONTEXT_SEPARATOR = "\x04"
# printf-style placeholders as gettext msgids carry them (%(name)s, %s, %d, %%).
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfir]|%%")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Lookup:
    message: str
    context: str = ""

    def shown_in(self, page: str) -> bool:
        return bool(_pattern(self.message).search(page))


@dataclass
class Recorder:
    lookups: list[Lookup] = field(default_factory=list)

    def clear(self) -> None:
        self.lookups.clear()

    def shown(self, page: str) -> list[Lookup]:
        """The untranslated messages this page shows, each once."""
        unescaped = html.unescape(page)
        seen: dict[Lookup, None] = {}
        for lookup in self.lookups:
            if lookup not in seen and (lookup.shown_in(page) or lookup.shown_in(unescaped)):
                seen[lookup] = None
        return list(seen)


def _pattern(message: str) -> re.Pattern[str]:
    # Literal parts in order, anything (short) where a placeholder was; whitespace as the template
    # trims it may come out as any run of white space.
    parts = [re.escape(part) for part in PLACEHOLDER.split(message.strip())]
    pattern = r".{0,200}?".join(parts)
    return re.compile(re.sub(r"(\\\s|\\n|\s)+", r"\\s+", pattern), re.DOTALL)


def _untranslated(translation: trans_real.DjangoTranslation, message: str) -> bool:
    return translation.language() == CHINESE and message not in translation._catalog


@contextlib.contextmanager
def recording_untranslated() -> Iterator[Recorder]:
    """Record every Chinese lookup without a translation while the block runs."""
    recorder = Recorder()
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self: trans_real.DjangoTranslation, message: str) -> str:
        if _untranslated(self, message) and LATIN_WORD.search(message):
            context, _sep, text = message.rpartition(CONTEXT_SEPARATOR)
            recorder.lookups.append(Lookup(text, context))
        return original_gettext(self, message)

    def ngettext(self: trans_real.DjangoTranslation, singular: str, plural: str, number: int) -> str:
        try:
            self._catalog.plural(singular, number)
        except KeyError:
            if self.language() == CHINESE and LATIN_WORD.search(singular):
                context, _sep, text = singular.rpartition(CONTEXT_SEPARATOR)
                _c, _s, plural_text = plural.rpartition(CONTEXT_SEPARATOR)
                recorder.lookups.extend([Lookup(text, context), Lookup(plural_text, context)])
        return original_ngettext(self, singular, plural, number)

    trans_real.DjangoTranslation.gettext = gettext  # type: ignore[method-assign]
    trans_real.DjangoTranslation.ngettext = ngettext  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        trans_real.DjangoTranslation.gettext = original_gettext  # type: ignore[method-assign]
        trans_real.DjangoTranslation.ngettext = original_ngettext  # type: ignore[method-assign]


# Text a reader sees or hears: element text, and the attributes shown or read aloud.
SPOKEN_ATTRIBUTES = re.compile(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"')
UNSEEN = re.compile(r"(?is)<(script|style|code|bdi)\b.*?</\1>|<!--.*?-->")
# Addresses, paths and types (a/b) are data, not words.
NOT_WORDS = re.compile(r"\S+@\S+|\S*/\S*")
LATIN_RUN = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z'’]{2,}(?:[ -][A-Za-z][A-Za-z'’]{2,})*(?![\w.-])")


def latin_phrases(page: str) -> set[str]:
    """Runs of Latin words of three letters or more that the page shows, whatever put them there."""
    body = UNSEEN.sub(" ", page)
    spoken = " ".join(SPOKEN_ATTRIBUTES.findall(body))
    text = html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + spoken)
    # Words in capitals are codes (access codes, references) and abbreviations (PDF, CSV), not English.
    return {run for run in LATIN_RUN.findall(NOT_WORDS.sub(" ", text)) if not run.replace(" ", "").replace("-", "").isupper()}
