"""HTTP middleware, pure ASGI: security headers, HEAD, access log, metrics.

None of it knows any path: a new page or endpoint gets the same headers, limits and logs.
"""

import logging
import re
import time
from collections import defaultdict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles from our own origin only (Plotly and ReDoc add style attributes and
# elements, hence 'unsafe-inline' for styles; no inline or eval'd script anywhere). Images
# may be data: and blob: URLs (Plotly's PNG export); workers blob: (ReDoc).
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """The same security headers on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD is answered wherever GET is: the GET's status and headers, with no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)


access_log = logging.getLogger("gradscape.access")
_ID = re.compile(r"^/api/(surfaces|datasets)/[^/]+")


class Metrics:
    """Request counts and durations, written in Prometheus's text format."""

    BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(self.BUCKETS))
        self.sums: dict[str, float] = defaultdict(float)
        self.totals: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.counts[(method, route, status)] += 1
        row = self.buckets[route]
        for i, bound in enumerate(self.BUCKETS):
            if seconds <= bound:
                row[i] += 1
        self.sums[route] += seconds
        self.totals[route] += 1

    def text(self, gauges: dict[str, float]) -> str:
        lines = [
            "# TYPE gradscape_requests_total counter",
            *(
                f'gradscape_requests_total{{method="{m}",route="{r}",status="{s}"}} {n}'
                for (m, r, s), n in sorted(self.counts.items())
            ),
            "# TYPE gradscape_request_seconds histogram",
        ]
        for route, row in sorted(self.buckets.items()):
            for bound, n in zip(self.BUCKETS, row, strict=True):
                lines.append(
                    f'gradscape_request_seconds_bucket{{route="{route}",le="{bound}"}} {n}'
                )
            total = self.totals[route]
            lines.append(f'gradscape_request_seconds_bucket{{route="{route}",le="+Inf"}} {total}')
            lines.append(f'gradscape_request_seconds_sum{{route="{route}"}} {self.sums[route]}')
            lines.append(f'gradscape_request_seconds_count{{route="{route}"}} {total}')
        for name, value in gauges.items():
            lines += [f"# TYPE gradscape_{name} gauge", f"gradscape_{name} {value}"]
        return "\n".join(lines) + "\n"


def route_label(scope: Scope) -> str:
    """The endpoint's function name (a bounded set of label values), else static/other."""
    endpoint = scope.get("endpoint")
    name = getattr(endpoint, "__name__", None)
    if name:
        return name
    return "static" if not scope["path"].startswith("/api") else "other"


class AccessLog:
    """One line per request: method, path, status, duration; feeds ``Metrics`` if given."""

    def __init__(self, app: ASGIApp, enabled: bool, metrics: Metrics | None) -> None:
        self.app = app
        self.enabled = enabled
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            seconds = time.perf_counter() - start
            if self.enabled:
                client = scope.get("client") or ("-", 0)
                access_log.info(
                    '%s "%s %s" %d %.1fms',
                    client[0],
                    scope["method"],
                    scope["path"][:200],
                    status,
                    seconds * 1000,
                )
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route_label(scope), status, seconds)
