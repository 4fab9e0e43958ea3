"""Loss surfaces of tiny models on fixed synthetic data sets: the place mini-batches matter.

Each surface is the mean of a per-sample loss over its data set, with the two parameters
(w, b) or (w1, w2) as x and y. The full-data value, gradient and Hessian put the samples on
a trailing axis and average it; a mini-batch gradient averages only the sampled ones, so
batch gradient descent, SGD and mini-batch SGD each see a different gradient.
"""

import numpy as np

from gradscape.surfaces.base import DataSurface, Point, SurfaceInfo
from gradscape.surfaces.stationary import refine_stationary

_CHUNK_ELEMENTS = 1 << 20  # parameter points x samples per chunk: bounds memory on big grids


class SampleMeanSurface(DataSurface):
    """A DataSurface given by per-sample loss, gradient and Hessian formulas.

    Subclasses set ``inputs`` and ``targets`` (one entry per sample) and define the
    ``sample_*`` methods, which take parameters and data that broadcast against each other
    and return one entry per (parameter point, sample) pair.
    """

    inputs: np.ndarray
    targets: np.ndarray

    @property
    def n_samples(self) -> int:
        return len(self.inputs)

    def sample_loss(self, x, y, inputs, targets):
        raise NotImplementedError

    def sample_grad(self, x, y, inputs, targets):
        raise NotImplementedError

    def sample_hessian(self, x, y, inputs, targets):
        raise NotImplementedError

    def value(self, x, y):
        return self._mean(lambda *a: (self.sample_loss(*a),), x, y, 1)[0]

    def grad(self, x, y):
        return self._mean(self.sample_grad, x, y, 2)

    def hessian(self, x, y):
        return self._mean(self.sample_hessian, x, y, 3)

    def value_grad(self, x, y):
        """Loss and gradient in one pass over the data."""
        return self._mean(lambda *a: (self.sample_loss(*a), *self.sample_grad(*a)), x, y, 3)

    def batch_grad(self, x: np.ndarray, y: np.ndarray, idx: np.ndarray):
        x = np.asarray(x, dtype=float)[:, None]
        y = np.asarray(y, dtype=float)[:, None]
        gx, gy = self.sample_grad(x, y, self.inputs[idx], self.targets[idx])
        return gx.mean(axis=-1), gy.mean(axis=-1)

    def _mean(self, per_sample, x, y, n_out: int) -> tuple:
        """Average per_sample's outputs over the data, for parameters of any shape.

        Parameter points are processed in chunks so that points x samples stays bounded;
        Python floats in give Python floats out.
        """
        scalar = isinstance(x, float) and isinstance(y, float)
        px, py = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        shape = px.shape
        px, py = px.ravel(), py.ravel()
        outs = [np.empty(px.size) for _ in range(n_out)]
        chunk = max(1, _CHUNK_ELEMENTS // self.n_samples)
        with np.errstate(over="ignore", invalid="ignore"):
            for lo in range(0, px.size, chunk):
                hi = min(lo + chunk, px.size)
                parts = per_sample(px[lo:hi, None], py[lo:hi, None], self.inputs, self.targets)
                for out, part in zip(outs, parts, strict=True):
                    out[lo:hi] = np.broadcast_to(part, (hi - lo, self.n_samples)).mean(axis=-1)
        if scalar:
            return tuple(float(o[0]) for o in outs)
        return tuple(o.reshape(shape) for o in outs)


class LinearRegression(SampleMeanSurface):
    """Mean squared error of the line w*x + b on noisy samples of a line."""

    SEED = 20240501
    N = 100
    TRUE = (1.5, -0.5)
    NOISE = 0.6

    def __init__(self) -> None:
        rng = np.random.default_rng(self.SEED)
        self.inputs = rng.uniform(-1.0, 3.0, self.N)
        w, b = self.TRUE
        self.targets = w * self.inputs + b + self.NOISE * rng.standard_normal(self.N)
        design = np.column_stack([self.inputs, np.ones(self.N)])
        fit = np.linalg.lstsq(design, self.targets, rcond=None)[0]
        # Sufficient statistics: the mean squared error is a quadratic in (w, b) through them.
        xs, ts = self.inputs, self.targets
        self._stats = tuple(float(np.mean(v)) for v in (xs * xs, xs, xs * ts, ts, ts * ts))
        self.info = SurfaceInfo(
            id="linear_regression",
            name="Linear regression (MSE)",
            formula="L(w, b) = mean over 100 samples of (w·xᵢ + b − yᵢ)²",
            description="Fitting a line by mean squared error gives a convex quadratic bowl; "
            "the inputs are not centred, so w and b are coupled and the bowl is tilted and "
            "elongated. Each mini-batch has its own bowl, so SGD keeps jittering around the "
            "least-squares fit unless its learning rate decays.",
            domain=((-1.5, 4.5), (-3.5, 2.5)),
            default_start=(-1.0, 2.0),
            minima=((float(fit[0]), float(fit[1])),),
            convex=True,
        )

    def sample_loss(self, x, y, inputs, targets):
        r = x * inputs + y - targets
        return r * r

    def sample_grad(self, x, y, inputs, targets):
        r = 2.0 * (x * inputs + y - targets)
        return r * inputs, r

    def sample_hessian(self, x, y, inputs, targets):
        zero = 0.0 * (x + y)
        return 2.0 * inputs * inputs + zero, 2.0 * inputs + zero, 2.0 + zero + 0.0 * inputs

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """The quadratic through the sufficient statistics: no pass over the samples."""
        sxx, sx, sxt, st, stt = self._stats
        w, b = np.asarray(xs, dtype=float)[None, :], np.asarray(ys, dtype=float)[:, None]
        return w * w * sxx + 2.0 * w * b * sx + b * b - 2.0 * w * sxt - 2.0 * b * st + stt


def _softplus(z):
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|): never overflows, as np.logaddexp(0, z)
    (to within an ulp), and about twice as fast, which matters on 1000 x 1000 grids."""
    u = np.negative(np.abs(z))
    np.exp(u, out=u)
    np.log1p(u, out=u)
    u += np.maximum(z, 0.0)
    return u


class LogisticRegression(SampleMeanSurface):
    """Binary cross-entropy of the classifier sigmoid(w*x + b) on overlapping classes."""

    SEED = 20240502
    N = 100
    TRUE = (1.5, 0.5)

    def __init__(self) -> None:
        rng = np.random.default_rng(self.SEED)
        self.inputs = 1.5 * rng.standard_normal(self.N)
        w, b = self.TRUE
        chance = 1.0 / (1.0 + np.exp(-(w * self.inputs + b)))
        self.targets = (rng.random(self.N) < chance).astype(float)
        fit = refine_stationary(self, [(0.0, 0.0)])[0]
        self.info = SurfaceInfo(
            id="logistic_regression",
            name="Logistic regression (cross-entropy)",
            formula="L(w, b) = mean over 100 samples of log(1 + e^(w·xᵢ + b)) − yᵢ(w·xᵢ + b)",
            description="Binary cross-entropy of a one-feature logistic classifier: convex, "
            "bowl-shaped near its minimum and nearly linear far away, where the sigmoid "
            "saturates. The two classes overlap, so the minimum is finite; on separable data "
            "the loss would keep falling as w grows without bound.",
            domain=((-2.0, 5.0), (-3.5, 3.5)),
            default_start=(-1.5, 2.5),
            minima=(fit,),
            convex=True,
        )

    def sample_loss(self, x, y, inputs, targets):
        z = x * inputs + y
        return _softplus(z) - targets * z

    def sample_grad(self, x, y, inputs, targets):
        z = x * inputs + y
        err = np.exp(-_softplus(-z)) - targets  # sigmoid(z) - target
        return err * inputs, err

    def sample_hessian(self, x, y, inputs, targets):
        z = x * inputs + y
        s = np.exp(-_softplus(-z) - _softplus(z))  # sigmoid(z) * (1 - sigmoid(z))
        return s * inputs * inputs, s * inputs, s

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Only the softplus term needs every sample; the target term is linear in (w, b)."""
        w = np.asarray(xs, dtype=float)
        b = np.asarray(ys, dtype=float)
        wx = w[:, None] * self.inputs  # (len(xs), samples)
        rows = max(1, _CHUNK_ELEMENTS // wx.size)
        soft = np.empty((len(b), len(w)))
        for lo in range(0, len(b), rows):
            soft[lo : lo + rows] = _softplus(wx + b[lo : lo + rows, None, None]).mean(axis=-1)
        tx, t = np.mean(self.targets * self.inputs), np.mean(self.targets)
        return soft - (w[None, :] * tx + b[:, None] * t)


class DeepLinear(SampleMeanSurface):
    """Mean squared error of the two-layer linear network w2 * w1 * x fitting y = x."""

    SEED = 20240503
    N = 100
    CURVE_MINIMA: tuple[Point, ...] = ((1.0, 1.0), (-1.0, -1.0))

    def __init__(self) -> None:
        rng = np.random.default_rng(self.SEED)
        self.inputs = rng.standard_normal(self.N)
        self.targets = self.inputs.copy()
        self._second_moment = float(np.mean(self.inputs * self.inputs))
        self.info = SurfaceInfo(
            id="deep_linear",
            name="Two-layer linear network",
            formula="L(w₁, w₂) = mean over 100 samples of (w₂·w₁·xᵢ − xᵢ)²",
            description="The smallest deep network: only the product w₁w₂ matters, so the "
            "minima form the hyperbola w₁w₂ = 1 (two points are marked) and the origin is a "
            "saddle. Runs started near the origin linger on the saddle before escaping, and "
            "since every sample is fitted exactly on the hyperbola, even SGD settles there.",
            domain=((-2.0, 2.0), (-2.0, 2.0)),
            default_start=(0.2, -0.15),
            minima=self.CURVE_MINIMA,
            saddles=((0.0, 0.0),),
            minimum_set="w₁·w₂ = 1",
        )

    def sample_loss(self, x, y, inputs, targets):
        r = y * x * inputs - targets
        return r * r

    def sample_grad(self, x, y, inputs, targets):
        r = 2.0 * inputs * (y * x * inputs - targets)
        return r * y, r * x

    def sample_hessian(self, x, y, inputs, targets):
        xx = 2.0 * inputs * inputs
        r = y * x * inputs - targets
        return xx * y * y, xx * x * y + 2.0 * inputs * r, xx * x * x

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """y = x exactly, so the loss is mean(x²) (w1 w2 - 1)²: no pass over the samples."""
        d = np.asarray(xs, dtype=float)[None, :] * np.asarray(ys, dtype=float)[:, None] - 1.0
        return self._second_moment * d * d
