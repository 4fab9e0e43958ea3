"""POST /api/sweeps and /api/sweeps/stream: the contract, cell = single run, stream = answer."""

import json

import numpy as np
import pytest

from gradscape.api.sweep_schemas import SweepRequest
from gradscape.api.sweeps import sweep_answer
from gradscape.config import Settings, get_settings
from gradscape.deadline import NO_DEADLINE
from gradscape.engine import compiled


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
