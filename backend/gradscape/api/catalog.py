"""GET /api/optimizers and /api/schedules: the registries' metadata, which drives the UI."""

from fastapi import APIRouter

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


@router.get("/optimizers", response_model=list[OptimizerOut])
def list_optimizers() -> list[OptimizerOut]:
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


@router.get("/schedules", response_model=list[ScheduleOut])
def list_schedules() -> list[ScheduleOut]:
    return [
        ScheduleOut(
            id=s.id, name=s.name, description=s.description, params=[param_out(p) for p in s.params]
        )
        for s in SCHEDULES.values()
    ]
