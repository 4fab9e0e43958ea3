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

    def _seeds(self, active: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The unique seeds the active runs use, and each active run's place among them."""
        if active is None:
            return np.arange(len(self.unique)), self.inverse
        used, local = np.unique(self.inverse[active], return_inverse=True)
        return used, local

    def noise(self, n: int, active: np.ndarray | None = None) -> np.ndarray | None:
        """(active runs, n, 2) scaled Gaussian noise for the next n steps, or None.

        Only the seeds of runs still going are drawn: a finished run costs nothing.
        """
        if not self.has_noise or n <= 0:
            return None
        used, local = self._seeds(active)
        draws = np.stack([self._noise_rngs[u].standard_normal((n, 2)) for u in used])
        scale = self.noise_scale if active is None else self.noise_scale[active]
        return draws[local] * scale

    def batches(self, n: int, active: np.ndarray | None = None) -> np.ndarray | None:
        """(active runs, n, batch) sample indices for the next n steps, epoch after epoch."""
        if self.batch_size is None or n <= 0:
            return None
        need = n * self.batch_size
        used, local = self._seeds(active)
        out = []
        for u in used:
            rng = self._batch_rngs[u]
            parts = [self._perm_left[u]]
            have = len(parts[0])
            while have < need:
                parts.append(rng.permutation(self.n_samples))
                have += self.n_samples
            flat = np.concatenate(parts)
            self._perm_left[u] = flat[need:].copy()  # not a view that pins `flat`
            out.append(flat[:need].reshape(n, self.batch_size))
        return np.stack(out)[local]
