"""Per-request dataloaders: every list and every lookup in a request is batched per level.

One ``Loaders`` object lives in each request's context. Lookups by id, hops through the
graph and keyset pages are all keyed so that siblings in the result tree share one query,
which keeps the number of Cypher round trips fixed whatever the number of results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property, partial
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph import Graph
from graph.model import HOUSEHOLD_LEVEL
from graph.repo import areas, households, includes, nodes, organizations, services
from graph.repo.households import HouseholdHop, OrgScope
from graph.repo.includes import FULL, Shape
from graph.repo.nodes import Hop
from graph.repo.organizations import StoredMembership
from graph.repo.paging import Page, PageArgs
from graph.repo.values import Stored
from schema.threads import in_thread

T = TypeVar("T")
A = TypeVar("A", bound=Hashable)


PageKey = tuple[str | None, str | None, Any]  # (anchor kind, anchor id, arguments)
CountKey = tuple[str | None, str | None, Any]  # (anchor kind, anchor id, filter)

# (arguments, anchor kind, anchor ids) -> per anchor id
PageFn = Callable[[Any, Any, Sequence[str]], dict[str | None, Page]]
CountFn = Callable[[Any, Any, Sequence[str]], dict[str | None, int]]


class Paged(Generic[A]):
    """Pages and counts of one kind of list, batched over anchors with equal arguments."""

    def __init__(self, page_fn: PageFn, count_fn: CountFn) -> None:
        self._page_fn = page_fn
        self._count_fn = count_fn

    # Made on first use: most requests ask for one kind of list, and every request makes
    # a Loaders (a DataLoader costs its share of a small request's fixed cost).
    @cached_property
    def _pages(self) -> DataLoader[PageKey, Page]:
        return DataLoader(self._load_pages)

    @cached_property
    def _counts(self) -> DataLoader[CountKey, int]:
        return DataLoader(self._load_counts)

    async def page(self, args: A, anchor: str | None = None, anchor_id: str | None = None) -> Page:
        return await self._pages.load((anchor, anchor_id, args))

    async def count(
        self, filt: Any, anchor: str | None = None, anchor_id: str | None = None
    ) -> int:
        return await self._counts.load((anchor, anchor_id, filt))

    async def _load_pages(self, keys: list[PageKey]) -> list[Page]:
        return await self._grouped(keys, self._page_fn, Page(items=[], keys=[], has_next=False))

    async def _load_counts(self, keys: list[CountKey]) -> list[int]:
        return await self._grouped(keys, self._count_fn, 0)

    @staticmethod
    async def _grouped(
        keys: list[tuple[str | None, str | None, Any]],
        fn: Callable[[Any, str | None, Sequence[str]], dict[str | None, T]],
        empty: T,
    ) -> list[T]:
        groups: dict[tuple[str | None, Any], list[str]] = defaultdict(list)
        for anchor, anchor_id, args in keys:
            if anchor_id is not None:
                groups[(anchor, args)].append(anchor_id)
            else:
                groups.setdefault((anchor, args), [])
        found: dict[tuple[str | None, str | None, Any], T] = {}
        for (anchor, args), ids in groups.items():
            result = await in_thread(fn, args, anchor, sorted(set(ids)))
            for anchor_id, value in result.items():
                found[(anchor, anchor_id, args)] = value
        return [found.get(key, empty) for key in keys]


ServiceArgs = PageArgs[services.ServiceFilter, services.ServiceSort]
OrganizationArgs = PageArgs[organizations.OrganizationFilter, organizations.OrganizationSort]
AreaArgs = PageArgs[areas.AreaFilter, areas.AreaSort]
ReferralArgs = PageArgs[households.ReferralFilter, households.ReferralSort]


# Areas are never anchored: one page under ``None``.
def _area_pages(
    graph: Graph, a: AreaArgs, anchor: Any, ids: Sequence[str]
) -> dict[str | None, Page]:
    return {None: areas.page(graph, a)}


def _area_counts(
    graph: Graph, f: areas.AreaFilter, anchor: Any, ids: Sequence[str]
) -> dict[str | None, int]:
    return {None: areas.count(graph, f)}


class Loaders:
    """The request's dataloaders (typed; one per kind of lookup)."""

    def __init__(self, graph: Graph, scope: OrgScope | None) -> None:
        self.graph = graph
        self.scope = scope
        self._named: dict[str, Any] = {}
        self._nodes: dict[tuple[str, Shape], DataLoader[str, Stored[Any] | None]] = {}
        self._hops: dict[Hop, DataLoader[str, list[Stored[Any]]]] = {}
        self._scoped_hops: dict[str, DataLoader[str, list[Stored[Any]]]] = {}
        self.services: Paged[ServiceArgs] = Paged(
            partial(services.page, graph), partial(services.count, graph)
        )
        self.organizations: Paged[OrganizationArgs] = Paged(
            partial(organizations.page, graph), partial(organizations.count, graph)
        )
        self.areas: Paged[AreaArgs] = Paged(
            partial(_area_pages, graph), partial(_area_counts, graph)
        )
        # Household-level: the request's scope is bound in, never passed by a resolver.
        self.referrals: Paged[ReferralArgs] = Paged(
            partial(households.referral_page, graph, scope=scope),
            partial(households.referral_count, graph, scope=scope),
        )

    # Made on first use (see Paged).
    @cached_property
    def _memberships_of_org(self) -> DataLoader[str, list[StoredMembership]]:
        return DataLoader(self._load_memberships_of_org)

    @cached_property
    def _memberships_of_net(self) -> DataLoader[str, list[StoredMembership]]:
        return DataLoader(self._load_memberships_of_net)

    @cached_property
    def _geometries(self) -> DataLoader[str, str | None]:
        return DataLoader(self._load_geometries)

    # -- per-request state of other modules (e.g. the analysis report), by name ---------
    def setdefault(self, name: str, default: T) -> T:
        """The request's object under ``name``, created from ``default`` on first use."""
        found: T = self._named.setdefault(name, default)
        return found

    # -- lookups by id ---------------------------------------------------------------
    def _node_loader(self, label: str, shape: Shape) -> DataLoader[str, Stored[Any] | None]:
        loader = self._nodes.get((label, shape))
        if loader is None:
            loader = self._nodes[(label, shape)] = DataLoader(
                partial(self._load_nodes, label, shape)
            )
        return loader

    async def node(self, label: str, ident: str, shape: Shape = FULL) -> Stored[Any] | None:
        """A node by id (Area, Organization, Service, ..., Household, Referral, ...), read
        in ``shape`` (the whole record by default)."""
        return await self._node_loader(label, shape).load(ident)

    async def nodes(self, label: str, idents: Sequence[str]) -> list[Stored[Any]]:
        """Several nodes by id, in the given order; missing ones are left out."""
        found = await self._node_loader(label, FULL).load_many(list(idents))
        return [item for item in found if item is not None]

    async def _load_nodes(
        self, label: str, shape: Shape, keys: list[str]
    ) -> list[Stored[Any] | None]:
        if shape != FULL:
            # Household-level records and includes are limited to the request's scope.
            found = await in_thread(includes.by_ids, self.graph, label, keys, shape, self.scope)
        elif label in HOUSEHOLD_LEVEL:
            found = await in_thread(households.by_ids, self.graph, label, keys, self.scope)
        else:
            found = await in_thread(nodes.by_ids, self.graph, label, keys)
        return [found.get(key) for key in keys]

    # -- one hop through the directory -------------------------------------------------
    async def hop(self, hop: Hop, ident: str) -> list[Stored[Any]]:
        loader = self._hops.get(hop)
        if loader is None:
            loader = self._hops[hop] = DataLoader(partial(self._load_hop, hop))
        return await loader.load(ident)

    async def _load_hop(self, hop: Hop, keys: list[str]) -> list[list[Stored[Any]]]:
        found = await in_thread(nodes.related, self.graph, hop, keys)
        return [found.get(key, []) for key in keys]

    # -- one hop to household-level data (always scoped) -------------------------------
    async def household_hop(self, name: HouseholdHop, ident: str) -> list[Stored[Any]]:
        loader = self._scoped_hops.get(name)
        if loader is None:
            loader = self._scoped_hops[name] = DataLoader(partial(self._load_scoped_hop, name))
        return await loader.load(ident)

    async def _load_scoped_hop(
        self, name: HouseholdHop, keys: list[str]
    ) -> list[list[Stored[Any]]]:
        found = await in_thread(households.related, self.graph, name, keys, self.scope)
        return [found.get(key, []) for key in keys]

    # -- memberships (relationships with properties) -----------------------------------
    async def memberships_of_organization(self, ident: str) -> list[StoredMembership]:
        return await self._memberships_of_org.load(ident)

    async def memberships_of_network(self, ident: str) -> list[StoredMembership]:
        return await self._memberships_of_net.load(ident)

    async def _load_memberships_of_org(self, keys: list[str]) -> list[list[StoredMembership]]:
        found = await in_thread(organizations.memberships_of_organizations, self.graph, keys)
        return [found.get(key, []) for key in keys]

    async def _load_memberships_of_net(self, keys: list[str]) -> list[list[StoredMembership]]:
        found = await in_thread(organizations.memberships_of_networks, self.graph, keys)
        return [found.get(key, []) for key in keys]

    # -- area outlines (left out of node reads: large) ---------------------------------
    async def geometry(self, area_id: str) -> str | None:
        return await self._geometries.load(area_id)

    async def _load_geometries(self, keys: list[str]) -> list[str | None]:
        found = await in_thread(areas.geometries, self.graph, keys)
        return [found.get(key) for key in keys]
