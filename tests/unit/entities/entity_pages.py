"""Hand-built entity inputs shared by the entity tests (the seed page, small pages).

Built by hand from the seed text: the real parser is developed separately and not imported here.
"""

from __future__ import annotations

import itertools

from etl.records import EntityText, Mention, PageEntityInput

SEED_TITLE = "The increasing ties between Russia and Iran"

SEED_DESCRIPTION = """Russia’s President Vladimir Putin has met with his Iranian counterpart President Masoud Pezeshkian for the first time. The two leaders held face-to-face talks at a regional summit in Turkmenistan, where they joined a number of heads of state from other Central Asian and Arab states.

The Kremlin says the Russian and Iranian presidents discussed mutual relations as well as the situation in the Middle East. The meeting comes amid soaring tensions in the region, with Israel engaged in a war with the Iran-backed militant group Hezbollah. It’s the first time Putin has met the Iranian president after Pezeshkian’s predecessor Ibrahim Raisi died in a helicopter crash in May.

Ties between Russia and Iran have strengthened since the Kremlin sent troops into Ukraine in 2022, with Tehran widely believed to be supplying Moscow with weapons. DW’s Natalia Smolentceva reports on the Russian-Iranian relationship.

For more on the story, we talk to DW Correspondent Natalia Smolentceva. She joins us from Riga, where DW moved its Moscow bureau when we were banned from reporting from inside Russia.

Subscribe: https://www.youtube.com/user/deutschewelleenglish?sub_confirmation=1

For more news go to: http://www.dw.com/en/
Follow DW on social media:
►Facebook: https://www.facebook.com/deutschewellenews/
►Twitter: https://twitter.com/dwnews
►Instagram: https://www.instagram.com/dwnews
►Twitch: https://www.twitch.tv/dwnews_hangout
Für Videos in deutscher Sprache besuchen Sie: https://www.youtube.com/dwdeutsch

#Russia #Iran #Turkmenistan"""  # noqa: E501

SEED_COMMENTS = (
    'these, the so called "pundits", keep saying Russia and Iran, the two countries that do not '
    "really like each other, are getting together due to convenience, yet they forget that "
    "Iranians and Russians have a lot of cultural commonalities, and have shared long history. "
    "it's only natural they get together now, to fend off the common enemies.",
    "In the future, Russia/Iran won’t be our enemies and they’ll have their own Eurasian Union "
    "along with the Central Asian states. But they need to be dissuaded from expanding westward. "
    "The current conflict is Russia testing the EU and Iran testing Israel. If they find that the "
    "EU is a solid wall and there’s no chance to expand influence in the eastern Mediterranean "
    "either, then they’ll eventually give up on their current plans, and Russia will team up with "
    "Iran to focus on Central Asia and Azerbaijan. Either that, or they’ll weaken themselves so "
    "much on pointlessly fighting the West for too long and Turkey will take advantage of the "
    "power vacuum in Azerbaijan and Central Asia and then Russia/Iran will be stuck struggling "
    "against the Turkic Union wedged between them (and Turkey will try to build a new Ottoman "
    "Empire, first in the Middle East, then the Balkans, which will mean fighting Israel, the "
    "Arabs, and the EU).",
    '"No weapon that is formed against thee shall prosper; and every tongue that shall rise '
    "against thee in judgment thou shalt condemn. This is the heritage of the servants of the "
    'LORD, and their righteousness is of Me, saith the LORD."\nIsaiah 54:17! ✝️❤️✝️❤️✝️',
    "Even he won't direct intervene, his Putinism ideology will continue on its own. Expand bases "
    "in Syria and Iran to defend Middle East will be its first step to slowly grow influence.",
    "Russia (and China) will not let Iran fall prey to western machiavelism.\n"
    "If it comes to a direct military confrontation Israel will getting bled dry\n"
    "as the Ukraine is getting bled dry – further substantional weakening the\n"
    "western military potential and their posibility to project power.\n"
    "I mean you dont even have to be smart to deduct what will happen in the\n"
    'long term. "They" have the numbers,the resources and the production capacity\n'
    "on their side – and they are still growing.",
)


def seed_page() -> PageEntityInput:
    """The real seed page as the parser will hand it over (title without the channel suffix)."""
    texts = (
        EntityText("title", SEED_TITLE),
        EntityText("description", SEED_DESCRIPTION),
        *(EntityText("comment", text, index) for index, text in enumerate(SEED_COMMENTS)),
    )
    return PageEntityInput(texts, channel="DW News")


def page_of(*texts: str, channel: str | None = None) -> PageEntityInput:
    """A page whose first text is the title and the rest are comments (small test inputs)."""
    entity_texts = [EntityText("title", texts[0])] if texts else []
    entity_texts += [EntityText("comment", t, i) for i, t in enumerate(texts[1:])]
    return PageEntityInput(tuple(entity_texts), channel)


def assert_invariants(page: PageEntityInput, mentions: list[Mention]) -> None:
    """text slices, HASHTAG '#' position, and (source order, start_char) sorting."""
    position = {(t.source, t.comment_index): i for i, t in enumerate(page.texts)}
    keys = []
    for m in mentions:
        index = position[(m.source, m.comment_index)]
        source_text = page.texts[index].text
        assert source_text[m.start_char : m.end_char] == m.text, m
        assert m.text == m.text.strip() and m.text
        if m.label == "HASHTAG":
            assert source_text[m.start_char - 1] == "#"
        keys.append((index, m.start_char))
    assert keys == sorted(keys)
    assert all(a != b for a, b in itertools.pairwise(keys))
