"""The address a request comes from: the connection's peer, or, behind trusted proxies, the client they name.

``X-Forwarded-For`` is believed only when the peer is one of the configured trusted proxies (off by default):
the address list is read from the right, skipping trusted proxies, and the first other address is the client's.
Anyone can send the header, so believing it from an untrusted peer would let a client pick its own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddress:
    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: list[_Network] = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def of(self, request: Request) -> str | None:
        peer = request.client.host if request.client else None
        if peer is None or not self._trusted or not self._is_trusted(peer):
            return peer
        forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer  # a malformed entry: fall back to the proxy itself
        return hops[0] if hops else peer
