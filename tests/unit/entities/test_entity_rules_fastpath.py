"""The rules backend's page pass (``rules_page``) gives exactly the general path's mentions.

``RulesBackend(fast=False)`` runs the shared ``assemble.page_mentions`` tail text by text on the
gazetteer's spans; the default runs ``rules_page.rules_page_mentions`` (joined texts, one scan
per automaton, precomputed payloads). Every test compares the two outputs record for record.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.entities.rules_backend import RulesBackend, cached_automaton
from etl.entities.rules_page import join_texts, rules_page_mentions
from etl.errors import PageRejected
from etl.eval.entities import default_devset_dir, load_devset
from etl.extract import decode_page
from etl.parse import parse_page
from etl.pipeline import entity_inputs
from etl.records import EntityText, Mention, PageEntityInput
from etl.synth import iter_corpus

FAST = RulesBackend()
GENERAL = RulesBackend(fast=False)


def _assert_same(pages: list[PageEntityInput]) -> int:
    """Both paths agree on every page; returns the number of mentions compared."""
    fast, general = FAST.annotate(pages), GENERAL.annotate(pages)
    assert len(fast) == len(general) == len(pages)
    for page, got, want in zip(pages, fast, general, strict=True):
        assert got == want, page
        assert all(type(m) is Mention for m in got)
    return sum(len(found) for found in general)


def _page(*texts: str, channel: str | None = None) -> PageEntityInput:
    sources = [EntityText("title", texts[0])] if texts else []
    sources += [EntityText("comment", text, index) for index, text in enumerate(texts[1:])]
    return PageEntityInput(tuple(sources), channel)


def test_same_mentions_on_dev_and_holdout_sets() -> None:
    pages = [dev.page for dev in load_devset()]
    pages += [dev.page for dev in load_devset(default_devset_dir() / "holdout")]
    assert _assert_same(pages) > 250


def test_same_mentions_on_synthetic_corpus_of_every_layout() -> None:
    pages: list[PageEntityInput] = []
    families: set[str] = set()
    for synth in iter_corpus(250, seed=3):
        try:
            pages.append(entity_inputs(parse_page(decode_page(synth.data))))
        except PageRejected:
            continue
        families.add(synth.family)
    assert len(families) >= 5 and len(pages) > 200
    assert _assert_same(pages) > 5_000


@pytest.mark.parametrize(
    "texts",
    [
        # names at the very start and end of texts, next to the join point
        ("Putin", "Iran", "Vladimir Putin met Putin"),
        ("President Masoud Pezeshkian", "Pezeshkian spoke", "Pezeshkian"),
        # title words: glued ("making"), overlapping ("xVice-President"), at a text's end
        ("making King Charles", "xVice-President Joe Biden", "spoke to the President"),
        ("Vice-President Kamala Harris and vice-President Kamala Harris", "Dr.", "Dr. Ann Lee"),
        # hashtags at text start, inside words, with names inside
        ("#Iran #Putin a#b", "#Ukraine's war", "#"),
        # possessives after ORG matches and the channel, at a text's end
        ("DW's Natalia Smolentceva reports", "CNN’s Wolf Blitzer", "BBC's"),
        # emoji (UCS-4 text), Cyrillic, empty texts
        ("Iran 🙂 Putin", "", "Україна Iran", ""),
        ("IRAN and Iran's Tehran", "Elon Musk", "Musk said Musk's"),
    ],
)
def test_same_mentions_on_edge_cases(texts: tuple[str, ...]) -> None:
    _assert_same([_page(*texts, channel="DW News"), _page(*texts, channel="BBC"), _page(*texts)])


def test_channel_spanning_lines_takes_the_general_path() -> None:
    page = _page("Iran and Putin\nNews", "more Putin", channel="Putin\nNews")
    scanner = cached_automaton(FAST.alias_path, FAST.min_population)
    from etl.entities.reference import load_reference

    reference = load_reference(FAST.alias_path, FAST.min_population)
    assert rules_page_mentions(page, scanner, reference) is None
    _assert_same([page])


def test_page_without_texts() -> None:
    assert FAST.annotate([PageEntityInput(())]) == [[]]


def test_join_texts_offsets() -> None:
    joined, starts = join_texts(["ab", "", "cde"])
    assert joined == "\nab\n\ncde\n"
    assert [joined[s : s + n] for s, n in zip(starts, (2, 0, 3), strict=True)] == ["ab", "", "cde"]


_WORDS = st.sampled_from(
    [
        "Iran", "Putin", "Vladimir", "Elon", "Musk", "President", "king", "King", "Dr.", "DW",
        "DW's", "BBC’s", "Natalia", "Smolentceva", "#Iran", "#", "Tehran", "African", "Union",
        "Central", "Asian", "Asia", "the", "and", "said", "'s", "’s", "-", "Vice-President",
        "🙂", "Україна", "Jordan", "Bardella", "IRAN", "Washington", "George", "3", "_", ".",
    ]
)  # fmt: skip
_SEPARATORS = st.sampled_from([" ", " ", " ", "", "\n", "\t", ", "])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, max_size=12))
    return "".join(word + draw(_SEPARATORS) for word in words)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(_texts(), min_size=1, max_size=4),
    channel=st.sampled_from([None, "DW", "DW News", "BBC", "", "Putin"]),
)
def test_same_mentions_on_generated_pages(texts: list[str], channel: str | None) -> None:
    _assert_same([_page(*texts, channel=channel)])


def test_mention_is_a_named_tuple_with_the_record_fields() -> None:
    mention = Mention(
        source="comment",
        text="Iran",
        label="GPE",
        start_char=0,
        end_char=4,
        canonical_name="Iran",
        comment_index=2,
    )
    assert Mention._fields == (
        "source",
        "text",
        "label",
        "start_char",
        "end_char",
        "canonical_name",
        "comment_index",
    )
    assert Mention("title", "Iran", "GPE", 0, 4, "Iran").comment_index is None
    assert mention._replace(label="LOC").label == "LOC" and mention.label == "GPE"
    with pytest.raises(AttributeError):
        mention.label = "LOC"  # type: ignore[misc]


def test_gazetteer_is_true_leftmost_longest() -> None:
    """A name starting inside a longer name's failed partial match is still found (pyahocorasick's
    ``iter_long`` dropped it)."""
    from etl.entities.reference import ReferenceName, build_reference
    from etl.entities.rules_backend import build_automaton, gazetteer_spans

    names = ["South Georgia and the South Sandwich Islands", "Georgia", "Falklands"]
    reference = build_reference([ReferenceName(n, n, "GPE") for n in names])
    text = "South Georgia and the Falklands"
    spans = gazetteer_spans(text, build_automaton(reference))
    assert [text[s.start : s.end] for s in spans] == ["Georgia", "Falklands"]
