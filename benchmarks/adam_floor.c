/* The floor for a sweep: Adam on Himmelblau over arrays of runs, step by step, in the order a
   compiler vectorises (SIMD across runs); no loss, no gradient norm, no checks for divergence
   or convergence. benchmarks/bench_sweeps.py builds it with `cc -O3 -march=native`. */
#include <math.h>

void adam_himmelblau(int runs, int steps, double *x, double *y, double lr, double beta1,
                     double beta2, double eps, double *mx, double *my, double *vx, double *vy) {
    for (int t = 1; t <= steps; t++) {
        double bc2 = sqrt(1 - pow(beta2, t)), step = lr / (1 - pow(beta1, t));
        for (int r = 0; r < runs; r++) {
            double a = x[r] * x[r] + y[r] - 11.0, b = x[r] + y[r] * y[r] - 7.0;
            double gx = 4.0 * x[r] * a + 2.0 * b, gy = 2.0 * a + 4.0 * y[r] * b;
            mx[r] += (1 - beta1) * (gx - mx[r]);
            my[r] += (1 - beta1) * (gy - my[r]);
            vx[r] = vx[r] * beta2 + (1 - beta2) * gx * gx;
            vy[r] = vy[r] * beta2 + (1 - beta2) * gy * gy;
            x[r] -= step * mx[r] / (sqrt(vx[r]) / bc2 + eps);
            y[r] -= step * my[r] / (sqrt(vy[r]) / bc2 + eps);
        }
    }
}
