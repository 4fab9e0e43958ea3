"""GET /api/optimizers and /api/schedules: the registries' metadata, which drives the UI."""

from functools import lru_cache

from fastapi import APIRouter, Response
from pydantic_core import to_json

from gradscape.api.schemas import OptimizerOut, ParamOut, ScheduleOut
from gradscape.optimizers import OPTIMIZERS, HyperParam
from gradscape.schedules import SCHEDULES

router = APIRouter(tags=["catalog"])


def param_out(p: HyperParam) -> ParamOut:
    return ParamOut(
        name=p.name,
        type=p.type,
        default=p.default,
        min=p.min,
        max=p.max,
        log=p.log,
        help=p.help,
        choices=list(p.choices),
    )


@lru_cache
def optimizers_json() -> bytes:
    return to_json([o.model_dump() for o in optimizers()], inf_nan_mode="null")


@lru_cache
def schedules_json() -> bytes:
    return to_json([s.model_dump() for s in schedules()], inf_nan_mode="null")


# The registries never change while the server runs: each answer is made once, then served
# as bytes from the event loop.


@router.get("/optimizers", response_model=list[OptimizerOut])
async def list_optimizers() -> Response:
    return Response(optimizers_json(), media_type="application/json")


@router.get("/schedules", response_model=list[ScheduleOut])
async def list_schedules() -> Response:
    return Response(schedules_json(), media_type="application/json")


def optimizers() -> list[OptimizerOut]:
    return [
        OptimizerOut(
            id=o.id,
            name=o.name,
            description=o.description,
            reference=o.reference,
            params=[param_out(p) for p in o.params],
        )
        for o in OPTIMIZERS.values()
    ]


def schedules() -> list[ScheduleOut]:
    return [
        ScheduleOut(
            id=s.id, name=s.name, description=s.description, params=[param_out(p) for p in s.params]
        )
        for s in SCHEDULES.values()
    ]
