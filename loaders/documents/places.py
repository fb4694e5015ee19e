"""Region look-ups for the extractor, through the project's region index.

``loaders.regions.region_index()`` is the single source of division names and codes (NBS
2023). This module only adds what extraction needs on top of it:

* :func:`find_places` - the index's ``find_all`` matches, plus the short names of the
  districts and counties *inside the document's own region* (福田, 新郑, 中牟). The index
  deliberately does not match two-character county short names in running text, since across
  the whole country most are ordinary words; inside one city or province they are how texts
  name their districts, so the scoped look-up is safe there.
* :func:`display_name` - the official name the guidelines ask for: a 市辖区 carries its city
  prefix (深圳市光明区), a county or county-level city stands alone (临湘市).
* small wrappers (``is_within``, ``ancestors``) that never raise on unknown codes.
"""

from __future__ import annotations

from functools import lru_cache

from loaders.regions import NameMatcher, Region, RegionIndex
from loaders.regions import region_index as _project_index

__all__ = ["ancestors", "candidates", "display_name", "find_all_cached", "find_places", "is_within", "region_index"]


def region_index() -> RegionIndex:
    """The project's region index (loaded once per process by ``loaders.regions``)."""
    return _project_index()


def ancestors(code: str) -> list[Region]:
    try:
        return list(region_index().ancestors(code))
    except LookupError:
        return []


def candidates(hit: Region | list[Region]) -> list[Region]:
    """A ``find_all`` hit's region(s) as a list."""
    return list(hit) if isinstance(hit, list | tuple) else [hit]


def is_within(region: Region | None, container: Region | None) -> bool:
    """True if ``region`` is ``container`` or lies inside it."""
    if region is None or container is None:
        return False
    return region.code == container.code or region_index().is_within(region, container)


_SHORT_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗")


def _derived_short(r: Region) -> str | None:
    if r.short_name and len(r.short_name) >= 2:
        return r.short_name
    for suf in _SHORT_SUFFIXES:
        if r.name.endswith(suf) and len(r.name) - len(suf) >= 2:
            return r.name[: -len(suf)]
    return None


@lru_cache(maxsize=256)
def _scoped_automaton(container_code: str) -> NameMatcher | None:
    """A matcher of the short names of the places inside one region."""
    idx = region_index()
    container = idx.get(container_code)
    if container is None or container.level in ("country", "county"):
        return None
    names: dict[str, list[Region]] = {}
    for r in idx:
        if r.code == container.code or r.level in ("country", "province") or not is_within(r, container):
            continue
        short = _derived_short(r)
        if short:
            names.setdefault(short, []).append(r)
    if not names:
        return None
    return NameMatcher({n: (n, rs[0] if len(rs) == 1 else list(rs)) for n, rs in names.items()})


#: How many texts find_all_cached keeps: more than a batch of the pipeline (pipeline.BATCH_SIZE),
#: which runs metadata for every document of the batch before extraction for every one.
TEXTS_KEPT = 48


@lru_cache(maxsize=TEXTS_KEPT)
def find_all_cached(text: str) -> tuple[tuple[int, int, Region | list[Region]], ...]:
    """``region_index().find_all`` memoised for the texts in hand: metadata and extraction both
    scan each whole text (one NameFinder pass is ~5 ns a character, 2-3 % of the pipeline)."""
    return tuple(region_index().find_all(text))


def find_places(text: str, container: Region | None = None) -> list[tuple[int, int, Region | list[Region]]]:
    """Places named in ``text``: the index's matches plus, inside ``container``, the short names
    of its own districts and counties. Leftmost-longest, non-overlapping."""
    hits = list(find_all_cached(text))
    if container is not None:
        ac = _scoped_automaton(container.code)
        if ac is not None:
            for start, (n, r) in ac.find(text):
                hits.append((start, start + len(n), r))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, Region | list[Region]]] = []
    last = -1
    for h in hits:
        if h[0] >= last:
            out.append(h)
            last = h[1]
    return out


def display_name(region: Region | None) -> str:
    """Full official name; a 市辖区 carries its city prefix (深圳市光明区), as the gold does."""
    if region is None:
        return ""
    if region.level == "county" and region.name.endswith("区") and region.parent_code:
        parent = region_index().get(region.parent_code)
        if parent is not None and parent.level == "prefecture" and not region.name.startswith(parent.name):
            return parent.name + region.name
    return region.name
