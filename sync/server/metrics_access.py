"""Who may read ``/metrics``: an allow-listed address, or the bearer token.

A caller may rely on: :meth:`MetricsAccess.from_settings` raising ``ValueError`` naming the
entry when ``metrics_allow`` holds something that is not an address or network, so a typo stops
the server at start rather than opening or closing the door silently; :meth:`allows` comparing
the token in constant time as bytes (any text in the header is safe) and never allowing an
empty token.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from starlette.requests import Request

from sync.server.settings import Settings

__all__ = ["MetricsAccess"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class MetricsAccess:
    token: bytes
    networks: tuple[Network, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> MetricsAccess:
        networks = []
        for entry in settings.metrics_allow:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(
                    f"metrics_allow: {entry!r} is not an address or network such as 10.0.0.5 "
                    "or 10.0.0.0/24"
                ) from None
        return cls(settings.metrics_token.encode(), tuple(networks))

    def allows(self, request: Request) -> bool:
        if self.token:
            given = request.headers.get("authorization", "")
            scheme, _, credentials = given.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                credentials.strip().encode("utf-8", "surrogateescape"), self.token
            ):
                return True
        host = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # ::ffff:10.0.0.5 is 10.0.0.5
        return any(address in network for network in self.networks)
