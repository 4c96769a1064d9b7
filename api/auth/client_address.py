"""The client's address for counting failed sign-ins: the socket peer, unless that peer is a
proxy named in ``VERBUND_TRUSTED_PROXIES``; only then ``X-Forwarded-For`` is believed.

Anyone can send ``X-Forwarded-For``; believed from everybody, a new made-up address per request
would slip past every per-address limit. Behind trusted proxies the header is read from the
right (the address the last proxy saw) and every trusted hop is skipped: the first address that
is not one of our proxies is the client. Entries to its left were written by the client itself
and are not believed.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import Scope

UNKNOWN = "unbekannt"


class InvalidTrustedProxies(ValueError):
    pass


class TrustedProxies:
    """The proxies (addresses or CIDR networks) whose ``X-Forwarded-For`` is believed."""

    def __init__(self, networks: tuple[IPv4Network | IPv6Network, ...] = ()) -> None:
        self.networks = networks

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """``"10.0.0.1, 10.1.0.0/16, ::1"``; empty: no proxy is trusted."""
        networks = []
        for entry in (part.strip() for part in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError as exc:
                raise InvalidTrustedProxies(
                    f"VERBUND_TRUSTED_PROXIES: „{entry}“ ist keine IP-Adresse und kein "
                    "Netz (CIDR, z. B. 10.0.0.0/8)"
                ) from exc
        return cls(tuple(networks))

    def trusts(self, address: str) -> bool:
        if not self.networks:
            return False
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client_address(self, scope: Scope) -> str:
        """The address failures are counted for (see the module doc)."""
        peer = str((scope.get("client") or (UNKNOWN, 0))[0])
        if not self.trusts(peer):
            return peer
        forwarded = Headers(scope=scope).getlist("x-forwarded-for")
        hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
        address = peer
        for hop in reversed(hops):
            address = hop
            if not self.trusts(hop):
                break
        return address
