/**
 * The classical fourth-order Runge–Kutta method with a fixed step, for systems y' = F(t, y).
 * Fixed steps keep the result a deterministic function of the step count, and the global
 * error falls as h⁴, which the tests measure.
 *
 * @module
 */

/** Right-hand side of y' = F(t, y); writes F into `out` (no allocation per call). */
export type Derivative = (t: number, y: Float64Array, out: Float64Array) => void;

/** A trajectory: times and the state at each time. */
export interface Trajectory {
  /** The times t_0, ..., t_steps. */
  t: Float64Array;
  /** The states, `y[i]` at `t[i]`. */
  y: Float64Array[];
}

/**
 * Integrates y' = F(t, y) from t0 to t1 in `steps` equal RK4 steps.
 *
 * @throws {RangeError} when `steps` is not a positive integer.
 */
export function rk4(
  f: Derivative,
  t0: number,
  y0: ArrayLike<number>,
  t1: number,
  steps: number,
): Trajectory {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`Cannot integrate with "${steps}" steps: need a positive integer`);
  }
  const n = y0.length, h = (t1 - t0) / steps;
  const k1 = new Float64Array(n), k2 = new Float64Array(n);
  const k3 = new Float64Array(n), k4 = new Float64Array(n), tmp = new Float64Array(n);
  const ts = new Float64Array(steps + 1);
  const ys: Float64Array[] = [Float64Array.from(y0)];
  ts[0] = t0;
  let y = ys[0];
  for (let s = 0; s < steps; s++) {
    // Times from the start rather than accumulated, so that rounding does not drift.
    const t = t0 + s * h;
    f(t, y, k1);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k1[i];
    f(t + 0.5 * h, tmp, k2);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k2[i];
    f(t + 0.5 * h, tmp, k3);
    for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
    f(t + h, tmp, k4);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = y[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    ts[s + 1] = t0 + (s + 1) * h;
    ys.push(next);
    y = next;
  }
  return { t: ts, y: ys };
}
