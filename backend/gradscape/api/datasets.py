"""GET /api/datasets and /api/datasets/{id}: the toy data sets networks train on."""

from fastapi import APIRouter, Response

from gradscape.api.deps import SettingsDep
from gradscape.api.errors import in_query, not_found
from gradscape.api.network_schemas import DatasetOut, DatasetPoints
from gradscape.api.responses import NOT_FOUND, VALIDATION, json_response
from gradscape.networks import DATASETS, Dataset, get_dataset_kind, make_dataset
from gradscape.networks.datasets import DatasetKind

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.get("", response_model=list[DatasetOut])
def list_datasets() -> list[dict]:
    return [kind.info() for kind in DATASETS.values()]


@router.get("/{dataset_id}", response_model=DatasetPoints, responses={**NOT_FOUND, **VALIDATION})
def get_points(
    dataset_id: str,
    settings: SettingsDep,
    samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
):
    """The points of one data set, exactly as a network run with the same options sees them."""
    with not_found():
        kind = get_dataset_kind(dataset_id)
    with in_query():
        data = make_dataset(
            dataset_id, samples, noise, seed, settings.max_network_samples, noise_field="noise"
        )
    return points_response(kind, data)


def points_response(kind: DatasetKind, data: Dataset) -> Response:
    """A data set's points as GET /api/datasets/{id} and POST /api/networks/dataset answer them."""
    y = data.y[:, 0] if data.y.ndim == 2 else data.y
    return json_response(
        {
            "id": kind.id,
            "task": kind.task,
            "classes": kind.classes,
            "x": data.x.tolist(),
            "y": y.tolist(),
            "n_train": data.n_train,
        }
    )
