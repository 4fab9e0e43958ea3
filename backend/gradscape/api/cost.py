"""The cost model: what a heavy request will cost, estimated before any work starts.

A request is refused with 422 when its estimated CPU time exceeds ``max_work_seconds`` or its
answer would exceed ``max_answer_bytes``, and the message says what to reduce. New heavy
endpoints (sweeps, batches of networks, custom surfaces) build a ``Cost`` from these
functions, add costs up with ``+``, and call ``check``:

    cost = run_cost(specs, max_points) + network_cost(net_spec)
    check(cost, settings, "runs", "fewer runs or fewer steps")

The constants were measured on the project's 2-core machine (see ``benchmarks/``): they are
rough, a little pessimistic, and the request's deadline (``gradscape.deadline``) stops any
estimate that was wrong.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from gradscape.config import Settings
from gradscape.engine import RunSpec
from gradscape.errors import InvalidValueError
from gradscape.networks import NetworkSpec
from gradscape.networks.training import INTERPOLATION_ALPHAS, MAX_PATH_POINTS
from gradscape.surfaces import DataSurface, FormulaSurface

# Core runs (seconds). A surface evaluation of r points costs EVAL_FIXED + r * point cost.
EVAL_FIXED = 20e-6
EVAL_POINT = 0.05e-6
EVAL_SAMPLE = 0.02e-6  # data surfaces: per point and sample
STEP_FIXED = 20e-6  # numpy calls of one vectorised step, beside the evaluation
SCALAR_STEP = 4e-6  # one step of a single elementwise run on Python floats
BATCH_SAMPLE = 0.04e-6  # a mini-batch gradient, per point and sample in the batch
NEWTON_POINT = 3e-6  # solving each run's 2x2 system
LBFGS_EVALS = 50  # line-search evaluations (value and gradient) per L-BFGS step, bad case
LBFGS_PAIR = 4e-6  # the two-loop recursion, per remembered pair
# Typed formulas (seconds), per instruction of the formula's tape (benchmarks/bench_formula.py):
# numpy calls of one vectorised evaluation, each point, and one step of a lone run on floats.
FORMULA_INSTR = 2e-6
FORMULA_INSTR_POINT = 30e-9
FORMULA_INSTR_SCALAR = 0.8e-6
# Networks (seconds): one step evaluates the whole data set and back-propagates once.
NET_STEP_FIXED = 100e-6
NET_SAMPLE_PARAM = 0.3e-9  # per step, per sample and parameter
NET_SHARPNESS = 8  # one sharpness measurement costs about this many steps on the train set
NET_FORWARD_SAMPLE_PARAM = 0.05e-9  # one forward pass, per sample and parameter
BOUNDARY_POINTS = 3600
# Answers: one recorded point of a run as JSON (x, y, loss, grad_norm, lr), and a float.
RUN_POINT_BYTES = 110
FLOAT_BYTES = 22


@dataclass(frozen=True)
class Cost:
    """Estimated CPU seconds, size of the JSON answer, and the longest piece of work that
    cannot be interrupted (one step of the slowest group): deadlines are checked between."""

    seconds: float = 0.0
    answer_bytes: int = 0
    step_seconds: float = 0.0

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(
            self.seconds + other.seconds,
            self.answer_bytes + other.answer_bytes,
            max(self.step_seconds, other.step_seconds),
        )


def _eval_seconds(spec: RunSpec, runs: int, scalar: bool = False) -> float:
    samples = spec.surface.n_samples if isinstance(spec.surface, DataSurface) else 0
    seconds = EVAL_FIXED + runs * (EVAL_POINT + samples * EVAL_SAMPLE)
    if isinstance(spec.surface, FormulaSurface):
        per = FORMULA_INSTR_SCALAR if scalar else FORMULA_INSTR + runs * FORMULA_INSTR_POINT
        seconds += len(spec.surface.tape) * per
    return seconds


def _group_cost(specs: Sequence[RunSpec]) -> tuple[float, float]:
    """(seconds, seconds of one step): runs sharing a group advance together, with fixed
    costs per step and point costs per run."""
    first = specs[0]
    runs = len(specs)
    longest = max(s.steps for s in specs)
    points = sum(s.steps for s in specs)
    per_run = _eval_seconds(first, runs) - EVAL_FIXED
    if first.batch_size:
        per_run += runs * first.batch_size * BATCH_SAMPLE
    per_run /= runs
    if first.optimizer.elementwise:
        if runs == 1:
            step = SCALAR_STEP + _eval_seconds(first, 1, scalar=True)
            return longest * step, step
        fixed = STEP_FIXED + EVAL_FIXED
        return longest * fixed + points * per_run, fixed + runs * per_run
    if first.optimizer.id == "lbfgs":  # a Python loop over runs, each with a line search
        history = int(first.hyper.get("history_size", 100))
        point = 2 * LBFGS_EVALS * _eval_seconds(first, 1) + history * LBFGS_PAIR
        return points * point + longest * STEP_FIXED, runs * point + STEP_FIXED
    # Newton: one vectorised gradient and Hessian per step, a 2x2 solve per run.
    fixed = 2 * (STEP_FIXED + EVAL_FIXED)
    point = 2 * per_run + NEWTON_POINT
    return longest * fixed + points * point, fixed + runs * point


def run_cost(specs: Sequence[RunSpec], max_points: int | None = None) -> Cost:
    """Runs computed together (as the engine groups them) and the answer that lists them."""
    groups: dict[tuple, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    costs = [_group_cost(g) for g in groups.values()]
    kept = sum(min(s.steps + 1, max_points or s.steps + 1) for s in specs)
    return Cost(
        sum(c[0] for c in costs),
        kept * RUN_POINT_BYTES + 200 * len(specs),
        max(c[1] for c in costs),
    )


def network_cost(spec: NetworkSpec) -> Cost:
    """Training, sharpness, landscape and the final views of one network run."""
    params = spec.mlp.count_params(spec.mlp.sizes)
    n_all, n_train = len(spec.data.x), spec.data.n_train
    step = NET_STEP_FIXED + NET_SAMPLE_PARAM * n_all * params
    seconds = spec.steps * step
    answer = (spec.steps + 1) * 5 * FLOAT_BYTES
    if spec.sharpness_every:
        measurements = spec.steps // spec.sharpness_every + 2
        sharpness = NET_SHARPNESS * NET_SAMPLE_PARAM * n_train * params
        seconds += measurements * sharpness
        step += sharpness
        answer += measurements * 2 * FLOAT_BYTES
    forwards = len(INTERPOLATION_ALPHAS) * n_train + BOUNDARY_POINTS
    if spec.landscape is not None:
        res = spec.landscape.resolution
        forwards += (res * res + MAX_PATH_POINTS) * n_train
        answer += (res * res + 2 * res + 3 * MAX_PATH_POINTS) * FLOAT_BYTES
    seconds += forwards * NET_FORWARD_SAMPLE_PARAM * params
    answer += (len(INTERPOLATION_ALPHAS) * 2 + BOUNDARY_POINTS) * FLOAT_BYTES
    return Cost(seconds, answer, step)


def check(cost: Cost, settings: Settings, field: str, reduce: str) -> None:
    """Refuse a request over the budget, naming the limit and what to reduce."""
    if cost.seconds > settings.max_work_seconds:
        raise InvalidValueError(
            field,
            f"too much work: about {cost.seconds:.3g} CPU seconds estimated, the limit is "
            f"{settings.max_work_seconds:g} per request; ask for less ({reduce})",
        )
    if cost.step_seconds > settings.max_step_seconds:
        raise InvalidValueError(
            field,
            f"one step would take about {cost.step_seconds:.3g} s, the limit is "
            f"{settings.max_step_seconds:g} s so that the work can stop promptly; ask for "
            f"less ({reduce})",
        )
    if cost.answer_bytes > settings.max_answer_bytes:
        raise InvalidValueError(
            field,
            f"the answer would be about {cost.answer_bytes / 1e6:.3g} MB of JSON, the limit "
            f"is {settings.max_answer_bytes / 1e6:g} MB; ask for less ({reduce})",
        )
