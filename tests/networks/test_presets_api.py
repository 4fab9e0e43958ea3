"""The networks page's presets hold in the API's own numbers (the page's data is checked by
tests/frontend/test_networks_page.py). Settings copied from frontend/js/networks/presets.js;
the first test checks that copy."""

import re
from pathlib import Path

import numpy as np

from gradscape.networks import build_network_spec, train_batch

PRESETS_JS = Path(__file__).resolve().parents[2] / "frontend/js/networks/presets.js"
EDGE = {
    "dataset": "sine",
    "samples": 200,
    "data_noise": 0.1,
    "data_seed": 0,
    "hidden": [8, 8],
    "activation": "tanh",
    "steps": 2000,
    "optimizer": "sgd",
    "params": {"lr": 0.07},
    "batch_size": None,
    "seed": 0,
    "landscape": None,
}


def test_the_settings_here_are_the_presets():
    text = PRESETS_JS.read_text()
    block = text[text.index('id: "edge-of-stability"') : text.index('id: "adam-vs-sgd-spirals"')]
    assert 'dataset: "sine", samples: 200, data_noise: 0.1' in block
    assert "hidden: [8, 8]" in block and "steps: 2000" in block
    assert re.search(r'optimizer: "sgd", params: \{ lr: 0\.07 \}, batch_size: null', block)


def edge_of_stability(s: np.ndarray, bound: np.ndarray, loss: np.ndarray) -> int:
    """The issue's numbers for Cohen et al.'s picture; returns the plateau's first step."""
    steps = len(loss) - 1
    tenth = steps // 10 + 1
    assert np.all(s[:tenth] <= 0.6 * bound[:tenth]), "too sharp over the first tenth"
    near = np.flatnonzero(np.abs(s - bound) <= 0.1 * bound)
    assert len(near), "sharpness never came within 10% of 2/lr"
    start = int(near[0])
    hover = 0
    while (
        start + hover <= steps
        and abs(s[start + hover] - bound[start + hover]) <= 0.2 * bound[start + hover]
    ):
        hover += 1
    assert hover >= 100, f"within 20% of 2/lr for {hover} steps only"
    assert loss[-1] < loss[start], "the loss did not keep falling"
    return start


def assert_the_texts_timeline(s: np.ndarray, bound: np.ndarray, loss: np.ndarray, start: int):
    """The preset's words: the line reached at about step 550, an overshoot of up to a fifth
    ended by a loss spike near step 830, then within 10% of the line for the last 1,150 steps."""
    assert 450 <= start <= 650, f"reached 2/lr at step {start}, not about step 550"
    peak = int(np.argmax(s))
    assert 1.1 * bound[peak] < s[peak] <= 1.25 * bound[peak] and 750 <= peak <= 900, peak
    spike = peak + int(np.argmax(loss[peak : peak + 50]))
    assert loss[spike] > 5 * loss[peak - 1], "no loss spike at the end of the overshoot"
    off = np.flatnonzero(np.abs(s - bound) > 0.1 * bound)
    assert len(s) - 1 - off[-1] >= 1140, f"off the line as late as step {off[-1]}"


def test_edge_of_stability_preset_from_the_api_data():
    (result,) = train_batch([build_network_spec(**EDGE)])["runs"]
    assert result["stability"]["coefficient"] == 2.0 and result["stability"]["label"] == "2/lr"
    steps = [p["step"] for p in result["sharpness"]]
    assert steps == list(range(2001))  # every step: a run of up to 2,000 steps
    s = np.array([p["value"] for p in result["sharpness"]])
    bound = 2.0 / np.array(result["lr"])
    loss = np.array(result["loss"])
    start = edge_of_stability(s, bound, loss)
    assert_the_texts_timeline(s, bound, loss, start)
    assert np.any(np.diff(loss[start:]) > 0)  # non-monotone once at the edge


def test_batch_size_preset_from_the_api_data():
    base = {**EDGE, "dataset": "moons", "data_noise": 0.15, "steps": 600, "params": {"lr": 0.3}}
    specs = [build_network_spec(**{**base, "batch_size": b}) for b in (1, 16, None)]
    one, sixteen, full = (np.array(r["loss"]) for r in train_batch(specs)["runs"])
    assert np.all(np.diff(full) < 0) and full[-1] < 0.1
    assert np.sum(np.diff(sixteen) > 0) > 200 and sixteen[-1] < 2 * full[-1]
    assert one[-1] > 0.3 and 600 / specs[0].data.n_train < 4
