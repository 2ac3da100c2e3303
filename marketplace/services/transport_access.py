"""How a site can ship besides by road, read from the words plants use ("公路|铁路|内河港口", "rail siding,
jetty", "pipe rack", "belt conveyor").

The matcher knows three ways besides the road every site has: rail, a quay (barge or ship) and pipeline
(matching.types.SITE_ACCESS). Road words need no storing; a word naming none of these (a belt conveyor, a
typo) is no reason to refuse the site: it is left out, and the caller tells the author so.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from geo.messages import Message, N_
from matching.types import SITE_ACCESS

from .errors import FieldError

ROAD = "road"

# English words by whole word, lower case; Chinese by the characters a term contains.
_ENGLISH = {
    "rail": "rail", "rails": "rail", "railway": "rail", "railways": "rail", "railroad": "rail", "siding": "rail",
    "train": "rail", "trains": "rail",
    "quay": "quay", "quays": "quay", "port": "quay", "harbour": "quay", "harbor": "quay", "wharf": "quay",
    "jetty": "quay", "dock": "quay", "docks": "quay", "berth": "quay", "barge": "quay", "barges": "quay",
    "ship": "quay", "shipping": "quay", "waterway": "quay", "seaport": "quay", "canal": "quay",
    "pipeline": "pipeline", "pipelines": "pipeline", "pipe": "pipeline", "pipes": "pipeline", "piping": "pipeline",
    "pipework": "pipeline", "piperack": "pipeline",
    "road": ROAD, "roads": ROAD, "truck": ROAD, "trucks": ROAD, "trucking": ROAD, "lorry": ROAD, "highway": ROAD,
    "motorway": ROAD, "street": ROAD, "tanker": ROAD,
}
_CHINESE = (("铁路", "rail"), ("专用线", "rail"), ("火车", "rail"), ("铁运", "rail"),
            ("码头", "quay"), ("港", "quay"), ("水运", "quay"), ("航运", "quay"), ("船", "quay"), ("驳", "quay"),
            ("管", "pipeline"),
            ("公路", ROAD), ("道路", ROAD), ("汽车", ROAD), ("汽运", ROAD), ("陆运", ROAD), ("卡车", ROAD),
            ("高速", ROAD))
_SEPARATORS = re.compile(r"[,，、;；|｜/／\n]+")


@dataclass(frozen=True)
class AccessReading:
    """The ways a site ships besides by road, in SITE_ACCESS order, and the words that named none."""

    modes: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()

    def warning(self) -> FieldError | None:
        """What to tell the author about the words left out, if any."""
        if not self.unread:
            return None
        return FieldError("transport_access", Message(
            N_("%(words)s names no way of shipping the matcher knows (rail, quay, pipeline; road is assumed "
               "everywhere)"), words=", ".join(repr(word) for word in self.unread)))


def read_transport_access(value: str | Iterable[str] | None) -> AccessReading:
    """``"公路|铁路|内河港口"`` -> rail and quay; ``"belt conveyor"`` -> nothing, kept as unread.

    >>> read_transport_access("rail siding, jetty; pipe rack")
    AccessReading(modes=('rail', 'quay', 'pipeline'), unread=())
    >>> read_transport_access("公路|铁路|内河港口").modes
    ('rail', 'quay')
    >>> read_transport_access(["road", "belt conveyor"])
    AccessReading(modes=(), unread=('belt conveyor',))
    """
    if value is None:
        return AccessReading()
    if isinstance(value, str):
        items = _SEPARATORS.split(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = [part for item in value for part in _SEPARATORS.split(str(item))]
    else:
        raise FieldError("transport_access", Message(N_("give %(SITE_ACCESS)s as a comma-separated text or a list"),
                                                     SITE_ACCESS=', '.join(SITE_ACCESS)))
    found, unread = set(), []
    for item in items:
        word = item.strip()
        if not word:
            continue
        named = _ways_named(word)
        if not named:
            unread.append(word)
        found |= named
    return AccessReading(tuple(mode for mode in SITE_ACCESS if mode in found), tuple(dict.fromkeys(unread)))


def _ways_named(word: str) -> set[str]:
    named = {_ENGLISH[token] for token in re.findall(r"[a-z]+", word.lower()) if token in _ENGLISH}
    named |= {way for term, way in _CHINESE if term in word}
    return named
