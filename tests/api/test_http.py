"""Issue 7, items 3, 6 and 7: admission control, secure and tidy HTTP, operability."""

import gzip
import logging
import re
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from gradscape.app import PLOTLY_JS, create_app
from gradscape.cli import main as cli_main
from gradscape.config import Settings

# --- 6. Headers, compression, docs, API-only paths -----------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/networks.html", "/js/main.js", "/api/health", "/api/nope", "/docs"]
)
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "default-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"]


def test_plotly_is_served_gzipped_and_intact(client):
    r = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < 0.4 * PLOTLY_JS.stat().st_size
    assert r.content == PLOTLY_JS.read_bytes()  # httpx decoded it
    plain = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == PLOTLY_JS.read_bytes()


def test_json_answers_and_pages_are_compressed(client):
    r = client.get("/api/surfaces", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json()[0]["id"]
    raw = client.get("/api/surfaces", headers={"accept-encoding": "identity"}).content
    assert len(gzip.compress(raw)) < len(raw)
    assert client.get("/", headers={"accept-encoding": "gzip"}).headers["content-encoding"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_only_local_assets(client, page):
    html = client.get(page).text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "<script>" not in html  # nothing inline: the CSP allows no inline script
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200 and len(r.content) > 100, url


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("PUT", "/api/runs", "POST"),
        ("GET", "/api/runs", "POST"),
        ("DELETE", "/api/health", "GET, HEAD"),
        ("POST", "/api/surfaces", "GET, HEAD"),
        ("PATCH", "/api/datasets/moons", "GET, HEAD"),
    ],
)
def test_wrong_methods_on_api_paths_answer_405_with_allow(client, method, path, allow):
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow
    assert r.headers["content-type"] == "application/json" and r.json()["detail"]


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/api/runs/nope", "/api/surfaces/x/y"])
def test_unknown_api_paths_are_json_404_not_the_site(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/surfaces", "/api/optimizers", "/", "/vendor/plotly.min.js"]
)
def test_head_is_answered_wherever_get_is(client, path):
    get = client.get(path, headers={"accept-encoding": "identity"})
    head = client.head(path, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


HEAVY_PATHS = [
    "/api/runs",
    "/api/runs/stream",
    "/api/runs/batch",
    "/api/networks/runs",
    "/api/networks/runs/stream",
]


def test_every_operation_documents_its_error_answers(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if method == "post":
                assert {"200", "400", "413", "422"} <= codes, (method, path)
            if path in HEAVY_PATHS:
                assert "Retry-After" in op["responses"]["503"]["headers"]
            if "{" in path:
                assert "404" in codes, (method, path)
    assert all(path in spec["paths"] for path in HEAVY_PATHS)
    assert "prefixItems" not in str(spec)  # tuples stop schema-driven fuzzers


# --- 3. Admission control --------------------------------------------------------------------

SLOW_NETWORK = {"dataset": "spirals", "samples": 2000, "hidden": [64, 64], "steps": 20_000}


def test_a_full_pool_answers_503_and_light_requests_still_answer(live):
    settings = Settings(
        heavy_workers=1,
        heavy_queue=1,
        max_work_seconds=1e6,
        request_seconds=1e6,
        retry_after_seconds=3,
    )
    outcomes: list[str] = []

    def slow_client(url: str) -> None:
        """Holds a heavy job for 1.5 s, then gives up (the job is still running)."""
        try:
            outcomes.append(str(httpx.post(url, json=SLOW_NETWORK, timeout=1.5).status_code))
        except httpx.ReadTimeout:
            outcomes.append("gave up")

    with live(settings) as (url, app):
        admission = app.state.admission
        clients = [
            threading.Thread(target=slow_client, args=(f"{url}/api/networks/runs",), daemon=True)
            for _ in range(2)
        ]
        for c in clients:
            c.start()
        t0 = time.monotonic()
        while admission.jobs < 2 and time.monotonic() - t0 < 5:
            time.sleep(0.02)
        assert admission.jobs == 2  # one running, one queued
        r = httpx.post(f"{url}/api/runs", json={"surface": "ravine", "optimizer": "sgd"})
        assert r.status_code == 503 and r.headers["retry-after"] == "3"
        r = httpx.post(f"{url}/api/runs/stream", json={"surface": "ravine", "optimizer": "sgd"})
        assert r.status_code == 503
        # Light requests are served meanwhile, and health says heavy work is refused.
        health = httpx.get(f"{url}/api/health").json()
        assert health["accepting_heavy_work"] is False and health["heavy_jobs"] == 2
        assert httpx.get(f"{url}/api/surfaces").status_code == 200
        assert httpx.get(f"{url}/").status_code == 200
        assert httpx.get(f"{url}/api/surfaces/ravine/grid?resolution=50").status_code == 200
        for c in clients:
            c.join()
        assert outcomes == ["gave up", "gave up"]  # both jobs were still held at 1.5 s
        t0 = time.monotonic()
        while admission.jobs and time.monotonic() - t0 < 5:
            time.sleep(0.02)
        assert httpx.get(f"{url}/api/health").json()["accepting_heavy_work"] is True
        assert httpx.post(f"{url}/api/runs", json={"surface": "ravine", "optimizer": "sgd"})


def test_one_heavy_worker_per_process_by_default():
    app = create_app(Settings())
    assert app.state.admission.workers == 1 and app.state.admission.limit == 5


# --- 5. Workers -------------------------------------------------------------------------------


def test_serve_passes_workers_default_one_per_core(monkeypatch):
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr("gradscape.cli.available_cores", lambda: 4)
    cli_main(["serve", "--workers", "2", "--port", "9999"])
    assert seen["workers"] == 2 and seen["port"] == 9999
    assert seen["timeout_graceful_shutdown"] == 1.0 and seen["access_log"] is False
    cli_main(["serve"])
    assert seen["workers"] == 4


# --- 7. Operability ---------------------------------------------------------------------------


def test_every_request_gets_an_access_log_line_with_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="gradscape.access"):
        client.get("/api/health")
        client.get("/api/nope")
        client.post("/api/runs", json={"surface": "ravine", "optimizer": "sgd", "steps": 5})
    lines = [r.getMessage() for r in caplog.records if r.name == "gradscape.access"]
    assert re.fullmatch(r'\S+ "GET /api/health" 200 \d+\.\dms', lines[0])
    assert '"GET /api/nope" 404' in lines[1] and '"POST /api/runs" 200' in lines[2]


def test_metrics_are_off_by_default_and_count_requests_when_on(client):
    assert client.get("/metrics").status_code == 404
    with TestClient(create_app(Settings(metrics=1))) as c:
        c.get("/api/health")
        c.get("/api/health")
        c.post("/api/runs", json={"surface": "ravine", "optimizer": "sgd", "steps": 5})
        text = c.get("/metrics").text
    assert 'gradscape_requests_total{method="GET",route="health",status="200"} 2' in text
    assert 'gradscape_requests_total{method="POST",route="create_run",status="200"} 1' in text
    assert 'gradscape_request_seconds_count{route="health"} 2' in text
    assert "gradscape_heavy_jobs 0" in text
