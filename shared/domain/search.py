"""Weighted fuzzy search over records (PRODUCT §4.4, §4.6, §4.7).

The predecessor used Fuse.js with ``threshold: 0.4``: a Fuse score runs from 0
(exact) to 1 (matches anything) and a field matches when its score is at most the
threshold. Here a field's similarity ``s`` (0-100) comes from rapidfuzz and maps onto
that scale as ``1 - s / 100``, so a field matches when ``s >= (1 - threshold) x 100``
(60 for 0.4).

A field's similarity is ``fuzz.partial_ratio`` of the query against the field's text
(both lowercased, punctuation folded by ``rapidfuzz.utils.default_process``): the best
alignment of the shorter string inside the longer one, so prefixes, words and small
typos match ("beatls" finds "The Beatles", "kind of" finds "Kind of Blue"). When the
field's text is shorter than the query, the similarity is scaled by
``0.5 + 0.5 x len(text) / len(query)``, the share of the query the text can cover,
so a short genre such as "Blues" does not match every long query that contains "blue".
A multi-valued field (genres, labels) takes its best value.

An item matches when any field matches; items rank by the sum over matching fields
of ``weight x similarity``, ties keeping input order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process, utils

T = TypeVar("T")

FieldValue = str | Sequence[str]
Getter = Callable[[T], FieldValue]

COLLECTION_SEARCH_WEIGHTS: Mapping[str, float] = {
    "title": 2.0,
    "artist": 1.5,
    "genre": 1.0,
    "label": 0.8,
}
DEFAULT_THRESHOLD = 0.4
SUBSTRING_QUERY_LENGTH = 2
"""Queries this short match as plain substrings (partial_ratio would match any one letter)."""


def weighted_fields(
    getters: Mapping[str, Getter[T]], weights: Mapping[str, float] = COLLECTION_SEARCH_WEIGHTS
) -> dict[str, tuple[float, Getter[T]]]:
    """Pair each getter with the weight of the same name (the collection weights by default)."""
    return {name: (weights[name], getter) for name, getter in getters.items()}


def normalise(text: str) -> str:
    return utils.default_process(text)


class _Field:
    """One field's distinct processed values, each with the items that hold it."""

    def __init__(self, weight: float, owners_by_value: dict[str, list[int]]) -> None:
        self.weight = weight
        self.values = list(owners_by_value)
        self.owners = list(owners_by_value.values())


class FuzzyIndex(Generic[T]):
    """Items with precomputed lowercased field texts, searched best match first."""

    def __init__(
        self,
        items: Sequence[T],
        fields: Mapping[str, tuple[float, Getter[T]]],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], not {threshold}")
        self._items = list(items)
        self._cutoff = (1.0 - threshold) * 100
        self._fields = [self._build(weight, getter) for weight, getter in fields.values()]

    def _build(self, weight: float, getter: Getter[T]) -> _Field:
        owners_by_value: dict[str, list[int]] = {}
        for index, item in enumerate(self._items):
            raw = getter(item)
            for value in (raw,) if isinstance(raw, str) else raw:
                processed = normalise(value)
                if processed:
                    owners = owners_by_value.setdefault(processed, [])
                    if not owners or owners[-1] != index:
                        owners.append(index)
        return _Field(weight, owners_by_value)

    def __len__(self) -> int:
        return len(self._items)

    def scored(self, query: str) -> list[tuple[T, float]]:
        """Matching items with their rank score, best first (all items, 0.0, when empty)."""
        needle = normalise(query)
        if not needle:
            return [(item, 0.0) for item in self._items]
        ranks: dict[int, float] = {}
        for field in self._fields:
            best: dict[int, float] = {}
            for position, similarity in self._matches(field, needle):
                contribution = field.weight * self._strength(similarity)
                for owner in field.owners[position]:
                    if contribution > best.get(owner, -1.0):
                        best[owner] = contribution
            for owner, contribution in best.items():
                ranks[owner] = ranks.get(owner, 0.0) + contribution
        ordered = sorted(ranks.items(), key=lambda pair: (-pair[1], pair[0]))
        return [(self._items[index], rank) for index, rank in ordered]

    def _matches(self, field: _Field, needle: str) -> list[tuple[int, float]]:
        """(value position, similarity) of the field's values that match the needle."""
        if len(needle) <= SUBSTRING_QUERY_LENGTH:
            return [(i, 100.0) for i, value in enumerate(field.values) if needle in value]
        found: list[tuple[int, float]] = []
        for value, score, position in process.extract(
            needle,
            field.values,
            scorer=fuzz.partial_ratio,
            processor=None,
            score_cutoff=self._cutoff,
            limit=None,
        ):
            if len(value) < len(needle):
                score *= 0.5 + 0.5 * len(value) / len(needle)
                if score < self._cutoff:
                    continue
            found.append((position, score))
        return found

    def _strength(self, similarity: float) -> float:
        """How far above the cutoff a similarity lies, 0 (just matching) to 1 (exact)."""
        if self._cutoff >= 100:
            return 1.0
        return (similarity - self._cutoff) / (100 - self._cutoff)

    def search(self, query: str) -> list[T]:
        """Matching items, best first; an empty query returns every item in input order."""
        return [item for item, _ in self.scored(query)]
