"""Request and response models of the networks and datasets API."""

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

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
    "steps": 200,
    "seed": 0,
    "landscape": {"directions": "pca", "resolution": 41},
}


class DatasetOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "moons",
                    "name": "Moons",
                    "description": "Two interleaved half circles.",
                    "task": "binary",
                    "classes": 2,
                    "input_dim": 2,
                    "default_samples": 200,
                    "default_noise": 0.1,
                    "loss": "bce",
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "moons",
                    "task": "binary",
                    "classes": 2,
                    "x": [[0.1, 0.9], [1.2, -0.4]],
                    "y": [0, 1],
                    "n_train": 1,
                }
            ]
        }
    )

    id: str
    task: str
    classes: int
    x: list[list[float]] = Field(description="Points (n, input_dim), already shuffled.")
    y: list[float] = Field(description="Class ids, or target values for regression.")
    n_train: int = Field(description="The first n_train points train; the rest validate.")


class NetworkOptions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activations": [{"id": "tanh", "name": "tanh"}],
                    "optimizers": ["sgd", "adam"],
                    "max_params": 20000,
                    "max_samples": 5000,
                    "max_steps": 20000,
                    "max_resolution": 101,
                    "max_runs": 8,
                    "max_body_bytes": 1000000,
                }
            ]
        }
    )

    activations: list[dict[str, str]] = Field(description="Hidden-layer activations: id, name.")
    optimizers: list[str] = Field(
        description="Optimizer ids that apply to networks: the elementwise update rules."
    )
    max_params: int
    max_samples: int
    max_steps: int
    max_resolution: int
    max_runs: int = Field(description="Runs in one POST /api/networks/batch.")
    max_body_bytes: int = Field(description="The largest request body (your points count).")


class LandscapeRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"directions": "pca", "resolution": 41}]}
    )

    directions: Literal["pca", "random"] = Field(
        "pca",
        description="pca: the trajectory's principal components; random: "
        "filter-normalised random directions (Li et al. 2018).",
    )
    resolution: int = Field(41, description="Grid points per axis; odd, capped by the server.")


class CustomDataset(Strict):
    """The user's own points, used for one request and never stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"x": [[0.1, 0.9], [1.2, -0.4]], "y": [0, 1], "task": "binary"},
                {"x": [[0.0], [0.5]], "y": [0.1, 0.4], "task": "regression"},
            ]
        }
    )

    x: list[list[float]] = Field(
        description="Points: [x1, x2] for classification, [x] for regression; at least 10, "
        "at most the server's sample cap; finite numbers."
    )
    y: list[float] = Field(
        description="Class labels 0, 1, ... (at most 10 classes) or regression targets."
    )
    task: Literal["binary", "multiclass", "regression"]


class CustomDatasetRequest(CustomDataset):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"x": [[0.1, 0.9], [1.2, -0.4]], "y": [0, 1], "task": "binary", "seed": 0}]
        }
    )

    seed: int = Field(0, ge=0, le=2**32 - 1, description="The run's data_seed: the shuffle.")


class NetworkRunRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [NETWORK_RUN_EXAMPLE]})

    dataset: str | CustomDataset = Field(
        "moons",
        description='A data set id from GET /api/datasets, or your own points {"x", "y", '
        '"task"}; samples and data_noise then do not apply.',
    )
    data_seed: int | None = Field(
        None,
        description="Draws and splits the data; null: the same as seed. Runs that share it "
        "share their data while their seeds give each its own initial weights.",
    )
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
        None,
        description="Measure sharpness every k steps; null: every step up to 2,000 steps, "
        "about 2,000 times beyond; 0: never.",
    )

    @field_validator("dataset", mode="wrap")
    @classmethod
    def _points_checked_later(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """Anything but an id is checked as CustomDataset by the route, so its errors name
        their place as ``dataset.x.17.0`` rather than pydantic's union branch."""
        return handler(value) if isinstance(value, str) else value


class NetworkBatchRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runs": [
                        {**NETWORK_RUN_EXAMPLE, "steps": 100, "landscape": None},
                        {
                            **NETWORK_RUN_EXAMPLE,
                            "steps": 100,
                            "landscape": None,
                            "optimizer": "sgd",
                            "params": {"lr": 0.5},
                            "batch_size": 16,
                        },
                    ],
                    "landscape": {"directions": "pca", "resolution": 21},
                }
            ]
        }
    )

    runs: list[NetworkRunRequest] = Field(
        min_length=1,
        description="Network runs; those sharing data and network shape train together, and "
        "the shared landscape needs all of them to.",
    )
    landscape: LandscapeRequest | None = Field(
        None,
        description="The shared slice; null: as the first run's landscape. Runs may then ask "
        "for no landscape of their own, which saves a grid per run.",
    )


class SharpnessPoint(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"step": 100, "value": 3.7}]})

    step: int
    value: float


class Landscape(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "x": [-1, 0, 1],
                    "y": [-1, 0, 1],
                    "z": [[0.9, 0.5, 0.8], [0.4, 0.1, 0.5], [0.7, 0.6, 0.9]],
                    "directions": "pca",
                    "explained_variance": [0.92, 0.05],
                    "path_loss": [0.69, 0.1],
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"alpha": [-0.5, 0, 0.5, 1, 1.5], "loss": [0.9, 0.69, 0.4, 0.1, 0.3]}]
        }
    )

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


class StabilityInfo(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "hessian", "coefficient": 2.0, "label": "2/lr", "note": "..."}]
        }
    )

    kind: Literal["hessian", "preconditioned"] = Field(
        description="hessian: sharpness is the Hessian's top eigenvalue; preconditioned: that "
        "of P^-1 H, P the adaptive rule's preconditioner (Cohen et al. 2022)."
    )
    coefficient: float | None = Field(
        description="The stability bound at point k is coefficient / lr[k]; null: none applies."
    )
    label: str
    note: str


class NetworkRunDone(BaseModel):
    """The final `event: done` of the stream; also the tail of the whole-run answer."""

    stability: StabilityInfo

    landscape: Landscape | None
    path: list[list[float]] | None = Field(description="The trajectory in landscape coords.")
    path_steps: list[int] | None = Field(description="The step of each path point.")
    interpolation: Interpolation
    boundary: dict[str, Any]
    status: str = Field(description="completed or diverged.")
    steps_taken: int
    message: str


class NetworkRunResponse(NetworkRunDone):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "loss": [0.69, 0.1],
                    "val_loss": [0.7, 0.12],
                    "accuracy": [0.5, 0.97],
                    "val_accuracy": [0.48, 0.95],
                    "lr": [0.01, 0.01],
                    "sharpness": [{"step": 0, "value": 1.2}],
                    "landscape": None,
                    "path": None,
                    "path_steps": None,
                    "interpolation": {"alpha": [0, 1], "loss": [0.69, 0.1]},
                    "boundary": {},
                    "stability": {
                        "kind": "preconditioned",
                        "coefficient": 38.0,
                        "label": "38/lr",
                        "note": "Adam: 2/lr does not apply.",
                    },
                    "status": "completed",
                    "steps_taken": 1,
                    "message": "completed 1 step; final loss 0.1",
                }
            ]
        }
    )

    loss: list[float] = Field(description="Full training loss at each point; 0 = init.")
    val_loss: list[float]
    accuracy: list[float] | None = Field(description="null for regression data sets.")
    val_accuracy: list[float] | None
    lr: list[float]
    sharpness: list[SharpnessPoint]


PATH_EXAMPLE = {"path": [[0.4, -0.1], [0.0, 0.0]], "path_steps": [0, 40], "path_loss": [0.69, 0.1]}
SHARED_LANDSCAPE_EXAMPLE = {
    "x": [-1, 0, 1],
    "y": [-1, 0, 1],
    "z": [[0.9, 0.5, 0.8], [0.4, 0.1, 0.5], [0.7, 0.6, 0.9]],
    "directions": "pca",
    "explained_variance": [0.8, 0.1],
    "paths": [PATH_EXAMPLE],
}


class RunPath(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PATH_EXAMPLE]})

    path: list[list[float]] = Field(description="The run's trajectory in the shared plane.")
    path_steps: list[int]
    path_loss: list[float | None]


class SharedLandscape(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SHARED_LANDSCAPE_EXAMPLE]})

    x: list[float]
    y: list[float]
    z: list[list[float | None]] = Field(description="z[i][j] = loss at (x[j], y[i]).")
    directions: str
    explained_variance: list[float] | None
    paths: list[RunPath] = Field(description="One per run, in the order of the request.")


class NetworkBatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runs": NetworkRunResponse.model_config["json_schema_extra"]["examples"],
                    "landscape": SHARED_LANDSCAPE_EXAMPLE,
                }
            ]
        }
    )

    runs: list[NetworkRunResponse] = Field(
        description="Each run's answer, exactly as POST /api/networks/runs gives it."
    )
    landscape: SharedLandscape | None = Field(
        description="One slice through run 0's final weights: the PCA of all trajectories "
        "(or random directions); null when the runs differ in data or network shape, or the "
        "first run asks for no landscape."
    )
