"""The pieces of a network, each backward pass beside its forward pass.

Shapes: ``runs`` parameter vectors are evaluated at once, so a layer's input is (n, d) for
the data or (runs, n, d) inside the network, and every output is (runs, n, width).

Besides ``backward`` (the chain rule: given dL/d(output), return dL/d(input)), each piece has
the two halves of Pearlmutter's R-operator, R{f} = d/dt f(theta + t v) at t = 0, which give an
exact Hessian-vector product: ``r_forward`` carries the directional derivative of the forward
pass, ``r_backward`` that of the backward pass (Pearlmutter 1994, "Fast exact multiplication
by the Hessian").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gradscape.errors import UnknownIdError

Array = np.ndarray


# --- Dense layer: z = x W + b ------------------------------------------------------------


@dataclass(frozen=True)
class Dense:
    """z = x W + b, with W (n_in, n_out) and b (n_out,) stored in a flat parameter vector."""

    n_in: int
    n_out: int
    offset: int  # where W starts in the flat vector; b follows it

    @property
    def size(self) -> int:
        return self.n_in * self.n_out + self.n_out

    def weights(self, params: Array) -> tuple[Array, Array]:
        """Views of W (runs, n_in, n_out) and b (runs, 1, n_out) inside ``params`` (runs, P)."""
        mid = self.offset + self.n_in * self.n_out
        w = params[:, self.offset : mid].reshape(-1, self.n_in, self.n_out)
        b = params[:, mid : mid + self.n_out].reshape(-1, 1, self.n_out)
        return w, b

    def forward(self, params: Array, x: Array, out: Array | None = None) -> Array:
        """``out`` (runs, n, n_out) reuses memory: big fresh arrays cost page faults."""
        w, b = self.weights(params)
        z = np.matmul(x, w, out=out)
        z += b  # in place: one array per layer, not two
        return z

    def backward(self, params: Array, x: Array, dz: Array, grad: Array, need_dx: bool = True):
        """Write dL/dW = x^T dz and dL/db = sum(dz) into ``grad``; return dL/dx = dz W^T."""
        dw, db = self.weights(grad)
        np.matmul(np.swapaxes(x, -1, -2), dz, out=dw)
        np.matmul(np.ones((1, dz.shape[-2])), dz, out=db)  # sum over samples, faster
        if not need_dx:
            return None
        w, _ = self.weights(params)
        return dz @ np.swapaxes(w, -1, -2)

    def r_forward(self, params: Array, v: Array, x: Array, rx: Array | None) -> Array:
        """R{z} = R{x} W + x V_W + V_b (R{x} is None for the data, which does not move)."""
        w, _ = self.weights(params)
        vw, vb = self.weights(v)
        rz = x @ vw
        rz += vb
        if rx is not None:
            rz += rx @ w
        return rz

    def r_backward(self, params, v, x, rx, dz, rdz, hv: Array, need_dx: bool = True):
        """Write R{dL/dW} = R{x}^T dz + x^T R{dz} and R{dL/db} into ``hv``; return R{dL/dx}."""
        hw, hb = self.weights(hv)
        np.matmul(np.swapaxes(x, -1, -2), rdz, out=hw)
        if rx is not None:
            hw += np.swapaxes(rx, -1, -2) @ dz
        np.matmul(np.ones((1, rdz.shape[-2])), rdz, out=hb)
        if not need_dx:
            return None
        w, _ = self.weights(params)
        vw, _ = self.weights(v)
        rdx = rdz @ np.swapaxes(w, -1, -2)
        rdx += dz @ np.swapaxes(vw, -1, -2)
        return rdx


# --- Activations: a = sigma(z) ------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity with its first and second derivatives.

    For tanh, sigmoid and ReLU both derivatives are functions of the output a = sigma(z)
    alone, so the backward pass needs only the activations the forward pass kept.
    """

    id: str
    name: str
    fn: Callable[..., Array]  # fn(z, out=None), a numpy ufunc or behaving like one
    derivative: Callable[[Array], Array]  # sigma'(z) written in terms of a
    second_derivative: Callable[[Array], Array]  # sigma''(z) written in terms of a
    init: Literal["glorot", "he"]

    def forward(self, z: Array, out: Array | None = None) -> Array:
        """sigma(z); ``out=z`` overwrites z, which saves an allocation per layer."""
        return self.fn(z, out=out)

    def backward(self, a: Array, da: Array) -> Array:
        """dz = sigma'(z) da (in the derivative's fresh array: one allocation, not two)."""
        dz = self.derivative(a)
        dz *= da
        return dz

    def r_forward(self, a: Array, rz: Array) -> Array:
        """R{a} = sigma'(z) R{z} (in place in fresh arrays: big temporaries are slow)."""
        ra = self.derivative(a)
        ra *= rz
        return ra

    def r_backward(self, a: Array, rz: Array, da: Array, rda: Array) -> Array:
        """R{dz} for dz = sigma'(z) da: sigma''(z) R{z} da + sigma'(z) R{da}."""
        rdz = self.second_derivative(a)
        rdz *= rz
        rdz *= da
        first = self.derivative(a)
        first *= rda
        rdz += first
        return rdz


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    """(1 + tanh(z / 2)) / 2: never overflows, unlike 1 / (1 + exp(-z))."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _tanh_derivative(a: Array) -> Array:
    """1 - a^2 in one fresh array."""
    d = np.multiply(a, a)
    np.subtract(1.0, d, out=d)
    return d


def _tanh_second_derivative(a: Array) -> Array:
    """-2 a (1 - a^2) in one fresh array."""
    d = _tanh_derivative(a)
    d *= a
    d *= -2.0
    return d


def _relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


ACTIVATIONS: dict[str, Activation] = {
    act.id: act
    for act in (
        Activation(
            "tanh",
            "tanh",
            np.tanh,
            _tanh_derivative,
            _tanh_second_derivative,
            "glorot",
        ),
        Activation(
            "relu",
            "ReLU",
            _relu,
            lambda a: (a > 0).astype(a.dtype),
            lambda a: np.zeros_like(a),  # zero everywhere but at 0, where it is undefined
            "he",
        ),
        Activation(
            "sigmoid",
            "sigmoid",
            _sigmoid,
            lambda a: a * (1.0 - a),
            lambda a: a * (1.0 - a) * (1.0 - 2.0 * a),
            "glorot",
        ),
    )
}


def get_activation(activation_id: str) -> Activation:
    try:
        return ACTIVATIONS[activation_id]
    except (KeyError, TypeError):  # TypeError: an unhashable id
        raise UnknownIdError("activation", activation_id, list(ACTIVATIONS)) from None


# --- Losses on the network's raw outputs (logits) -----------------------------------------


@dataclass(frozen=True)
class Loss:
    """A mean loss over n samples of the outputs ``out`` (runs, n, k) against targets ``y``.

    ``value_and_grad`` gives L (runs,) and dL/d(out); ``hvp`` gives (d^2 L / d out^2) r.
    """

    id: str
    name: str
    value: Callable[[Array, Array], Array]
    value_and_grad: Callable[[Array, Array], tuple[Array, Array]]
    hvp: Callable[[Array, Array, Array], Array]


def bce_value(out: Array, y: Array) -> Array:
    """Binary cross-entropy on logits z: mean(softplus(z) - y z) (BCEWithLogitsLoss)."""
    z = out[..., 0]
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)


def bce_value_and_grad(out: Array, y: Array) -> tuple[Array, Array]:
    """dL/dz = (sigmoid(z) - y) / n, with sigmoid(z) = exp(z - softplus(z)) (no overflow)."""
    z = out[..., 0]
    softplus = np.logaddexp(0.0, z)
    loss = np.mean(softplus - y * z, axis=-1)
    return loss, ((np.exp(z - softplus) - y) / z.shape[-1])[..., None]


def bce_hvp(out: Array, y: Array, r: Array) -> Array:
    p = _sigmoid(out)
    return p * (1.0 - p) * r / out.shape[-2]


def _log_softmax(z: Array) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy_value(out: Array, y: Array) -> Array:
    """Softmax cross-entropy: mean(-log softmax(z)[y]) (CrossEntropyLoss)."""
    logp = _log_softmax(out)
    labels = np.broadcast_to(y, logp.shape[:-1])[..., None]  # y: (n,) or (runs, n)
    return -np.mean(np.take_along_axis(logp, labels, axis=-1)[..., 0], axis=-1)


def cross_entropy_value_and_grad(out: Array, y: Array) -> tuple[Array, Array]:
    """dL/dz = (softmax(z) - onehot(y)) / n."""
    logp = _log_softmax(out)
    onehot = np.arange(out.shape[-1]) == y[..., None]
    loss = -np.mean(np.sum(np.where(onehot, logp, 0.0), axis=-1), axis=-1)
    return loss, (np.exp(logp) - onehot) / out.shape[-2]


def cross_entropy_hvp(out: Array, y: Array, r: Array) -> Array:
    """(diag(s) - s s^T) r / n with s = softmax(z)."""
    s = np.exp(_log_softmax(out))
    return s * (r - np.sum(s * r, axis=-1, keepdims=True)) / out.shape[-2]


def mse_value(out: Array, y: Array) -> Array:
    """Mean squared error over every output entry (MSELoss)."""
    return np.mean((out - y) ** 2, axis=(-2, -1))


def mse_value_and_grad(out: Array, y: Array) -> tuple[Array, Array]:
    """dL/dz = 2 (z - y) / (n k)."""
    diff = out - y
    return np.mean(diff * diff, axis=(-2, -1)), diff * (2.0 / diff[0].size)


def mse_hvp(out: Array, y: Array, r: Array) -> Array:
    return r * (2.0 / out[0].size)


LOSSES: dict[str, Loss] = {
    loss.id: loss
    for loss in (
        Loss("bce", "binary cross-entropy", bce_value, bce_value_and_grad, bce_hvp),
        Loss(
            "cross_entropy",
            "softmax cross-entropy",
            cross_entropy_value,
            cross_entropy_value_and_grad,
            cross_entropy_hvp,
        ),
        Loss("mse", "mean squared error", mse_value, mse_value_and_grad, mse_hvp),
    )
}
