/**
 * Adam for the GAN: the update of `stages/ml/adam.ts` (TensorFlow's `ApplyAdam`), plus the
 * two things iGAN's DCGAN training adds and that class cannot take:
 *
 * - a learning rate that changes during training (iGAN keeps it constant for the first half
 *   and decays it linearly to zero over the second), passed to every step as a device scalar
 *   so that nothing is uploaded per step;
 * - an l2 penalty folded into the gradient, g ← g + λθ (iGAN's `Regularizer(l2 = 1e-5)`),
 *   applied to every trained tensor.
 *
 * Per tensor, with β powers kept as float32 variables:
 *
 *   β1ᵗ ← β1ᵗ⁻¹·β1,  β2ᵗ ← β2ᵗ⁻¹·β2,  lr_t = lr · s · √(1 − β2ᵗ) / (1 − β1ᵗ)
 *   g ← g + λθ,  m ← m + (g − m)(1 − β1),  v ← v + (g² − v)(1 − β2)
 *   θ ← θ − lr_t · m / (√v + ε)
 *
 * where s is the schedule's factor of the step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Adam's hyper-parameters with the l2 penalty. */
export interface GanAdamSettings {
  /** Base learning rate (DCGAN: 2e-4). */
  learningRate: number;
  /** First-moment decay (DCGAN: 0.5). */
  beta1: number;
  /** Second-moment decay (0.999). */
  beta2: number;
  /** Added to √v (1e-8, as Theano-era DCGAN code). */
  epsilon: number;
  /** λ of the gradient's l2 term g + λθ (iGAN: 1e-5); 0 turns it off. */
  weightDecay: number;
}

/** DCGAN's optimiser with iGAN's weight decay. */
export const DCGAN_ADAM: GanAdamSettings = {
  learningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 1e-5,
};

/** A variable Adam updates, with the name its state is saved under. */
export interface GanAdamTarget {
  /** Stable name (state entries are `m/<name>` and `v/<name>`). */
  name: string;
  /** The variable. */
  variable: tf.Variable;
}

function own(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

/** Adam with device-resident state and a per-step learning-rate factor. */
export class GanAdam {
  /** The settings. */
  readonly settings: GanAdamSettings;
  #targets: GanAdamTarget[];
  #m: tf.Variable[];
  #v: tf.Variable[];
  #b1p: tf.Variable;
  #b2p: tf.Variable;
  #c: Record<"lr" | "b1" | "b2" | "omb1" | "omb2" | "eps" | "one" | "wd", tf.Scalar>;

  /** Zero moments; β powers start at 1. */
  constructor(targets: GanAdamTarget[], settings: GanAdamSettings = DCGAN_ADAM) {
    this.settings = settings;
    this.#targets = targets;
    this.#m = targets.map((t) => own(tf.zerosLike(t.variable)));
    this.#v = targets.map((t) => own(tf.zerosLike(t.variable)));
    this.#b1p = own(tf.scalar(1, "float32"));
    this.#b2p = own(tf.scalar(1, "float32"));
    const s = settings;
    this.#c = {
      lr: tf.scalar(s.learningRate),
      b1: tf.scalar(s.beta1),
      b2: tf.scalar(s.beta2),
      omb1: tf.scalar(1 - s.beta1),
      omb2: tf.scalar(1 - s.beta2),
      eps: tf.scalar(s.epsilon),
      one: tf.scalar(1),
      wd: tf.scalar(s.weightDecay),
    };
  }

  /**
   * One update. `grads` maps tfjs variable names (as `tf.variableGrads` returns them) to
   * gradients; `factor` scales the learning rate for this step (a device scalar).
   */
  apply(grads: Record<string, tf.Tensor>, factor: tf.Scalar): void {
    const c = this.#c;
    const decay = this.settings.weightDecay > 0;
    tf.tidy(() => {
      this.#b1p.assign(tf.mul(this.#b1p, c.b1));
      this.#b2p.assign(tf.mul(this.#b2p, c.b2));
      const lrT = tf.div(
        tf.mul(tf.mul(c.lr, factor), tf.sqrt(tf.sub(c.one, this.#b2p))),
        tf.sub(c.one, this.#b1p),
      );
      this.#targets.forEach((t, i) => {
        let g = grads[t.variable.name];
        if (!g) {
          throw new Error(
            `Cannot apply Adam: no gradient for "${t.name}"; is it used by the loss?`,
          );
        }
        if (decay) g = tf.add(g, tf.mul(c.wd, t.variable));
        const m = this.#m[i], v = this.#v[i];
        m.assign(tf.add(m, tf.mul(tf.sub(g, m), c.omb1)));
        v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), c.omb2)));
        t.variable.assign(tf.sub(t.variable, tf.div(tf.mul(lrT, m), tf.add(tf.sqrt(v), c.eps))));
      });
    });
  }

  /** The state by name: `m/<name>`, `v/<name>`, `beta1_power`, `beta2_power` (reads back). */
  async readState(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (let i = 0; i < this.#targets.length; i++) {
      const name = this.#targets[i].name;
      out[`m/${name}`] = (await this.#m[i].data()) as Float32Array;
      out[`v/${name}`] = (await this.#v[i].data()) as Float32Array;
    }
    out["beta1_power"] = (await this.#b1p.data()) as Float32Array;
    out["beta2_power"] = (await this.#b2p.data()) as Float32Array;
    return out;
  }

  /** Restores a state written by {@linkcode readState}. */
  writeState(state: Record<string, Float32Array>): void {
    const put = (v: tf.Variable, key: string) => {
      const val = state[key];
      if (!val || val.length !== v.size) {
        throw new Error(
          `Cannot restore Adam state "${key}": missing or of the wrong size; is the checkpoint from this model?`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(val, v.shape, "float32")));
    };
    this.#targets.forEach((t, i) => {
      put(this.#m[i], `m/${t.name}`);
      put(this.#v[i], `v/${t.name}`);
    });
    put(this.#b1p, "beta1_power");
    put(this.#b2p, "beta2_power");
  }

  /** Frees the state and constants. */
  dispose(): void {
    for (const v of [...this.#m, ...this.#v, this.#b1p, this.#b2p]) v.dispose();
    for (const s of Object.values(this.#c)) s.dispose();
  }
}

/**
 * iGAN's schedule as a factor of the base rate: 1 up to update `decayStart`, then linear down
 * to 0 at update `total` (iGAN: `decayStart = total / 2`). `step` counts from 0.
 */
export function learningRateFactor(step: number, total: number, decayStart: number): number {
  if (step < decayStart || total <= decayStart) return 1;
  return Math.max(0, (total - step) / (total - decayStart));
}
