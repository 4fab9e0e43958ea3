"""Request and response models of POST /api/sweeps and /api/sweeps/stream."""

from pydantic import BaseModel, ConfigDict, Field

from gradscape.api.schemas import Pair, RunRequest, ShortStr, Strict

SWEEP_EXAMPLE = {
    "run": {"surface": "himmelblau", "optimizer": "adam", "params": {"lr": 0.05}, "steps": 500},
    "axes": [
        {"name": "start.x", "min": -5, "max": 5, "n": 64, "log": False},
        {"name": "start.y", "min": -5, "max": 5, "n": 64, "log": False},
    ],
}


class SweepAxis(Strict):
    name: ShortStr = Field(
        description="start.x, start.y, noise, params.<numeric hyperparameter> or "
        "schedule.<numeric option of the run's schedule>."
    )
    min: float
    max: float
    n: int = Field(ge=1, le=512, description="Number of values, min and max included.")
    log: bool = Field(False, description="Space the values geometrically (needs min > 0).")


class SweepRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [SWEEP_EXAMPLE]})

    run: RunRequest = Field(description="A run request as for POST /api/runs.")
    axes: list[SweepAxis] = Field(min_length=1, max_length=2)


class AxisOut(BaseModel):
    name: str
    values: list[float]


class Attractor(BaseModel):
    """What runs can end at: a stationary point, or a connected set of them at one value."""

    point: Pair = Field(  # a fixed-length list: tuples (prefixItems) stop schema fuzzers
        description="The stationary point; for a set, one point of it (a listed minimum on "
        "it if there is one)."
    )
    kind: str = Field(
        description="minimum, saddle, maximum or degenerate. Where the Hessian is singular "
        "(see degenerate), a point or set at the lowest value on the domain is a minimum "
        "(flat-bottomed: a curve of minima, say), at the highest a maximum, else degenerate."
    )
    loss: float
    label: str = Field(
        "",
        description="In words: 'minimum (3, 2)', 'flat-bottomed minimum (0, 0)', 'the curve of "
        "minima w₁·w₂ = 1', 'a curve of degenerate stationary points at 0.5'.",
    )
    degenerate: bool = Field(
        False, description="The Hessian is singular there: flat in some direction."
    )
    members: list[Pair] = Field(
        default_factory=list,
        description="The stationary points found on it in the domain: [point] for an isolated "
        "one; for a set, the points the finder located on it, one per 0.5% of the domain's "
        "diagonal (degenerate points at one value, each within 10% of the diagonal of the "
        "next; every such curve at the lowest value is one set, the global minima).",
    )


class SweepResponse(BaseModel):
    """Per-cell arrays: [i][j] for (axes[0].values[j], axes[1].values[i]); flat for one axis."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "axes": [{"name": "params.lr", "values": [0.1, 1.0]}],
                    "final_loss": [0.01, None],
                    "final_point": [[0.1, 0.0], [2.0, 1.0]],
                    "status": ["completed", "diverged"],
                    "steps_taken": [200, 31],
                    "attractor": [0, None],
                    "attractors": [
                        {
                            "point": [0, 0],
                            "kind": "minimum",
                            "loss": 0,
                            "label": "minimum (0, 0)",
                            "degenerate": False,
                            "members": [[0, 0]],
                        }
                    ],
                    "start_curvature": [1.0, 1.0],
                }
            ]
        }
    )

    axes: list[AxisOut]
    final_loss: list = Field(description="Loss at the last good point; null if none.")
    final_point: list = Field(description="The last good point [x, y]; null if none.")
    status: list = Field(description="completed, converged, diverged or singular, as for runs.")
    steps_taken: list
    attractor: list = Field(
        description="Index into attractors of the stationary point the run ended within 1% of "
        "the domain's diagonal of (the nearest; for a set, of any of its members); a run also "
        "ends on a set when its loss is the set's value beside it (within 10% of the diagonal "
        "of a member) and on a set of minima wherever its loss is their value; null if none "
        "or diverged."
    )
    attractors: list[Attractor]
    start_curvature: list[float] = Field(
        description="Eigenvalues [lambda_min, lambda_max] of the Hessian at the run's start: "
        "plain gradient descent is stable there for lr < 2 / lambda_max."
    )


class SweepRows(BaseModel):
    """One `data:` event of POST /api/sweeps/stream: whole rows from row_start on."""

    row_start: int
    final_loss: list
    final_point: list
    status: list
    steps_taken: list
    attractor: list


class SweepDone(BaseModel):
    """The final `event: done` of POST /api/sweeps/stream."""

    attractors: list[Attractor]
    start_curvature: list[float]
    axes: list[AxisOut] = Field(description="The axes' values, as in the plain answer.")
