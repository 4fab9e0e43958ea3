"""Issue 7: one request must never take the server down. Each reproduction of the audit is
a test here: bounded cost, cancellation, input limits."""

import contextlib
import itertools
import json
import threading
import time
import tracemalloc

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from gradscape.api import cost
from gradscape.app import create_app
from gradscape.config import Settings
from gradscape.deadline import Cancelled, Deadline, Pacer
from gradscape.engine import build_spec, run_batch, stream_run
from gradscape.engine.records import Rows
from gradscape.networks import build_network_spec, train
from tests.api.test_api import cpu_seconds
from tests.api.test_workers import alive

# --- 1. The cost model and memory -----------------------------------------------------------


def _lr_run(seed: int, steps: int) -> dict:
    return {
        "surface": "linear_regression",
        "optimizer": "sgd",
        "batch_size": 100,
        "seed": seed,
        "steps": steps,
    }


def test_finished_runs_cost_no_memory_in_a_batch_of_many_seeds():
    """The audit's 34 KB request: one long mini-batch run and 255 finished at step 0, each
    with its own seed, used to build a steps x batch index table per seed (232 MB each at
    100k steps). Here at 5,000 steps that table would be 4 MB per seed, 1 GB in all."""
    steps = 1_000
    specs = [build_spec(**_lr_run(0, steps))] + [build_spec(**_lr_run(i, 0)) for i in range(1, 256)]
    tracemalloc.start()
    try:
        results = run_batch(specs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(results[0].loss) == steps + 1 and all(len(r.loss) == 1 for r in results[1:])
    # What is returned is ~(5,001 + 255) points x 5 floats: well under a megabyte.
    assert peak < 30e6, f"peak {peak / 1e6:.0f} MB"


def test_the_audit_batch_answers_a_bounded_200_quickly(client):
    body = {"runs": [_lr_run(0, 100_000)] + [_lr_run(i, 0) for i in range(1, 256)]}
    est = cost.run_cost([build_spec(**r) for r in body["runs"]])
    assert est.answer_bytes < Settings().max_answer_bytes and est.seconds < 10
    r = client.post("/api/runs/batch", json=body)
    assert r.status_code == 200
    runs = r.json()["runs"]
    assert len(runs[0]["loss"]) == runs[0]["steps_taken"] + 1 > 10_000
    assert all(len(run["loss"]) == 1 for run in runs[1:])
    assert len(r.content) < Settings().max_answer_bytes


def test_lbfgs_with_a_huge_step_count_is_refused_before_any_work(client):
    """The audit's 181.6 s single L-BFGS run: now a 422 naming what to reduce."""
    body = {
        "surface": "logistic_regression",
        "optimizer": "lbfgs",
        "params": {"lr": 1000},
        "batch_size": 1,
        "steps": 100_000,
        "tol": 0,
    }
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "steps"]
    assert "CPU seconds" in item["msg"] and "fewer steps" in item["msg"]


def test_an_answer_too_large_is_refused_and_max_points_makes_it_fit():
    runs = [
        {
            "surface": "ravine",
            "optimizer": "sgd",
            "params": {"lr": 0.001 * (i + 1)},
            "steps": 10_000,
            "tol": 0,
        }
        for i in range(2)
    ]
    with TestClient(create_app(Settings(max_answer_bytes=2_000_000))) as client:
        r = client.post("/api/runs/batch", json={"runs": runs})
        assert r.status_code == 422
        assert "MB of JSON" in r.json()["detail"][0]["msg"]
        assert "max_points" in r.json()["detail"][0]["msg"]
        thinned = [{**run, "max_points": 500} for run in runs]
        r = client.post("/api/runs/batch", json={"runs": thinned})
        assert r.status_code == 200
        assert all(len(run["points"]) <= 500 for run in r.json()["runs"])


def test_the_audit_network_run_is_refused_before_any_work(client):
    """Spirals, 5,000 samples, hidden [138, 138], 20,000 steps, sharpness every step,
    landscape 101: within every cap, about 4,350 CPU seconds."""
    body = {
        "dataset": "spirals",
        "samples": 5000,
        "hidden": [138, 138],
        "steps": 20000,
        "sharpness_every": 1,
        "landscape": {"directions": "pca", "resolution": 101},
    }
    spec = build_network_spec(**body, settings=Settings())
    estimate = cost.network_cost(spec).seconds
    assert 1000 < estimate < 20_000  # the audit measured 4,350 s
    t0 = time.perf_counter()
    r = client.post("/api/networks/runs", json=body)
    assert r.status_code == 422 and time.perf_counter() - t0 < 5
    assert "CPU seconds" in r.json()["detail"][0]["msg"]
    r = client.post("/api/networks/runs/stream", json=body)
    assert r.status_code == 422


def test_the_site_defaults_are_cheap():
    """The pages' default requests stay far inside the budget."""
    spec = build_spec("rosenbrock", "adam", steps=200)
    assert cost.run_cost([spec]).seconds < 0.05
    net = build_network_spec(
        dataset="moons",
        samples=200,
        hidden=[16, 16],
        steps=500,
        landscape={"directions": "pca", "resolution": 41},
    )
    assert cost.network_cost(net).seconds < 1


@pytest.mark.parametrize(
    "surface, optimizer, runs, steps",
    [
        ("rosenbrock", "adam", 1, 20_000),
        ("rosenbrock", "adam", 64, 2_000),
        ("logistic_regression", "sgd", 16, 1_000),
        ("rosenbrock", "newton", 16, 500),
        ("logistic_regression", "lbfgs", 4, 100),
    ],
)
def test_the_cost_model_does_not_underestimate_by_much(surface, optimizer, runs, steps):
    """Estimated seconds against measured ones: never less than a third (the deadline is
    the backstop for the rest), so the budget means what it says."""
    params = {} if optimizer == "newton" else {"lr": 1e-4}
    specs = [
        build_spec(surface, optimizer, params={**params}, steps=steps, tol=0, start=(0.1 * i, 1))
        for i in range(runs)
    ]
    t0 = time.process_time()
    run_batch(specs)
    measured = time.process_time() - t0
    assert cost.run_cost(specs).seconds > measured / 3


# --- 1. max_points ---------------------------------------------------------------------------


def test_max_points_keeps_first_last_and_every_kth_point_of_the_true_run():
    spec = build_spec("rosenbrock", "adam", params={"lr": 0.01}, steps=10_000, tol=0)
    (whole,) = run_batch([spec])
    (thin,) = run_batch([spec], max_points=101)
    assert len(thin.loss) <= 101
    assert thin.index[0] == 0 and thin.index[-1] == 10_000
    assert np.all(np.diff(thin.index) > 0)
    np.testing.assert_array_equal(thin.points, whole.points[thin.index])
    np.testing.assert_array_equal(thin.loss, whole.loss[thin.index])
    np.testing.assert_array_equal(thin.lr, whole.lr[thin.index])
    assert thin.status == whole.status and thin.steps_taken == whole.steps_taken


def test_max_points_keeps_the_point_where_a_run_diverged():
    spec = build_spec("quadratic", "sgd", params={"lr": 5.0}, steps=10_000, tol=0)
    (whole,) = run_batch([spec])
    (thin,) = run_batch([spec], max_points=10)
    assert whole.status == "diverged"
    assert thin.index[-1] == len(whole.loss) - 1  # the last good point, where it stopped
    assert thin.loss[-1] == whole.loss[-1]


def test_a_thinned_stream_equals_the_thinned_run():
    spec = build_spec("ravine", "momentum", params={"lr": 0.01}, steps=3_000, tol=0)
    (thin,) = run_batch([spec], max_points=200)
    blocks = [b for b in stream_run(spec, 250, max_points=200) if isinstance(b, Rows)]
    assert blocks[0].start == 0
    for a, b in itertools.pairwise(blocks):
        assert b.start == a.start + len(a.loss)
    np.testing.assert_array_equal(np.concatenate([b.index for b in blocks]), thin.index)
    np.testing.assert_array_equal(np.concatenate([b.loss for b in blocks]), thin.loss)


def test_max_points_through_the_api(client):
    body = {"surface": "rosenbrock", "optimizer": "adam", "steps": 5000, "tol": 0}
    whole = client.post("/api/runs", json=body).json()
    thin = client.post("/api/runs", json={**body, "max_points": 50}).json()
    assert len(thin["points"]) <= 50 and "index" not in whole
    assert thin["points"][-1] == whole["points"][-1]
    assert [whole["loss"][k] for k in thin["index"]] == thin["loss"]


# --- 2. Cancellation and deadlines ----------------------------------------------------------


def _cancel_after(deadline: Deadline, seconds: float) -> None:
    threading.Timer(seconds, deadline.cancel).start()


@pytest.mark.parametrize(
    "specs",
    [
        # slow L-BFGS runs, one huge vectorised batch, one long scalar run
        [("logistic_regression", "lbfgs", {"tolerance_change": 0, "tolerance_grad": 0}, 16, 2000)],
        [("rastrigin", "adam", {"lr": 0.01}, 256, 100_000)],
        [("rosenbrock", "sgd", {"lr": 1e-4}, 1, 100_000)],
    ],
)
def test_engine_work_stops_soon_after_cancel(specs):
    (surface, optimizer, params, runs, steps) = specs[0]
    built = [
        build_spec(surface, optimizer, params=params, steps=steps, tol=0, start=(0.5 + i * 1e-3, 1))
        for i in range(runs)
    ]
    deadline = Deadline()
    _cancel_after(deadline, 0.05)
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        run_batch(built, deadline=deadline)
    assert time.perf_counter() - t0 < 0.55  # 0.05 s, then at most half a second more


def test_a_deadline_stops_a_stream_in_the_middle_of_a_block():
    params = {"tolerance_change": 0, "tolerance_grad": 0}  # about 10 ms a step
    spec = build_spec("logistic_regression", "lbfgs", params=params, steps=2000, tol=0)
    deadline = Deadline(0.3)
    t0 = time.perf_counter()
    with pytest.raises(Cancelled) as info:
        for _ in stream_run(spec, block_steps=2000, deadline=deadline):
            pass
    assert info.value.timed_out and time.perf_counter() - t0 < 0.8


def test_network_training_and_landscape_stop_soon_after_cancel():
    net = {"dataset": "spirals", "samples": 2000, "hidden": [64, 64]}
    land = {"directions": "pca", "resolution": 101}
    spec = build_network_spec(**net, steps=20000, sharpness_every=1, landscape=land)
    deadline = Deadline()
    _cancel_after(deadline, 0.3)
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        train(spec, deadline)
    assert time.perf_counter() - t0 < 1.0
    # The landscape alone (after 2 steps): 10,201 forward passes over 1,600 samples.
    spec = build_network_spec(**net, steps=2, sharpness_every=0, landscape=land)
    deadline = Deadline(0.5)
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        train(spec, deadline)
    assert time.perf_counter() - t0 < 1.2


def test_pacer_grows_chunks_to_the_target_and_shrinks_after_a_slow_one():
    pacer = Pacer(target=0.02)
    assert pacer.steps() == 1
    pacer.record(1, 1e-5)  # fast steps: grows, but at most fourfold
    assert pacer.steps() == 4
    for _ in range(10):
        pacer.record(pacer.steps(), pacer.steps() * 1e-5)
    assert pacer.steps() == 2000  # 20 ms of 10 us steps
    pacer.record(2000, 2.0)  # suddenly 1 ms per step
    assert pacer.steps() == 20


def _expensive_network() -> dict:
    return {
        "dataset": "spirals",
        "samples": 3000,
        "hidden": [64, 64],
        "steps": 20_000,
        "sharpness_every": 0,
    }


def test_a_plain_request_stops_computing_when_its_client_leaves(live):
    settings = Settings(max_work_seconds=1e6, request_seconds=1e6, sweep_compiled=0)
    with live(settings) as (url, app):
        admission = app.state.admission
        (pid,) = admission.pids()
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/api/networks/runs", json=_expensive_network(), timeout=0.5)
        t0 = time.monotonic()
        while admission.jobs and time.monotonic() - t0 < 5:
            time.sleep(0.05)
        # The job ends (its worker is free) within half a second or so of the client leaving,
        # and the worker process that ran it computes no more (or, if it was too starved of
        # CPU to reach its next check within half a second, it was killed and replaced).
        assert admission.jobs == 0 and time.monotonic() - t0 < 1.0
        if alive(pid):
            cpu = cpu_seconds(pid)
            time.sleep(0.3)
            assert cpu_seconds(pid) - cpu < 0.03


def test_a_stream_stops_computing_when_its_client_leaves(live):
    settings = Settings(max_work_seconds=1e6, request_seconds=1e6)
    body = {**_expensive_network(), "steps": 20_000}
    with live(settings) as (url, app):
        admission = app.state.admission
        with httpx.stream("POST", f"{url}/api/networks/runs/stream", json=body) as r:
            assert r.status_code == 200
            for _ in r.iter_lines():
                break  # read one line, then hang up
        t0 = time.monotonic()
        while admission.jobs and time.monotonic() - t0 < 5:
            time.sleep(0.05)
        assert admission.jobs == 0 and time.monotonic() - t0 < 1.0


def test_a_request_over_its_deadline_answers_503():
    settings = Settings(max_work_seconds=1e6, request_seconds=0.3)
    with TestClient(create_app(settings)) as client:
        t0 = time.perf_counter()
        r = client.post("/api/networks/runs", json=_expensive_network())
        assert r.status_code == 503 and time.perf_counter() - t0 < 1.5
        assert "0.3 s limit" in r.json()["detail"] and r.headers["retry-after"].isdigit()
        r = client.post("/api/networks/runs/stream", json=_expensive_network())
        assert r.status_code == 200
        assert r.text.rstrip().splitlines()[-2:][0] == "event: error"


def test_shutdown_is_prompt_with_heavy_work_in_flight(live):
    settings = Settings(max_work_seconds=1e6, request_seconds=1e6)
    with live(settings) as (url, app):
        (worker,) = app.state.admission.pids()
        done = threading.Event()

        def client() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{url}/api/networks/runs", json=_expensive_network(), timeout=30)
            done.set()

        threading.Thread(target=client, daemon=True).start()
        t0 = time.monotonic()
        while app.state.admission.jobs == 0 and time.monotonic() - t0 < 5:
            time.sleep(0.02)
        assert app.state.admission.jobs == 1
        t0 = time.monotonic()
    # Leaving `live` asked the server to exit: it has, and the client got its answer.
    assert done.wait(5) and time.monotonic() - t0 < 2.0
    while alive(worker) and time.monotonic() - t0 < 3.0:
        time.sleep(0.02)
    assert not alive(worker)  # no heavy-work process outlives the server


# --- 4. Input limits -------------------------------------------------------------------------


def test_a_body_over_the_limit_answers_413_before_parsing(client):
    big = b'{"surface": "' + b"x" * 2_000_000 + b'"}'
    r = client.post("/api/runs", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and len(r.content) < 500

    def chunks():  # no Content-Length: counted as it streams in
        yield b'{"surface": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'"}'

    r = client.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_long_string_is_refused_and_never_echoed(client):
    r = client.post("/api/runs", json={"surface": "s" * 900_000, "optimizer": "sgd"})
    assert r.status_code == 422 and len(r.content) < 1000
    assert r.json()["detail"][0]["loc"] == ["body", "surface"]


def test_unknown_ids_are_quoted_short(client):
    r = client.post("/api/runs", json={"surface": "z" * 60, "optimizer": "sgd"})
    assert r.status_code == 404 or r.status_code == 422
    assert "z" * 60 not in r.text and "zzzz" in r.text


HOSTILE = [
    {"schedule": {"name": "step", "step_size": 2**64}},
    {"schedule": {"name": "step", "gamma": 10**400}},
    {"schedule": {"name": ["cosine"]}},
    {"schedule": {"name": {"a": 1}}},
    {"schedule": {"name": "cosine", "warmup_steps": True}},
    {"params": {"lr": True}},
    {"params": {"lr": 2**70}},
    {"params": {"lr": "0.1"}},
    {"params": {"k" * 100: 1}},
    {"steps": True},
    {"steps": "10"},
    {"steps": 10.5},
    {"seed": 2**64},
    {"start": [True, 1]},
    {"noise": True},
    {"max_points": True},
    {"surface": ["rosenbrock"]},
    {"optimizer": {"id": "sgd"}},
]


@pytest.mark.parametrize("extra", HOSTILE, ids=lambda e: json.dumps(e)[:40])
@pytest.mark.parametrize("path", ["/api/runs", "/api/runs/stream", "/api/runs/batch"])
def test_hostile_input_answers_422_never_500(client, path, extra):
    run = {"surface": "rosenbrock", "optimizer": "adam", "steps": 10, **extra}
    body = {"runs": [run]} if path.endswith("batch") else run
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][0] == "body"
    # The connection stays usable: the next request on it is answered normally.
    assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"steps": True},
        {"samples": True},
        {"hidden": [True, 4]},
        {"schedule": {"name": ["x"]}},
        {"params": {"lr": 2**80}},
        {"dataset": ["moons"]},
        {"activation": {"a": 1}},
    ],
    ids=lambda e: json.dumps(e)[:40],
)
@pytest.mark.parametrize("path", ["/api/networks/runs", "/api/networks/runs/stream"])
def test_hostile_network_input_answers_422(client, path, extra):
    r = client.post(path, json={"dataset": "moons", "steps": 5, **extra})
    assert r.status_code == 422, r.text


def test_steps_true_is_not_one_step(client):
    r = client.post("/api/runs", json={"surface": "rosenbrock", "optimizer": "sgd", "steps": True})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "steps"]
