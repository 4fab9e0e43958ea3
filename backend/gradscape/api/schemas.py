"""Request and response models of the core API, each with an example for the OpenAPI page."""

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

ID_LENGTH = 64  # ids and names; longer strings are refused before any lookup
ShortStr = Annotated[str, StringConstraints(max_length=ID_LENGTH)]
# A point [x, y]: a fixed-length list rather than a tuple, whose JSON schema (prefixItems)
# stops schema-driven fuzzers.
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
OptionValue = float | bool | ShortStr
# The same as lists for answers that may hold null (undefined) entries.
MaybePair = Annotated[list[float | None], Field(min_length=2, max_length=2)]
MaybeMatrix = Annotated[list[MaybePair], Field(min_length=2, max_length=2)]

RUN_EXAMPLE = {
    "surface": "rosenbrock",
    "optimizer": "adam",
    "params": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999},
    "schedule": {"name": "cosine", "warmup_steps": 20, "min_lr": 0.001},
    "start": [-1.5, 2.0],
    "steps": 500,
    "noise": 0.0,
    "batch_size": None,
    "seed": 0,
    "tol": 1e-6,
}


class Strict(BaseModel):
    """Unknown fields and non-finite numbers are refused, naming the field; strict types, so
    ``true`` is never taken for a number nor ``"5"`` for an integer."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


FORMULA_EXAMPLE = {"expression": "x^2 + 10*y^2", "x_range": [-3, 3], "y_range": [-3, 3]}


class SurfaceFormula(Strict):
    """A surface typed as a formula in x and y (see the README for the grammar)."""

    model_config = ConfigDict(json_schema_extra={"examples": [FORMULA_EXAMPLE]})

    expression: str = Field(
        description="f(x, y), e.g. 'x^2 + 10*y^2'; at most 500 characters, 300 nodes, depth 40."
    )
    x_range: Pair | None = Field([-3.0, 3.0], description="[low, high] of x; null: [-3, 3].")
    y_range: Pair | None = Field([-3.0, 3.0], description="[low, high] of y; null: [-3, 3].")


# A surface id or a formula object. The object is checked by surfaces.resolve_surface, so
# every error names the key inside it (surface.expression) and a parse error's position.
def _surface_ref(value: Any) -> Any:
    if not isinstance(value, str | dict):
        raise ValueError('must be a surface id or an object {"expression", "x_range", "y_range"}')
    return value


SurfaceRef = Annotated[
    Any,
    AfterValidator(_surface_ref),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "Surface id, from GET /api/surfaces."},
                {"$ref": "#/components/schemas/SurfaceFormula"},
            ]
        }
    ),
]


class RunRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [RUN_EXAMPLE]})

    surface: SurfaceRef = Field(
        description='Surface id from GET /api/surfaces, or {"expression", "x_range", "y_range"}.'
    )
    optimizer: ShortStr = Field(description="Optimizer id, from GET /api/optimizers.")
    params: dict[ShortStr, OptionValue] = Field(
        default_factory=dict,
        max_length=32,
        description="Hyperparameters by their torch.optim names; missing ones take defaults.",
    )
    schedule: dict[ShortStr, OptionValue] | None = Field(
        None,
        max_length=32,
        description='Learning-rate schedule: {"name": id, ...options}; default constant.',
    )
    start: list[float] | None = Field(
        None, min_length=2, max_length=2, description="Start point [x, y]; default per surface."
    )
    steps: int = Field(200, ge=0, description="Optimizer steps to take (capped by the server).")
    noise: float = Field(
        0.0, ge=0.0, le=1e6, description="Std of Gaussian noise added to each gradient."
    )
    batch_size: int | None = Field(
        None, ge=1, description="Data surfaces: samples per step; null = full batch."
    )
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seeds the noise and the batches.")
    tol: float = Field(
        1e-6, ge=0.0, description="Stop as converged when the gradient norm is <= tol; 0 never."
    )
    bound: float = Field(1e6, gt=0.0, le=1e12, description="Diverged when |x| or |y| exceeds this.")
    max_points: int | None = Field(
        None,
        ge=2,
        le=1_000_000,
        description="Thin the answer to at most this many points: the first, every k-th and "
        "the last (where the status was decided); `index` then gives each point's step.",
    )


class RunResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [[-1.5, 2.0], [-1.45, 1.95]],
                    "loss": [12.5, 10.1],
                    "grad_norm": [150.2, 120.7],
                    "lr": [0.05, 0.05],
                    "status": "completed",
                    "steps_taken": 1,
                    "message": "completed 1 steps; final loss 10.1",
                    "stationary_kind": None,
                }
            ]
        }
    )

    points: list[Pair] = Field(description="Point k after k steps; 0 = start.")
    loss: list[float] = Field(description="Full-data loss at each point.")
    grad_norm: list[float] = Field(description="Norm of the full-data gradient at each point.")
    lr: list[float] = Field(description="Learning rate of the step that leaves each point.")
    status: str = Field(description="completed, converged, diverged or singular.")
    steps_taken: int
    message: str
    stationary_kind: str | None = Field(
        None,
        description="For a converged run, the kind of point it reached, as POST "
        "/api/curvature names it: minimum, maximum, saddle or flat; null otherwise.",
    )
    index: list[int] | None = Field(
        None, description="Only when thinned (max_points): the step number of each point."
    )


class RunBlock(BaseModel):
    """One `data:` event of POST /api/runs/stream."""

    start: int = Field(description="Index of this block's first point in the whole run.")
    points: list[Pair]
    loss: list[float]
    grad_norm: list[float]
    lr: list[float]
    index: list[int] | None = Field(
        None, description="Only when thinned (max_points): the step number of each point."
    )


class RunDone(BaseModel):
    """The final `event: done` of POST /api/runs/stream."""

    status: str
    steps_taken: int
    message: str
    stationary_kind: str | None = Field(None, description="As in RunResponse.")


class BatchRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runs": [
                        {"surface": "ravine", "optimizer": "sgd", "params": {"lr": 0.03}},
                        {"surface": "ravine", "optimizer": "momentum", "params": {"lr": 0.03}},
                    ]
                }
            ]
        }
    )

    runs: list[RunRequest] = Field(min_length=1, max_length=1024)


class BatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"runs": RunResponse.model_config["json_schema_extra"]["examples"]}]
        }
    )

    runs: list[RunResponse]


class Domain(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"x": [-2, 2], "y": [-1, 3]}]})

    x: Pair
    y: Pair


class SurfaceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "rosenbrock",
                    "name": "Rosenbrock valley",
                    "formula": "f(x, y) = (1 − x)² + 100 (y − x²)²",
                    "description": "A curved, narrow valley.",
                    "domain": {"x": [-2, 2], "y": [-1, 3]},
                    "default_start": [-1.5, 2],
                    "minima": [[1, 1]],
                    "saddles": [],
                    "maxima": [],
                    "convex": False,
                    "log_levels": True,
                    "kind": "analytic",
                    "n_samples": None,
                    "suggested_lr": {"sgd": 0.001, "adam": 0.04, "newton": 1.0},
                }
            ]
        }
    )

    id: str
    name: str
    formula: str
    description: str
    domain: Domain
    default_start: Pair
    minima: list[Pair]
    saddles: list[Pair]
    maxima: list[Pair] = Field(default_factory=list, description="Local maxima.")
    convex: bool
    log_levels: bool
    kind: str = Field(description="analytic, or data (has mini-batches via batch_size).")
    n_samples: int | None
    suggested_lr: dict[str, float] = Field(
        default_factory=dict,
        description="Per optimizer id: a learning rate that moves visibly on this surface "
        "within 200 steps (1/λmax at the start for gradient descent, a fraction of the domain "
        "for adaptive methods, 1 for Newton and L-BFGS); the UI sets it on switching optimizer.",
    )


class CustomGridRequest(SurfaceFormula):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**FORMULA_EXAMPLE, "resolution": 121}]}
    )

    resolution: int = Field(100, ge=2, description="Points per axis.")


class StationaryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"x": 0, "y": 0, "kind": "minimum", "value": 0, "eigenvalues": [2, 20]},
            ]
        }
    )

    x: float
    y: float
    kind: str = Field(description="minimum, saddle, maximum or degenerate.")
    value: float
    eigenvalues: Pair = Field(description="Of the Hessian, ascending.")


class CustomSurfaceOut(SurfaceOut):
    """A GET /api/surfaces entry for a formula, plus what was found about it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "custom",
                    "name": "Custom formula",
                    "formula": "f(x, y) = x^2 + 10*y^2",
                    "description": "Your own formula.",
                    "domain": {"x": [-3, 3], "y": [-3, 3]},
                    "default_start": [-1.8, 1.8],
                    "minima": [[0, 0]],
                    "saddles": [],
                    "convex": False,
                    "log_levels": False,
                    "kind": "analytic",
                    "n_samples": None,
                    "expression": "x^2 + 10*y^2",
                    "gradient": ["2*x", "20*y"],
                    "maxima": [],
                    "degenerate": [],
                    "stationary": [
                        {"x": 0, "y": 0, "kind": "minimum", "value": 0, "eigenvalues": [2, 20]}
                    ],
                }
            ]
        }
    )

    expression: str = Field(description="The formula, normalised (parses to the same tree).")
    gradient: Annotated[list[str], Field(min_length=2, max_length=2)] = Field(
        description="df/dx and df/dy as text."
    )
    degenerate: list[Pair] = Field(
        description="Stationary points with a zero Hessian eigenvalue (e.g. a monkey saddle)."
    )
    stationary: list[StationaryOut]


class Grid(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"x": [-1, 0, 1], "y": [-1, 0, 1], "z": [[2, 1, 2], [1, 0, 1], [2, 1, 2]]}]
        }
    )

    x: list[float]
    y: list[float]
    z: list[list[float | None]] = Field(description="z[i][j] = f(x[j], y[i]); null if infinite.")


class ParamOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "beta1",
                    "type": "float",
                    "default": 0.9,
                    "min": 0,
                    "max": 1,
                    "log": False,
                    "help": "Decay rate of the running mean of gradients.",
                    "choices": [],
                }
            ]
        }
    )

    name: str
    type: str
    default: float | int | bool | str
    min: float | None
    max: float | None
    log: bool
    help: str
    choices: list[str] = []


class OptimizerOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "sgd",
                    "name": "SGD",
                    "description": "Plain gradient descent.",
                    "reference": "torch.optim.SGD",
                    "params": [
                        {
                            "name": "lr",
                            "type": "float",
                            "default": 0.001,
                            "min": 0,
                            "max": 1000,
                            "log": True,
                            "help": "Learning rate.",
                        }
                    ],
                }
            ]
        }
    )

    id: str
    name: str
    description: str
    reference: str = ""
    params: list[ParamOut]


class ScheduleOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "cosine",
                    "name": "Cosine decay",
                    "description": "Half a cosine.",
                    "params": [
                        {
                            "name": "min_lr",
                            "type": "float",
                            "default": 0,
                            "min": 0,
                            "max": 1000,
                            "log": False,
                            "help": "Final rate.",
                        }
                    ],
                }
            ]
        }
    )

    id: str
    name: str
    description: str
    params: list[ParamOut]


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "version": "0.1.0",
                    "accepting_heavy_work": True,
                    "heavy_jobs": 1,
                    "heavy_threads": 1,
                    "heavy_workers": 1,
                    "heavy_limit": 5,
                }
            ]
        }
    )

    status: str
    version: str
    accepting_heavy_work: bool = Field(
        True, description="False while the heavy pool and its queue are full (runs get 503)."
    )
    heavy_jobs: int = Field(0, description="Heavy jobs running or waiting in this process.")
    heavy_threads: int = Field(
        0, description="Same as heavy_workers (its first name, from when they were threads)."
    )
    heavy_workers: int = Field(
        0, description="Worker processes of this server process's heavy pool (niced)."
    )
    heavy_limit: int = Field(0, description="Jobs accepted at once: workers plus queue.")


class CurvatureRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"surface": "ravine", "points": [[1.0, 0.5], [0.0, 0.0]]}]}
    )

    surface: SurfaceRef = Field(
        description='Surface id from GET /api/surfaces, or {"expression", "x_range", "y_range"}.'
    )
    points: list[Pair] = Field(
        min_length=1, description="Points [x, y] to evaluate (capped by the server)."
    )


class CurvatureResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "value": [3.625, 0.0],
                    "gradient": [[1.0, 12.5], [0.0, 0.0]],
                    "hessian": [[[1.0, 0.0], [0.0, 25.0]], [[1.0, 0.0], [0.0, 25.0]]],
                    "eigenvalues": [[1.0, 25.0], [1.0, 25.0]],
                    "eigenvectors": [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]],
                    "kind": ["minimum", "minimum"],
                    "condition_number": [25.0, 25.0],
                    "max_stable_lr": [0.08, 0.08],
                }
            ]
        }
    )

    value: list[float | None] = Field(description="f at each point.")
    gradient: list[MaybePair] = Field(description="[df/dx, df/dy].")
    hessian: list[MaybeMatrix] = Field(description="[[hxx, hxy], [hxy, hyy]].")
    eigenvalues: list[MaybePair] = Field(
        description="The Hessian's eigenvalues [l1, l2], ascending."
    )
    eigenvectors: list[MaybeMatrix] = Field(
        description="Unit eigenvectors [v1, v2], v1 belonging to l1 and v2 to l2."
    )
    kind: list[str | None] = Field(
        description="Shape of the local quadratic model: 'minimum' (both eigenvalues > 0, a "
        "bowl), 'maximum' (both < 0, a cap), 'saddle' (one of each sign) or 'flat' (an "
        "eigenvalue is zero to 1e-9 relative: a trough, ridge or plane); null if not finite. "
        "It names the curvature, not whether the point is stationary: see the gradient."
    )
    condition_number: list[float | None] = Field(
        description="max |l| / min |l|; null where an eigenvalue is zero."
    )
    max_stable_lr: list[float | None] = Field(
        description="2 / l2, the largest learning rate at which plain gradient descent is "
        "stable on this point's quadratic model; null where l2 <= 0 (no bound from curvature)."
    )
