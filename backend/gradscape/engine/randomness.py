"""Per-run gradient noise and mini-batch indices, drawn from each run's seed.

Streams are drawn in blocks but never depend on the block size, so a streamed run equals
the same run computed at once, and a run in a batch equals the same run alone.
"""

from collections.abc import Sequence

import numpy as np

from gradscape.engine.spec import RunSpec
from gradscape.surfaces import DataSurface


class Randomness:
    def __init__(self, specs: Sequence[RunSpec]) -> None:
        noise = np.array([s.noise for s in specs])
        self.has_noise = bool(np.any(noise))
        self.batch_size = specs[0].batch_size
        if not (self.has_noise or self.batch_size):
            return
        self.noise_scale = noise[:, None, None]
        seeds = np.array([s.seed for s in specs])
        self.unique, self.inverse = np.unique(seeds, return_inverse=True)
        surface = specs[0].surface
        self.n_samples = surface.n_samples if isinstance(surface, DataSurface) else 0
        self._noise_rngs = [np.random.default_rng([int(s), 0]) for s in self.unique]
        self._batch_rngs = [np.random.default_rng([int(s), 1]) for s in self.unique]
        self._perm_left = [np.empty(0, dtype=np.intp) for _ in self.unique]

    def noise(self, n: int) -> np.ndarray | None:
        """(runs, n, 2) scaled Gaussian noise for the next n steps, or None."""
        if not self.has_noise or n <= 0:
            return None
        draws = np.stack([rng.standard_normal((n, 2)) for rng in self._noise_rngs])
        return draws[self.inverse] * self.noise_scale

    def batches(self, n: int) -> np.ndarray | None:
        """(runs, n, batch) sample indices for the next n steps, epoch after shuffled epoch."""
        if self.batch_size is None or n <= 0:
            return None
        need = n * self.batch_size
        out = []
        for u, rng in enumerate(self._batch_rngs):
            parts = [self._perm_left[u]]
            have = len(parts[0])
            while have < need:
                parts.append(rng.permutation(self.n_samples))
                have += self.n_samples
            flat = np.concatenate(parts)
            self._perm_left[u] = flat[need:]
            out.append(flat[:need].reshape(n, self.batch_size))
        return np.stack(out)[self.inverse]
