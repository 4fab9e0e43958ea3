"""Request and response models of the networks and datasets API."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gradscape.api.schemas import Strict

NETWORK_RUN_EXAMPLE = {
    "dataset": "moons",
    "samples": 200,
    "data_noise": 0.1,
    "hidden": [16, 16],
    "activation": "tanh",
    "optimizer": "adam",
    "params": {"lr": 0.01},
    "schedule": None,
    "batch_size": None,
    "steps": 500,
    "seed": 0,
    "landscape": {"directions": "pca", "resolution": 41},
}


class DatasetOut(BaseModel):
    id: str
    name: str
    description: str
    task: Literal["binary", "multiclass", "regression"]
    classes: int = Field(description="Number of classes; 0 for regression.")
    input_dim: int
    default_samples: int
    default_noise: float
    loss: str = Field(description="The loss a network trains on: bce, cross_entropy or mse.")


class DatasetPoints(BaseModel):
    id: str
    task: str
    classes: int
    x: list[list[float]] = Field(description="Points (n, input_dim), already shuffled.")
    y: list[float] = Field(description="Class ids, or target values for regression.")
    n_train: int = Field(description="The first n_train points train; the rest validate.")


class NetworkOptions(BaseModel):
    activations: list[dict[str, str]] = Field(description="Hidden-layer activations: id, name.")
    optimizers: list[str] = Field(
        description="Optimizer ids that apply to networks: the elementwise update rules."
    )
    max_params: int
    max_samples: int
    max_steps: int
    max_resolution: int


class LandscapeRequest(Strict):
    directions: Literal["pca", "random"] = Field(
        "pca",
        description="pca: the trajectory's principal components; random: "
        "filter-normalised random directions (Li et al. 2018).",
    )
    resolution: int = Field(41, description="Grid points per axis; odd, capped by the server.")


class NetworkRunRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [NETWORK_RUN_EXAMPLE]})

    dataset: str = Field("moons", description="Data set id, from GET /api/datasets.")
    samples: int | None = Field(None, description="Points to generate; default per data set.")
    data_noise: float | None = Field(None, description="Data noise; default per data set.")
    hidden: list[int] = Field([16, 16], description="Widths of the hidden layers.")
    activation: str = Field("tanh", description="tanh, relu or sigmoid.")
    optimizer: str = Field("adam", description="Optimizer id, from GET /api/optimizers.")
    params: dict[str, float | bool | str] = Field(
        default_factory=dict, description="Hyperparameters by their torch.optim names."
    )
    schedule: dict[str, Any] | None = Field(None, description='{"name": id, ...options}.')
    batch_size: int | None = Field(
        None, description="null: full-batch GD; 1: SGD; k: mini-batches of k."
    )
    steps: int = Field(500, description="Optimizer steps (capped by the server).")
    seed: int = Field(0, description="Seeds the data, the initialisation and the batches.")
    landscape: LandscapeRequest | None = Field(
        default_factory=LandscapeRequest, description="The 2D slice to compute; null: none."
    )
    sharpness_every: int | None = Field(
        None, description="Measure sharpness every k steps; null: about 50 times; 0: never."
    )


class SharpnessPoint(BaseModel):
    step: int
    value: float


class Landscape(BaseModel):
    x: list[float]
    y: list[float]
    z: list[list[float | None]] = Field(description="z[i][j] = loss at (x[j], y[i]).")
    directions: str
    explained_variance: list[float] | None = Field(
        description="Share of the trajectory's variance along each PCA direction."
    )
    path_loss: list[float | None] = Field(
        description="The loss in the plane under each point of the projected path."
    )


class Interpolation(BaseModel):
    alpha: list[float]
    loss: list[float | None]


class NetworkRunBlock(BaseModel):
    """One `data:` event of POST /api/networks/runs/stream."""

    start: int = Field(description="Index of this block's first point in the whole run.")
    loss: list[float]
    val_loss: list[float]
    accuracy: list[float] | None
    val_accuracy: list[float] | None
    lr: list[float]
    sharpness: list[SharpnessPoint]
    boundary: dict[str, Any] = Field(
        description="Predictions on a grid over the data (x, y, z) or, for regression, "
        "the fitted curve (x, y)."
    )


class NetworkRunDone(BaseModel):
    """The final `event: done` of the stream; also the tail of the whole-run answer."""

    landscape: Landscape | None
    path: list[list[float]] | None = Field(description="The trajectory in landscape coords.")
    path_steps: list[int] | None = Field(description="The step of each path point.")
    interpolation: Interpolation
    boundary: dict[str, Any]
    status: str = Field(description="completed or diverged.")
    steps_taken: int
    message: str


class NetworkRunResponse(NetworkRunDone):
    loss: list[float] = Field(description="Full training loss at each point; 0 = init.")
    val_loss: list[float]
    accuracy: list[float] | None = Field(description="null for regression data sets.")
    val_accuracy: list[float] | None
    lr: list[float]
    sharpness: list[SharpnessPoint]
