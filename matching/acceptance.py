"""What a receiver takes: the materials a posted want accepts, the substitutes a route declares, and the
routes that may find latent receivers. One owner of the decision for the whole engine.

A want accepts

1. the materials it names and their kinds (a want for gypsum takes FGD gypsum);
2. what serves a product it names: the materials whose routes declare that they stand in for it
   (``serves``: a want for fertiliser takes digestate);
3. with ``allow_substitutes``, and flagged as a substitute, a material a route declares as doing the job the
   wanted material does at the receiver: a route of the offered material and a route of the wanted one
   that both take it to the receiver's sector ``serve`` the same product (FGD gypsum and phosphogypsum both
   serve as cement retarder at a cement works). The substitute travels by the declaring route only.

Never siblings under a **catch-all** category. A route written for a category reaches the category's kinds
(a route for fly ash serves class F fly ash), except where the category is a catch-all for them:

- its kinds are of different families (recyclables: metal scrap, paper, wood; "other industrial solid
  waste"): the category lumps unlike streams together, and its route is where a lot that names only the
  category goes, not a use of each kind;
- or the route sends the category only to waste handlers (GB/T 4754 division 42 recyclers, 5191 scrap
  collectors, 772 and 782 waste treatment, per :mod:`matching.couplings`): a handler's sector says it takes
  waste, not which (division 42 holds battery recyclers, scrap yards and vehicle dismantlers alike).

Such a route still serves an offer of the category itself ("S17 recyclables, unspecified"). A catch-all
route makes no kind serve a product, nor a substitute.

**Latent receivers** (sites that posted no want) come only from routes that name the offered material or its
parent, never from a catch-all: with no want to prove the use, the route must be about this stream.

Examples
--------
>>> from matching.knowledge.loader import load_knowledge
>>> acceptance = Acceptance(load_knowledge())
>>> "scrap-steel" in acceptance.accepted("waste-plastics") or "scrap-steel" in acceptance.substitutes("waste-plastics")
False
>>> "fgd-gypsum-cement-retarder" in acceptance.substitutes("phosphogypsum")["fgd-gypsum"]
True
"""

from __future__ import annotations

import functools

from matching.couplings import is_waste_handler
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.models import Route

__all__ = ["Acceptance", "acceptance_for"]


class Acceptance:
    """The acceptance rules over one knowledge base (cached: the knowledge base is immutable)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.kb = knowledge

    @functools.cached_property
    def _kinds(self) -> dict[str, tuple[str, ...]]:
        """Material -> every material below it (one pass over the tree, not one per material)."""
        below: dict[str, list[str]] = {code: [] for code in self.kb.materials}
        for code in self.kb.materials:
            for ancestor in self.kb.ancestors(code):
                below[ancestor].append(code)
        return {code: tuple(sorted(kinds)) for code, kinds in below.items()}

    @functools.lru_cache(maxsize=None)  # noqa: B019 - one instance per long-lived knowledge base
    def mixed_category(self, code: str) -> bool:
        """Whether the kinds under ``code`` are of more than one family (a catch-all category).

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> acceptance = Acceptance(load_knowledge())
        >>> acceptance.mixed_category("recyclable-waste"), acceptance.mixed_category("coal-fly-ash")
        (True, False)
        """
        return len({self.kb.materials[kind].family for kind in self._kinds[code]}) > 1

    def catch_all(self, route: Route, material: str) -> bool:
        """Whether ``route`` reaches ``material`` only as a catch-all (see the module docstring).

        False for a route naming the material itself, True for a route that does not reach it at all.

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> kb = load_knowledge()
        >>> routes = {route.id: route for route in kb.routes}
        >>> acceptance = Acceptance(kb)
        >>> acceptance.catch_all(routes["recyclables-sorting"], "waste-paper")
        True
        >>> acceptance.catch_all(routes["recyclables-sorting"], "recyclable-waste")
        False
        >>> acceptance.catch_all(routes["fly-ash-cement-admixture"], "coal-fly-ash-class-f")
        False
        """
        return self._catch_all(route.id, material)

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def _catch_all(self, route_id: str, material: str) -> bool:
        route = self._routes[route_id]
        if material in route.materials:
            return False
        named = [code for code in self.kb.route_lineage(material) if code in route.materials]
        if not named:
            return True
        return self.mixed_category(named[0]) or all(is_waste_handler(sector) for sector in route.user_sectors)

    @functools.cached_property
    def _routes(self) -> dict[str, Route]:
        return {route.id: route for route in self.kb.routes}

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def usable(self, material: str) -> tuple[Route, ...]:
        """The knowledge base's routes of ``material`` that are not a catch-all for it."""
        return tuple(route for route in self.kb.routes_for(material) if not self.catch_all(route, material))

    @functools.cached_property
    def _servers(self) -> dict[str, tuple[tuple[str, Route, str], ...]]:
        """Product -> (material, usable route serving it, the lineage member the route names) for every material."""
        servers: dict[str, list[tuple[str, Route, str]]] = {}
        for material in self.kb.materials:
            for route in self.usable(material):
                via = next(code for code in self.kb.route_lineage(material) if code in route.materials)
                for target in route.serves:
                    servers.setdefault(target, []).append((material, route, via))
        return {target: tuple(found) for target, found in servers.items()}

    def finds_latent(self, route: Route, material: str) -> bool:
        """Whether ``route`` may propose latent receivers of ``material``: it names the material or its parent,
        and is no catch-all for it.

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> kb = load_knowledge()
        >>> routes = {route.id: route for route in kb.routes}
        >>> acceptance = Acceptance(kb)
        >>> acceptance.finds_latent(routes["waste-paper-paper-mill"], "waste-cardboard")
        True
        >>> acceptance.finds_latent(routes["recyclables-sorting"], "waste-cardboard")
        False
        """
        near = self.kb.route_lineage(material)[:2]
        return bool(set(near).intersection(route.materials)) and not self.catch_all(route, material)

    @functools.cached_property
    def _served(self) -> dict[str, frozenset[str]]:
        """Product -> the materials whose routes (no catch-all) serve it."""
        served: dict[str, set[str]] = {}
        for material in self.kb.materials:
            for route in self.usable(material):
                for target in route.serves:
                    served.setdefault(target, set()).add(material)
        return {target: frozenset(codes) for target, codes in served.items()}

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def accepted(self, code: str) -> frozenset[str]:
        """Every material a want naming ``code`` takes as such: ``code``, its kinds, and what serves them.

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> acceptance = Acceptance(load_knowledge())
        >>> {"coal-fly-ash-class-f"} <= acceptance.accepted("coal-fly-ash")
        True
        >>> {"digestate", "ammonium-sulphate"} <= acceptance.accepted("fertiliser")
        True
        """
        kinds = (code, *self._kinds[code])
        found = set(kinds)
        for kind in kinds:
            found.update(self._served.get(kind, ()))
        return frozenset(found)

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def roles(self, code: str, sectors: tuple[str, ...] | None = None) -> frozenset[str]:
        """The products a want for ``code`` uses it as: what its routes (no catch-all) serve, only those whose
        users include one of ``sectors`` (the receiver's) when given.

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> acceptance = Acceptance(load_knowledge())
        >>> sorted(acceptance.roles("coal-gangue", ("3011",)))  # at a cement works: raw meal and admixture
        ['cement-admixture', 'cement-raw-material']
        >>> "fuel-coal" in acceptance.roles("coal-gangue")  # burnt at CFB power plants
        True
        """
        return frozenset(
            target for route in self.usable(code)
            if sectors is None or _serves_any(route, sectors)
            for target in route.serves
        )

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def substitutes(self, code: str, sectors: tuple[str, ...] | None = None) -> dict[str, frozenset[str]]:
        """Material -> the ids of the routes declaring it a substitute for ``code`` (at a receiver of ``sectors``).

        A route declares a substitute when it serves a product ``code`` serves (at that receiver: the job the
        wanted material does there), takes the substitute to that receiver, is no catch-all for it, and reaches
        it through the substitute's own lineage, not through a category ``code`` shares with it (siblings under
        one category are not each other's substitutes by its routes).

        Examples
        --------
        >>> from matching.knowledge.loader import load_knowledge
        >>> acceptance = Acceptance(load_knowledge())
        >>> "gbfs" in acceptance.substitutes("coal-fly-ash", ("3011",))  # both serve as cement admixture
        True
        >>> "ammonium-sulphate" in acceptance.substitutes("gasification-slag")  # siblings under chemical waste
        False
        >>> "paper-mill-sludge" in acceptance.substitutes("coal-gangue", ("3011",))  # gangue is no kiln fuel
        False
        """
        roles = self.roles(code, sectors)
        if not roles:
            return {}
        shared = {code, *self.kb.ancestors(code)}
        direct = self.accepted(code)
        found: dict[str, set[str]] = {}
        for role in sorted(roles):
            for material, route, via in self._servers.get(role, ()):
                if material in direct or via in shared or (sectors is not None and not _serves_any(route, sectors)):
                    continue
                found.setdefault(material, set()).add(route.id)
        return {material: frozenset(ids) for material, ids in found.items()}


def _serves_any(route: Route, sectors: tuple[str, ...]) -> bool:
    """Whether one of ``sectors`` is among the route's users (by GB/T 4754 code prefix)."""
    return any(sector.startswith(user) for sector in sectors for user in route.user_sectors)


@functools.lru_cache(maxsize=8)
def acceptance_for(knowledge: Knowledge) -> Acceptance:
    """The rules over ``knowledge``, built once per knowledge base (its caches are kept across runs)."""
    return Acceptance(knowledge)
