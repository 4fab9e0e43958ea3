"""The JSON API: each endpoint's contract, the stream, the batch, and every kind of bad input."""

import asyncio
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest

from gradscape.api import sse
from gradscape.api.admission import Admission
from gradscape.api.runs import run_events
from gradscape.api.schemas import RunRequest
from gradscape.api.workers import Job
from gradscape.config import Settings, get_settings
from gradscape.engine import build_spec, run_one
from gradscape.optimizers import OPTIMIZERS
from gradscape.schedules import SCHEDULES
from gradscape.surfaces import SURFACES


def strict_json(text: str):
    """Parse JSON, refusing NaN and Infinity, which are not JSON."""

    def refuse(name):
        raise ValueError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for frame in text.strip().split("\n\n"):
        name, data = "message", []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        events.append((name, strict_json("\n".join(data))))
    return events


def test_health(client):
    health = client.get("/api/health").json()
    assert (health["status"], health["version"]) == ("ok", "0.1.0")
    assert health["accepting_heavy_work"] is True and health["heavy_jobs"] == 0


def test_surfaces_list_the_registry(client):
    body = client.get("/api/surfaces").json()
    assert [s["id"] for s in body] == list(SURFACES)
    for s in body:
        info = SURFACES[s["id"]].info
        assert s["domain"] == {"x": list(info.domain[0]), "y": list(info.domain[1])}
        assert s["minima"] == [list(p) for p in info.minima]
        assert s["saddles"] == [list(p) for p in info.saddles]
        assert s["convex"] == info.convex and s["formula"] == info.formula
        assert s["default_start"] == list(info.default_start)
    kinds = {s["id"]: s["kind"] for s in body}
    assert kinds["linear_regression"] == "data" and kinds["rosenbrock"] == "analytic"


def test_grid_is_row_major_in_y(client):
    body = client.get("/api/surfaces/beale/grid", params={"resolution": 7}).json()
    x, y, z = np.array(body["x"]), np.array(body["y"]), np.array(body["z"], dtype=float)
    assert x.shape == y.shape == (7,) and z.shape == (7, 7)
    (x0, x1), (y0, y1) = SURFACES["beale"].info.domain
    assert (x[0], x[-1], y[0], y[-1]) == (x0, x1, y0, y1)
    for i in range(7):
        for j in range(7):
            assert z[i, j] == pytest.approx(SURFACES["beale"].value(x[j], y[i]), rel=1e-12)


def test_grid_domain_override_and_limits(client):
    body = client.get(
        "/api/surfaces/quadratic/grid",
        params={"resolution": 3, "x_min": 0, "x_max": 2, "y_min": -1, "y_max": 1},
    ).json()
    assert body["x"] == [0, 1, 2] and body["z"][1] == [0.0, 0.5, 2.0]
    r = client.get("/api/surfaces/quadratic/grid", params={"resolution": 5000})
    assert r.status_code == 422 and "resolution" in r.text
    r = client.get("/api/surfaces/quadratic/grid", params={"x_min": 2, "x_max": 1})
    assert r.status_code == 422 and "x_min" in r.text
    r = client.get("/api/surfaces/nope/grid")
    assert r.status_code == 404 and "rosenbrock" in r.json()["detail"]
    r = client.get("/api/surfaces/quadratic/grid", params={"x_min": "nan"})
    assert r.status_code == 422


def test_grid_of_huge_values_is_still_json(client):
    r = client.get(
        "/api/surfaces/rosenbrock/grid",
        params={"resolution": 4, "x_min": -1e6, "x_max": 1e6, "y_min": -1e6, "y_max": 1e6},
    )
    body = strict_json(r.text)
    assert all(v is None or math.isfinite(v) for row in body["z"] for v in row)


def test_optimizers_and_schedules_describe_their_parameters(client):
    body = client.get("/api/optimizers").json()
    assert [o["id"] for o in body] == list(OPTIMIZERS)
    for o in body:
        names = [p["name"] for p in o["params"]]
        assert names == [p.name for p in OPTIMIZERS[o["id"]].params] and "lr" in names
        for p in o["params"]:
            assert {"name", "type", "default", "min", "max", "log", "help"} <= set(p)
    adam = next(o for o in body if o["id"] == "adam")
    lr = next(p for p in adam["params"] if p["name"] == "lr")
    assert (lr["default"], lr["log"]) == (0.001, True)
    schedules = client.get("/api/schedules").json()
    assert [s["id"] for s in schedules] == list(SCHEDULES)
    assert all(any(p["name"] == "warmup_steps" for p in s["params"]) for s in schedules)


RUN = {
    "surface": "rosenbrock",
    "optimizer": "adam",
    "params": {"lr": 0.02},
    "schedule": {"name": "cosine", "warmup_steps": 10},
    "start": [-1.5, 2.0],
    "steps": 700,
    "tol": 0,
}


def test_run_equals_the_engine(client):
    body = strict_json(client.post("/api/runs", json=RUN).text)
    expected = run_one(build_spec(**{k: v for k, v in RUN.items()}))
    assert body["points"] == expected.points.tolist()
    assert body["loss"] == expected.loss.tolist() and body["lr"] == expected.lr.tolist()
    assert body["grad_norm"] == expected.grad_norm.tolist()
    assert (body["status"], body["steps_taken"]) == ("completed", 700)
    assert body["message"] == expected.message


def test_run_defaults(client):
    body = client.post("/api/runs", json={"surface": "himmelblau", "optimizer": "sgd"}).json()
    assert body["points"][0] == list(SURFACES["himmelblau"].info.default_start)
    assert len(body["points"]) <= 201 and body["lr"][0] == 0.001


def test_diverging_run_is_valid_json(client):
    r = client.post(
        "/api/runs",
        json={
            "surface": "rosenbrock",
            "optimizer": "sgd",
            "params": {"lr": 0.5},
            "steps": 100,
            "bound": 1e12,
        },
    )
    body = strict_json(r.text)
    assert body["status"] == "diverged" and body["message"].startswith("diverged at step")


def test_stream_blocks_concatenate_to_the_run(client):
    whole = client.post("/api/runs", json=RUN).json()
    with client.stream("POST", "/api/runs/stream", json=RUN) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = parse_sse(text)
    *frames, (name, done) = events
    assert name == "done" and len(frames) >= 3
    assert all(n == "message" for n, _ in frames)
    blocks = [b for _, b in frames]
    assert [b["start"] for b in blocks] == np.cumsum(
        [0] + [len(b["loss"]) for b in blocks[:-1]]
    ).tolist()
    for key in ("points", "loss", "grad_norm", "lr"):
        assert [v for b in blocks for v in b[key]] == whole[key]
    assert done == {k: whole[k] for k in ("status", "steps_taken", "message", "stationary_kind")}


def test_stream_refuses_bad_input_before_streaming(client):
    r = client.post("/api/runs/stream", json={**RUN, "params": {"lrr": 1}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "params", "lrr"]


class FakeRequest:
    """A client that goes away once it has had its first frame."""

    def __init__(self):
        self.gone = False

    async def is_disconnected(self):
        return self.gone


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_stream_stops_computing_when_the_client_goes_away():
    """A 1,000-block run streamed to a client that leaves after the first block: the worker
    process computing it is free within half a second and then uses no CPU."""
    settings = Settings(stream_block_steps=100, sweep_compiled=0)  # no kernels to load
    body = RunRequest(surface="rosenbrock", optimizer="adam", steps=100_000, tol=0)
    admission = Admission(settings)
    request = FakeRequest()

    async def consume():
        await admission.open()
        try:
            deadline = admission.admit()
            job = Job(sse.formatted, (run_events, body, settings), stream=True)
            frames = []
            async for frame in sse._frames(request, admission, deadline, job):
                frames.append(frame)
                request.gone = True
            t0 = time.monotonic()
            while admission.jobs and time.monotonic() - t0 < 5:
                await asyncio.sleep(0.01)
            freed = time.monotonic() - t0
            (pid,) = admission.pids()
            cpu = cpu_seconds(pid)
            await asyncio.sleep(0.3)
            return frames, freed, cpu_seconds(pid) - cpu
        finally:
            admission.shutdown()

    frames, freed, cpu = asyncio.run(consume())
    assert len(frames) == 1 and '"start": 0' in frames[0]
    assert freed < 0.5 and cpu < 0.05


def test_batch_runs_together_and_equals_single_runs(client):
    runs = [
        {"surface": "ravine", "optimizer": o, "params": {"lr": 0.03}, "steps": 150}
        for o in ("sgd", "momentum", "nesterov", "adam")
    ]
    runs.append(
        {
            "surface": "ravine",
            "optimizer": "sgd",
            "params": {"lr": 0.03},
            "start": [3.0, -1.0],
            "steps": 150,
        }
    )
    body = client.post("/api/runs/batch", json={"runs": runs}).json()
    assert len(body["runs"]) == 5
    for req, got in zip(runs, body["runs"], strict=True):
        single = client.post("/api/runs", json=req).json()
        np.testing.assert_allclose(got["points"], single["points"], rtol=1e-13)
        assert got["status"] == single["status"]


def test_batch_caps(client, app):
    app.dependency_overrides[get_settings] = lambda: Settings(
        max_batch_runs=2, max_total_points=500
    )
    run = {"surface": "quadratic", "optimizer": "sgd", "steps": 100}
    r = client.post("/api/runs/batch", json={"runs": [run] * 3})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "runs"]
    r = client.post("/api/runs/batch", json={"runs": [{**run, "steps": 300}] * 2})
    assert r.status_code == 422 and "cap" in r.json()["detail"][0]["msg"]
    r = client.post("/api/runs/batch", json={"runs": [{**run, "optimizer": "lbfgs"}] * 2})
    assert r.status_code == 422 and "L-BFGS" in r.json()["detail"][0]["msg"]  # 2 x 101 x 20
    r = client.post("/api/runs/batch", json={"runs": [run, {**run, "optimizer": "x"}]})
    assert r.json()["detail"][0]["loc"] == ["body", "runs", "1", "optimizer"]


def test_steps_cap_is_configurable(client, app):
    r = client.post("/api/runs", json={**RUN, "steps": 100_001})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "steps"]
    app.dependency_overrides[get_settings] = lambda: Settings(max_steps=50)
    r = client.post("/api/runs", json={**RUN, "steps": 51})
    assert r.status_code == 422 and "50" in r.json()["detail"][0]["msg"]


BAD = [
    ({"optimizer": "adum"}, ["body", "optimizer"], "adam"),
    ({"surface": "rosenbrok"}, ["body", "surface"], "rosenbrock"),
    ({"params": {"lrr": 0.1}}, ["body", "params", "lrr"], "lr"),
    ({"params": {"lr": -1}}, ["body", "params", "lr"], ">="),
    ({"params": {"beta1": 1.5}}, ["body", "params", "beta1"], "<="),
    ({"params": {"amsgrad": 3}}, ["body", "params", "amsgrad"], "true or false"),
    ({"steps": -1}, ["body", "steps"], ""),
    ({"start": [1.0]}, ["body", "start"], ""),
    ({"start": [1e7, 0]}, ["body", "start"], "bound"),
    ({"batch_size": 4}, ["body", "batch_size"], "data"),
    ({"schedule": {"name": "cosin"}}, ["body", "schedule", "name"], "cosine"),
    ({"schedule": {"name": "step", "step_size": 0}}, ["body", "schedule", "step_size"], ">="),
    ({"schedule": {"name": "cosine", "min_lr": 5}}, ["body", "schedule", "min_lr"], "lr"),
    ({"tol": -1}, ["body", "tol"], ""),
    ({"seed": -3}, ["body", "seed"], ""),
    ({"extra": 1}, ["body", "extra"], ""),
]


@pytest.mark.parametrize(("change", "loc", "says"), BAD)
def test_bad_input_names_the_field(client, change, loc, says):
    r = client.post("/api/runs", json={**RUN, **change})
    assert r.status_code == 422, r.text
    detail = strict_json(r.text)["detail"]
    assert detail[0]["loc"] == loc
    assert says in detail[0]["msg"]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("field", ["noise", "tol", "params"])
def test_non_finite_numbers_are_refused(client, raw, field):
    value = raw if field != "params" else f'{{"lr": {raw}}}'
    text = f'{{"surface": "quadratic", "optimizer": "sgd", "{field}": {value}}}'
    r = client.post("/api/runs", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 422
    detail = strict_json(r.text)["detail"]
    assert field in detail[0]["loc"]


def test_garbage_never_gives_a_500(client):
    rng = np.random.default_rng(0)
    values = [None, True, -1, 0, 1e308, -1e308, "x", [], {}, [1, 2, 3], 2**70, 0.5]
    fields = [
        "surface",
        "optimizer",
        "params",
        "schedule",
        "start",
        "steps",
        "noise",
        "batch_size",
        "seed",
        "tol",
        "bound",
    ]
    for _ in range(300):
        body = dict(RUN, steps=50)
        for f in rng.choice(fields, size=2, replace=False):
            body[str(f)] = values[rng.integers(len(values))]
        r = client.post("/api/runs", json=body)
        assert r.status_code < 500, (body, r.text)
        strict_json(r.text)


def test_every_model_in_the_openapi_schema_has_an_example(client):
    schema = client.get("/openapi.json").json()
    models = schema["components"]["schemas"]
    for name in (
        "RunRequest",
        "RunResponse",
        "BatchRequest",
        "SurfaceOut",
        "Grid",
        "OptimizerOut",
        "ScheduleOut",
        "Health",
    ):
        assert models[name].get("examples"), name
    paths = schema["paths"]
    for path in (
        "/api/health",
        "/api/surfaces",
        "/api/surfaces/{surface_id}/grid",
        "/api/optimizers",
        "/api/schedules",
        "/api/runs",
        "/api/runs/stream",
        "/api/runs/batch",
    ):
        assert path in paths


def test_the_site_and_plotly_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "/vendor/plotly.min.js" in page.text
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert b"plotly" in js.content[:2000].lower() and len(js.content) > 1_000_000
    assert client.head("/vendor/plotly.min.js").status_code == 200


def test_every_example_is_valid_for_its_model():
    from pydantic import BaseModel

    from gradscape.api import network_schemas, schemas

    checked = 0
    for module in (schemas, network_schemas):
        for model in vars(module).values():
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            extra = model.model_config.get("json_schema_extra") or {}
            for example in extra.get("examples", []):
                model.model_validate(example)
                checked += 1
    assert checked >= 15
