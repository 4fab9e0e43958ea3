"""A multilayer perceptron over one flat parameter vector, with backprop written by hand.

    z_1 = x W_1 + b_1,   a_l = sigma(z_l),   z_{l+1} = a_l W_{l+1} + b_{l+1},   L = loss(z_L, y)

Parameters are a flat array (runs, P), so every optimizer and schedule of the core applies
unchanged, and ``runs`` networks (a landscape grid, a batch of runs) are evaluated at once.
The last layer is linear: its outputs are logits, which the losses take directly.
"""

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from gradscape.networks.layers import Activation, Dense, Loss

Array = np.ndarray


@dataclass(frozen=True)
class MLP:
    """Layer sizes (inputs, hidden..., outputs), one hidden activation and a loss."""

    sizes: tuple[int, ...]
    activation: Activation
    loss: Loss
    layers: tuple[Dense, ...] = field(init=False)
    n_params: int = field(init=False)

    def __post_init__(self) -> None:
        layers, offset = [], 0
        for n_in, n_out in pairwise(self.sizes):
            layers.append(Dense(n_in, n_out, offset))
            offset += layers[-1].size
        object.__setattr__(self, "layers", tuple(layers))
        object.__setattr__(self, "n_params", offset)

    @staticmethod
    def count_params(sizes: tuple[int, ...]) -> int:
        return sum(a * b + b for a, b in pairwise(sizes))

    def init(self, rng: np.random.Generator) -> Array:
        """Glorot-uniform weights (He-normal for ReLU layers), zero biases; shape (P,)."""
        params = np.zeros(self.n_params)
        for i, layer in enumerate(self.layers):
            w, _ = layer.weights(params[None])
            hidden_relu = self.activation.init == "he" and i < len(self.layers) - 1
            if hidden_relu:  # He et al. 2015
                w[...] = rng.standard_normal(w.shape) * np.sqrt(2.0 / layer.n_in)
            else:  # Glorot & Bengio 2010
                limit = np.sqrt(6.0 / (layer.n_in + layer.n_out))
                w[...] = rng.uniform(-limit, limit, w.shape)
        return params

    def forward(
        self, params: Array, x: Array, buffers: list[Array] | None = None
    ) -> tuple[Array, list[Array]]:
        """Outputs (runs, n, k) and every layer's input (x, then the activations).

        ``buffers``, one (>= runs, n, width) array per layer, are reused for the results:
        the landscape grid evaluates thousands of networks and would otherwise spend as
        long on fresh memory as on arithmetic.
        """
        runs = len(params)
        outs = [None] * len(self.layers) if buffers is None else [b[:runs] for b in buffers]
        inputs = []
        a = x
        for layer, out in zip(self.layers[:-1], outs, strict=False):
            inputs.append(a)
            z = layer.forward(params, a, out=out)
            a = self.activation.forward(z, out=z)
        inputs.append(a)
        return self.layers[-1].forward(params, a, out=outs[-1]), inputs

    def output(self, params: Array, x: Array, buffers: list[Array] | None = None) -> Array:
        return self.forward(params, x, buffers)[0]

    def value(self, params: Array, x: Array, y: Array, buffers: list[Array] | None = None) -> Array:
        """The loss (runs,) of each parameter vector on (x, y)."""
        return self.loss.value(self.output(params, x, buffers), y)

    def value_and_grad(self, params: Array, x: Array, y: Array) -> tuple[Array, Array, Array]:
        """Loss (runs,), its gradient (runs, P) and the outputs (runs, n, k): backprop."""
        out, inputs = self.forward(params, x)
        loss, dz = self.loss.value_and_grad(out, y)
        grad = np.empty((len(params), self.n_params))
        for i in range(len(self.layers) - 1, 0, -1):
            da = self.layers[i].backward(params, inputs[i], dz, grad)
            dz = self.activation.backward(inputs[i], da)  # inputs[i] = sigma(z_{i-1})
        self.layers[0].backward(params, inputs[0], dz, grad, need_dx=False)
        return loss, grad, out

    def hvp(self, params: Array, x: Array, y: Array, v: Array) -> Array:
        """Exact Hessian-vector products H v (runs, P): forward-over-backward R-operator."""
        out, inputs = self.forward(params, x)
        act, layers = self.activation, self.layers
        r_inputs: list[Array | None] = [None]  # R{x} = 0: the data does not move
        r_pre = []
        for i, layer in enumerate(layers):
            r_pre.append(layer.r_forward(params, v, inputs[i], r_inputs[i]))
            if i + 1 < len(layers):
                r_inputs.append(act.r_forward(inputs[i + 1], r_pre[i]))
        _, dz = self.loss.value_and_grad(out, y)
        rdz = self.loss.hvp(out, y, r_pre[-1])
        hv = np.empty((len(params), self.n_params))
        for i in range(len(layers) - 1, 0, -1):
            w, _ = layers[i].weights(params)
            da = dz @ np.swapaxes(w, -1, -2)
            rda = layers[i].r_backward(params, v, inputs[i], r_inputs[i], dz, rdz, hv)
            a = inputs[i]
            dz, rdz = act.backward(a, da), act.r_backward(a, r_pre[i - 1], da, rda)
        layers[0].r_backward(params, v, inputs[0], None, dz, rdz, hv, need_dx=False)
        return hv
