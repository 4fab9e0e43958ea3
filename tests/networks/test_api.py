"""GET /api/datasets, POST /api/networks/runs and its Server-Sent Events stream."""

import json

import pytest

from gradscape.config import Settings, get_settings

RUN = {
    "dataset": "moons",
    "samples": 120,
    "data_noise": 0.1,
    "hidden": [8, 8],
    "activation": "tanh",
    "optimizer": "adam",
    "params": {"lr": 0.02},
    "schedule": None,
    "batch_size": 16,
    "steps": 37,
    "seed": 5,
    "landscape": {"directions": "pca", "resolution": 15},
}


def parse_sse(text: str) -> list[tuple[str | None, dict]]:
    events = []
    for frame in text.strip().split("\n\n"):
        name, data = None, []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        events.append((name, json.loads("\n".join(data))))
    return events


def test_list_datasets(client):
    body = client.get("/api/datasets").json()
    ids = [d["id"] for d in body]
    assert {"moons", "circles", "xor", "spirals", "spirals3", "blobs", "sine"} <= set(ids)
    sine = body[ids.index("sine")]
    assert sine["task"] == "regression" and sine["input_dim"] == 1 and sine["loss"] == "mse"
    assert body[ids.index("spirals3")]["classes"] == 3


def test_options_list_what_a_run_accepts(client):
    body = client.get("/api/networks/options").json()
    assert [a["id"] for a in body["activations"]] == ["tanh", "relu", "sigmoid"]
    assert "adam" in body["optimizers"] and "newton" not in body["optimizers"]
    assert body["max_resolution"] == Settings().max_landscape_resolution


def test_dataset_points_are_seeded(client):
    a = client.get("/api/datasets/circles", params={"samples": 50, "noise": 0.1, "seed": 2})
    assert a.status_code == 200
    body = a.json()
    assert len(body["x"]) == len(body["y"]) == 50 and body["n_train"] == 40
    assert set(body["y"]) == {0, 1}
    again = client.get("/api/datasets/circles?samples=50&noise=0.1&seed=2").json()
    assert again == body


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/datasets/moons?samples=3", "samples"),
        ("/api/datasets/moons?noise=-1", "noise"),
        ("/api/datasets/moons?seed=-2", "seed"),
    ],
)
def test_dataset_bad_input_names_the_field(client, url, field):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_an_unknown_dataset_is_404_like_an_unknown_surface(client):
    response = client.get("/api/datasets/mnist")
    assert response.status_code == 404
    assert "moons" in response.json()["detail"]  # the valid ids
    assert client.get("/api/surfaces/mnist/grid").status_code == 404


def test_run_answers_every_field(client):
    response = client.post("/api/networks/runs", json=RUN)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed" and body["steps_taken"] == 37
    assert len(body["loss"]) == len(body["val_loss"]) == len(body["accuracy"]) == 38
    assert len(body["val_accuracy"]) == 38
    land = body["landscape"]
    assert land["directions"] == "pca" and len(land["explained_variance"]) == 2
    assert len(land["z"]) == 15 and land["z"][7][7] == pytest.approx(body["loss"][-1])
    assert body["path"][-1] == [0.0, 0.0]
    assert len(body["interpolation"]["alpha"]) == len(body["interpolation"]["loss"])
    # Adam: the preconditioned sharpness, every step from its first (no preconditioner at 0).
    assert [s["step"] for s in body["sharpness"]] == list(range(1, 38))
    assert body["stability"]["kind"] == "preconditioned"
    assert body["stability"]["coefficient"] == pytest.approx(38.0)


def test_stream_blocks_concatenate_to_the_whole_run(client):
    whole = client.post("/api/networks/runs", json=RUN).json()
    with client.stream("POST", "/api/networks/runs/stream", json=RUN) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())
    blocks = [data for name, data in events if name is None]
    (done,) = [data for name, data in events if name == "done"]
    assert events[-1][0] == "done" and len(blocks) >= 2
    assert len(blocks[0]["loss"]) == 1  # the initial point is sent before training
    expected_start = 0
    for block in blocks:
        assert block["start"] == expected_start
        expected_start += len(block["loss"])
        assert set(block["boundary"]) == {"x", "y", "z"}
    for key in ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness"):
        assert [v for b in blocks for v in b[key]] == whole[key], key
    for key, value in done.items():
        assert whole[key] == value, key


def test_diverged_run_is_plain_json(client):
    body = {
        "dataset": "sine",
        "hidden": [32],
        "activation": "relu",
        "optimizer": "sgd",
        "params": {"lr": 50.0},
        "steps": 300,
    }
    response = client.post("/api/networks/runs", json=body)
    assert response.status_code == 200
    assert "NaN" not in response.text and "Infinity" not in response.text
    assert response.json()["status"] == "diverged"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"optimizer": "newton"}, ["body", "optimizer"]),
        ({"optimizer": "nope"}, ["body", "optimizer"]),
        ({"dataset": "mnist"}, ["body", "dataset"]),
        ({"activation": "gelu"}, ["body", "activation"]),
        ({"hidden": [16, 0]}, ["body", "hidden", 1]),
        ({"batch_size": 1000}, ["body", "batch_size"]),
        ({"params": {"lr": "fast"}}, ["body", "params", "lr"]),
        ({"params": {"betas": 0.9}}, ["body", "params", "betas"]),
        ({"landscape": {"directions": "sideways"}}, ["body", "landscape", "directions"]),
        ({"landscape": {"resolution": 40}}, ["body", "landscape", "resolution"]),
        ({"data_noise": float("inf")}, ["body", "data_noise"]),
        ({"unknown_field": 1}, ["body", "unknown_field"]),
    ],
)
def test_bad_input_is_422_naming_the_field(client, change, loc):
    body = {**RUN, **change}
    response = client.post(
        "/api/networks/runs",
        content=json.dumps(body, allow_nan=True),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
    stream = client.post(
        "/api/networks/runs/stream",
        content=json.dumps(body, allow_nan=True),
        headers={"Content-Type": "application/json"},
    )
    assert stream.status_code == 422


@pytest.mark.parametrize(
    ("cap", "change", "field"),
    [
        ("max_network_params", {"hidden": [32, 32]}, "hidden"),
        ("max_network_samples", {"samples": 120}, "samples"),
        ("max_network_steps", {"steps": 37}, "steps"),
        ("max_landscape_resolution", {"landscape": {"resolution": 15}}, "resolution"),
    ],
)
def test_caps_come_from_the_settings(app, client, cap, change, field):
    app.dependency_overrides[get_settings] = lambda: Settings(**{cap: 11})
    response = client.post("/api/networks/runs", json={**RUN, **change})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert "11" in response.json()["detail"][0]["msg"]
