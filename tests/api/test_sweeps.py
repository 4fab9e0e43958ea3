"""POST /api/sweeps and /api/sweeps/stream: the contract, cell = single run, stream = answer."""

import json

import numpy as np
import pytest

from gradscape.api.sweep_schemas import SweepRequest
from gradscape.api.sweeps import sweep_answer
from gradscape.config import Settings, get_settings
from gradscape.deadline import NO_DEADLINE
from gradscape.engine import compiled
from gradscape.surfaces import SURFACES


def axis(name, lo, hi, n, log=False):
    return {"name": name, "min": lo, "max": hi, "n": n, "log": log}


@pytest.fixture(params=["compiled", "numpy"])
def sweep_client(request, client, app):
    """The API once with the compiled loop ready, once with it switched off (a cold server)."""
    mode = 2 if request.param == "compiled" else 0
    app.dependency_overrides[get_settings] = lambda: Settings(sweep_compiled=mode)
    return client


SMALL_SWEEPS = [
    (
        {"surface": "rosenbrock", "optimizer": "momentum", "params": {"lr": 1e-3}, "steps": 300},
        [axis("params.lr", 1e-4, 2e-3, 3, log=True), axis("params.momentum", 0.0, 0.9, 3)],
    ),
    (
        {"surface": "himmelblau", "optimizer": "adam", "params": {"lr": 0.1}, "steps": 200},
        [axis("start.x", -4, 4, 3), axis("start.y", -4, 4, 2)],
    ),
    (
        {
            "surface": "booth",
            "optimizer": "nadam",
            "schedule": {"name": "step", "step_size": 20},
            "steps": 150,
            "seed": 7,
        },
        [axis("noise", 0.0, 2.0, 3), axis("schedule.gamma", 0.3, 0.9, 2)],
    ),
    (
        {"surface": "ravine", "optimizer": "sgd", "steps": 400},
        [axis("params.lr", 0.05, 0.1, 4)],  # converged, then diverged past 2/25
    ),
    (
        {"surface": "linear_regression", "optimizer": "sgd", "batch_size": 8, "steps": 100},
        [axis("params.lr", 0.01, 0.2, 3)],  # a data surface: mini-batches, numpy path
    ),
    (
        {"surface": "saddle", "optimizer": "newton", "steps": 5},
        [axis("params.damping", 0.0, 3.0, 3), axis("start.y", -1, 1, 2)],  # singular at 2
    ),
]


def cell_request(run: dict, axes: list[dict], values: tuple[float, ...]) -> dict:
    run = json.loads(json.dumps(run))
    for a, v in zip(axes, values, strict=True):
        kind, _, key = a["name"].partition(".")
        if kind == "start":
            start = (
                run.get("start")
                or {
                    "rosenbrock": [-1.5, 2],
                    "himmelblau": [-0.5, 0.5],
                    "saddle": [-1.5, 0.05],
                }[run["surface"]]
            )
            start[0 if key == "x" else 1] = v
            run["start"] = start
        elif kind == "noise":
            run["noise"] = v
        elif kind == "params":
            run.setdefault("params", {})[key] = v
        else:
            run["schedule"][key] = v
    return run


@pytest.mark.parametrize(("run", "axes"), SMALL_SWEEPS)
def test_every_cell_equals_the_single_run(sweep_client, run, axes):
    if run["surface"] in ("rosenbrock", "himmelblau", "saddle") and "start" not in run:
        surfaces = {s["id"]: s for s in sweep_client.get("/api/surfaces").json()}
        run = {**run, "start": list(surfaces[run["surface"]]["default_start"])}
    answer = sweep_client.post("/api/sweeps", json={"run": run, "axes": axes})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    values = [a["values"] for a in got["axes"]]
    statuses = set()
    for i in range(len(values[1]) if len(axes) == 2 else 1):
        for j in range(len(values[0])):
            cell = (values[0][j], values[1][i]) if len(axes) == 2 else (values[0][j],)
            single = sweep_client.post("/api/runs", json=cell_request(run, axes, cell)).json()

            def at(field, i=i, j=j):
                return got[field][i][j] if len(axes) == 2 else got[field][j]

            assert at("status") == single["status"]
            assert at("steps_taken") == single["steps_taken"]
            np.testing.assert_allclose(at("final_point"), single["points"][-1], rtol=1e-12)
            np.testing.assert_allclose(at("final_loss"), single["loss"][-1], rtol=1e-12, atol=1e-14)
            statuses.add(single["status"])
    if run["optimizer"] in ("sgd", "newton") and run["surface"] in ("ravine", "saddle"):
        assert len(statuses) > 1  # the sweep crosses from one outcome to another


def test_answer_shape_follows_the_grid_endpoint(client):
    body = {
        "run": {"surface": "himmelblau", "optimizer": "adam", "params": {"lr": 0.1}},
        "axes": [axis("start.x", -4, 4, 5), axis("start.y", -3, 3, 3)],
    }
    got = client.post("/api/sweeps", json=body).json()
    assert [a["values"] for a in got["axes"]] == [[-4, -2, 0, 2, 4], [-3, 0, 3]]
    assert len(got["final_point"]) == 3 and len(got["final_point"][0]) == 5
    # cell [i][j] started at (x_j, y_i): it ended at the minimum nearest that start
    kinds = [a["kind"] for a in got["attractors"]]
    assert kinds.count("minimum") == 4 and "maximum" in kinds
    end = got["attractors"][got["attractor"][2][4]]["point"]  # start (4, 3)
    np.testing.assert_allclose(end, [3, 2], atol=0.05)
    end = got["attractors"][got["attractor"][0][0]]["point"]  # start (-4, -3)
    np.testing.assert_allclose(end, [-3.7793, -3.2832], atol=0.05)


def basin_map(client, run: dict, n: int, domain=None) -> tuple[dict, np.ndarray, ...]:
    """A basin map over the surface's domain (or ``domain``): the answer, and per cell (flat,
    row by row) the start, the end point and the attractor index (-1 for none)."""
    (x0, x1), (y0, y1) = domain or SURFACES[run["surface"]].info.domain
    body = {"run": run, "axes": [axis("start.x", x0, x1, n), axis("start.y", y0, y1, n)]}
    got = client.post("/api/sweeps", json=body).json()
    xs, ys = (np.array(a["values"]) for a in got["axes"])
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    ends = np.array(got["final_point"], dtype=float).reshape(-1, 2)
    attractor = np.array([-1 if a is None else a for row in got["attractor"] for a in row])
    return got, starts, ends, attractor


def test_deep_linear_curve_of_minima_is_one_attractor_reached_wherever_runs_end_on_it(client):
    """The hyperbola w1 w2 = 1 is one attractor (not one per point the finder met on it), and
    every run ending on it, by the closed form, is counted as reaching it."""
    run = {"surface": "deep_linear", "optimizer": "sgd", "params": {"lr": 0.05}, "steps": 500}
    got, starts, ends, attractor = basin_map(client, run, 25)
    attractors = got["attractors"]
    assert sorted(a["kind"] for a in attractors) == ["minimum", "saddle"]
    curve = next(k for k, a in enumerate(attractors) if a["kind"] == "minimum")
    minima = attractors[curve]
    assert minima["label"] == "the curve of minima w₁·w₂ = 1" and minima["degenerate"]
    assert minima["point"] == [1.0, 1.0] and minima["loss"] == 0.0  # the listed minimum
    members = np.array(minima["members"])
    assert len(members) > 50  # the points the finder met on it: one attractor for all
    np.testing.assert_allclose(members[:, 0] * members[:, 1], 1.0, atol=1e-9)
    assert members[:, 0].min() < -1.9 and members[:, 0].max() > 1.9  # both branches, end to end
    saddle = 1 - curve
    assert attractors[saddle]["point"] == [0.0, 0.0] and attractors[saddle]["members"] == [[0, 0]]
    assert not attractors[saddle]["degenerate"] and attractors[saddle]["label"] == "saddle (0, 0)"

    on_curve = np.abs(ends[:, 0] * ends[:, 1] - 1.0) <= 1e-4
    assert on_curve.mean() > 0.9
    np.testing.assert_array_equal(attractor[on_curve], curve)
    reached = ends[attractor == curve]
    assert np.abs(reached[:, 0] * reached[:, 1] - 1.0).max() <= 1e-4
    # Some runs end past the domain's edge, beyond the last point found on the curve: there
    # too they are on it (its loss is the minimum's).
    assert (np.abs(ends[on_curve]).max(axis=1) > 2.03).any()
    # GD keeps w1 = -w2 on the anti-diagonal, so the runs started there end at the saddle.
    anti = np.isclose(starts[:, 0], -starts[:, 1], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(~on_curve, anti)
    np.testing.assert_allclose(ends[anti], 0.0, atol=1e-6)
    np.testing.assert_array_equal(attractor[anti], saddle)


def test_runs_ending_on_the_curve_of_minima_beyond_the_domain_reach_it_too(client):
    """Starts beyond deep_linear's domain end on the hyperbola beyond the points the finder
    met on it (it searches the domain): those runs are at the minimum too."""
    run = {"surface": "deep_linear", "optimizer": "sgd", "params": {"lr": 0.02}, "steps": 1000}
    got, _, ends, attractor = basin_map(client, run, 16, ((-3, 3), (-3, 3)))
    curve = next(k for k, a in enumerate(got["attractors"]) if a["kind"] == "minimum")
    members = np.array(got["attractors"][curve]["members"])
    on_curve = np.abs(ends[:, 0] * ends[:, 1] - 1.0) <= 1e-4
    gap = np.hypot(*(ends[:, None, :] - members[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    assert (on_curve & (gap > 0.05 * np.hypot(4, 4))).sum() > 50  # far from any found point
    np.testing.assert_array_equal(attractor[on_curve], curve)
    reached = ends[attractor == curve]
    assert np.abs(reached[:, 0] * reached[:, 1] - 1.0).max() <= 1e-4


def test_a_typed_ring_of_minima_is_one_attractor(client):
    """(x² + y² - 1)²: the unit circle of minima is one attractor, every run that ends on it
    (|r - 1| small) reaches it, and the run started on the central maximum stays there."""
    ring = {"expression": "(x^2 + y^2 - 1)^2", "x_range": [-2, 2], "y_range": [-2, 2]}
    run = {"surface": ring, "optimizer": "sgd", "params": {"lr": 0.02}, "steps": 500}
    got, starts, ends, attractor = basin_map(client, run, 15, ((-2, 2), (-2, 2)))
    attractors = got["attractors"]
    assert [(a["kind"], a["label"]) for a in attractors] == [
        ("maximum", "maximum (0, 0)"),
        ("minimum", "a curve of minima at 0"),
    ]
    np.testing.assert_allclose(np.hypot(*np.array(attractors[1]["members"]).T), 1.0, atol=1e-9)
    on_ring = np.abs(np.hypot(ends[:, 0], ends[:, 1]) - 1.0) <= 1e-4
    centre = np.all(starts == 0.0, axis=1)
    assert on_ring.sum() == len(ends) - 1 and not on_ring[centre].any()
    np.testing.assert_array_equal(attractor, np.where(on_ring, 1, 0))


def test_isolated_minima_stay_one_attractor_each(client):
    """Himmelblau's stationary points are not degenerate: each is its own attractor."""
    run = {"surface": "himmelblau", "optimizer": "sgd", "params": {"lr": 0.01}, "steps": 1000}
    got, _, ends, attractor = basin_map(client, run, 21)
    attractors = got["attractors"]
    assert [a["kind"] for a in attractors] == ["minimum"] * 4 + ["saddle"] * 4 + ["maximum"]
    for a in attractors:
        assert a["members"] == [a["point"]] and not a["degenerate"], a
    # Himmelblau (1972): f(3, 2) = 0 exactly; the other three minima to six decimals.
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for a, (x, y) in zip(attractors[:4], known, strict=True):
        np.testing.assert_allclose(a["point"], (x, y), atol=1e-6)
    assert attractors[0]["label"] == "minimum (3, 2)"
    # Every converged run is assigned to the attractor nearest its end, within 1% of the
    # diagonal; all four minima have basins.
    points = np.array([a["point"] for a in attractors])
    converged = np.array([s == "converged" for row in got["status"] for s in row])
    assert converged.mean() > 0.9
    d = np.hypot(*(ends[converged, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.testing.assert_array_equal(attractor[converged], d.argmin(axis=1))
    assert d.min(axis=1).max() <= 0.01 * np.hypot(10, 10)
    assert set(attractor[converged].tolist()) >= {0, 1, 2, 3}


def test_log_axis_is_geometric(client):
    body = {
        "run": {"surface": "quadratic", "optimizer": "sgd"},
        "axes": [axis("params.lr", 0.01, 1, 3, True)],
    }
    got = client.post("/api/sweeps", json=body).json()
    np.testing.assert_allclose(got["axes"][0]["values"], [0.01, 0.1, 1.0], rtol=1e-15)
    assert isinstance(got["status"], list) and isinstance(got["status"][0], str)


def test_stream_rows_equal_the_plain_answer(client, app):
    app.dependency_overrides[get_settings] = lambda: Settings(sweep_block_point_steps=20_000)
    body = {
        "run": {"surface": "ravine", "optimizer": "momentum", "steps": 500},
        "axes": [axis("params.lr", 0.001, 0.2, 20, True), axis("params.momentum", 0, 0.95, 9)],
    }
    plain = client.post("/api/sweeps", json=body).json()
    with client.stream("POST", "/api/sweeps/stream", json=body) as response:
        text = "".join(response.iter_text())
    events = [block for block in text.strip().split("\n\n")]
    rows = [json.loads(e.removeprefix("data: ")) for e in events if e.startswith("data:")]
    assert len(rows) > 1  # it streamed in pieces
    assert [r["row_start"] for r in rows] == sorted({r["row_start"] for r in rows})
    for field in ("final_loss", "final_point", "status", "steps_taken", "attractor"):
        assert [row for r in rows for row in r[field]] == plain[field]
    assert events[-1].startswith("event: done\ndata: ")
    done = json.loads(events[-1].split("data: ", 1)[1])
    assert done["attractors"] == plain["attractors"] and done["axes"] == plain["axes"]
    assert done["start_curvature"] == plain["start_curvature"] == [1.0, 25.0]  # the ravine


def test_stream_of_one_axis_is_one_row(client):
    body = {
        "run": {"surface": "quadratic", "optimizer": "sgd"},
        "axes": [axis("params.lr", 0.1, 3, 8)],
    }
    plain = client.post("/api/sweeps", json=body).json()
    with client.stream("POST", "/api/sweeps/stream", json=body) as response:
        text = "".join(response.iter_text())
    first = json.loads(text.split("\n\n")[0].removeprefix("data: "))
    assert first["row_start"] == 0 and first["status"] == plain["status"]
    assert "diverged" in plain["status"] and "converged" in plain["status"]


@pytest.mark.parametrize(
    ("run", "axes", "loc", "words"),
    [
        ({}, [axis("speed", 0, 1, 3)], ["axes", "0", "name"], "unknown axis"),
        ({}, [axis("params.amsgrad", 0, 1, 3)], ["axes", "0", "name"], "not numeric"),
        ({}, [axis("params.lrr", 0, 1, 3)], ["axes", "0", "name"], "no hyperparameter"),
        ({}, [axis("schedule.gamma", 0, 1, 3)], ["axes", "0", "name"], "no numeric option"),
        ({}, [axis("params.lr", 0, 1, 3, True)], ["axes", "0", "min"], "log axis"),
        ({}, [axis("params.lr", 0.1, 1, 513)], ["axes", 0, "n"], "512"),
        ({}, [axis("params.lr", 0.1, 1, 0)], ["axes", 0, "n"], "1"),
        ({}, [axis("params.beta1", 0.5, 1.0, 3)], ["axes", "0", "max"], "[0, 1)"),
        ({}, [axis("params.lr", 1, 0.1, 3)], ["axes", "0", "max"], "> min"),
        ({}, [axis("start.x", -5, 5e7, 3)], ["axes", "0", "max"], "bound"),
        (
            {},
            [axis("start.x", 0, 1, 3), axis("start.x", 0, 1, 3)],
            ["axes", "1", "name"],
            "different",
        ),
        ({}, [], ["axes"], "at least 1"),
        (
            {"steps": 1000},
            [axis("start.x", -5, 5, 512), axis("start.y", -5, 5, 512)],
            ["axes"],
            "too much work",
        ),
        ({"surface": "nowhere"}, [axis("start.x", 0, 1, 3)], ["run", "surface"], "valid ids"),
        (
            {"optimizer": "lbfgs"},
            [axis("params.history_size", 2, 9, 3)],
            ["axes", "0", "name"],
            "on its own",
        ),
    ],
)
def test_bad_sweeps_answer_422_naming_the_field(client, run, axes, loc, words):
    base = {"surface": "himmelblau", "optimizer": "adam", **run}
    response = client.post("/api/sweeps", json={"run": base, "axes": axes})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", *loc]
    assert words in detail["msg"]


def test_point_step_cap_is_a_setting(client, app):
    app.dependency_overrides[get_settings] = lambda: Settings(max_sweep_point_steps=1000)
    body = {
        "run": {"surface": "quadratic", "optimizer": "sgd", "steps": 99},
        "axes": [axis("params.lr", 0.1, 1, 11)],
    }
    assert client.post("/api/sweeps", json=body).status_code == 422
    body["axes"][0]["n"] = 10  # 10 x 100 = 1000 point-steps: allowed
    assert client.post("/api/sweeps", json=body).status_code == 200


def test_a_cold_worker_answers_with_numpy_and_compiles_in_the_background(monkeypatch):
    """What a heavy-work process does with a sweep whose kernel is not compiled yet (the
    same function, called here in this process so that the compiler can be watched)."""
    queued = []
    monkeypatch.setattr(compiled, "_kernels", {})  # nothing compiled yet
    monkeypatch.setattr(compiled, "request", queued.append)
    body = SweepRequest.model_validate(
        {
            "run": {"surface": "himmelblau", "optimizer": "adam", "params": {"lr": 0.1}},
            "axes": [axis("start.x", -4, 4, 4)],
        }
    )
    response = sweep_answer(body, Settings(sweep_compiled=1), deadline=NO_DEADLINE)
    assert response.status_code == 200 and json.loads(response.body)["final_loss"]
    assert response.headers["x-gradscape-engine"] == "numpy"
    assert queued == [(compiled.SURFACES["himmelblau"], compiled.ADAM, False, False, False, False)]
