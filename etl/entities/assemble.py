"""Backend-independent tail of entity extraction: raw spans of a page -> sorted ``Mention``s.

Both backends hand over, per page, one list of ``RawSpan`` per ``EntityText``; this module adds
the shared pattern spans (hashtags, channel, titled persons), cleans, resolves overlaps,
canonicalises at page level and builds the records. Keeping it shared is what makes the two
backends' outputs comparable row for row.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.entities.canonical import canonicalise_page
from etl.entities.patterns import pattern_spans
from etl.entities.reference import Reference
from etl.entities.spans import RawSpan, clean_spans
from etl.records import Mention, PageEntityInput


def page_mentions(
    page: PageEntityInput,
    backend_spans: Sequence[Sequence[RawSpan]],
    reference: Reference,
    keep_labels: frozenset[str] = frozenset(),
) -> list[Mention]:
    """The page's mentions sorted by (text order, start_char); ``backend_spans`` aligns with texts.

    Invariant: ``page.texts[i].text[m.start_char:m.end_char] == m.text`` for every mention.
    """
    if len(backend_spans) != len(page.texts):
        raise ValueError(f"{len(backend_spans)} span lists for {len(page.texts)} texts")
    located: list[tuple[int, RawSpan]] = []
    for index, (entity_text, spans) in enumerate(zip(page.texts, backend_spans, strict=True)):
        text = entity_text.text
        candidates = [*spans, *pattern_spans(text, page.channel, spans)]
        located.extend((index, span) for span in clean_spans(text, candidates, keep_labels))
    surfaces = [
        (span.label, page.texts[index].text[span.start : span.end]) for index, span in located
    ]
    named = canonicalise_page(surfaces, reference)
    mentions: list[Mention] = []
    for (index, span), (_, surface), name in zip(located, surfaces, named, strict=True):
        source = page.texts[index]
        mentions.append(
            Mention(
                source=source.source,
                text=surface,
                label=name.label,
                start_char=span.start,
                end_char=span.end,
                canonical_name=name.canonical_name,
                comment_index=source.comment_index,
            )
        )
    return mentions
