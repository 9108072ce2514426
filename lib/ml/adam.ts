/**
 * Adam as Keras 2 / TensorFlow's `ApplyAdam` kernel computes it, with its whole state on the
 * device and readable for checkpoints:
 *
 *   β1ᵗ ← β1ᵗ⁻¹·β1,  β2ᵗ ← β2ᵗ⁻¹·β2            (float32, kept as variables)
 *   lr_t = lr · √(1 − β2ᵗ) / (1 − β1ᵗ)
 *   m ← m + (g − m)(1 − β1),  v ← v + (g² − v)(1 − β2)
 *   θ ← θ − lr_t · m / (√v + ε)
 *
 * Two options serve the GAN training of iGAN's DCGAN: a learning-rate factor s given to each
 * step as a device scalar (lr_t = (lr · s) · √(1 − β2ᵗ) / (1 − β1ᵗ), for a schedule), and an l2
 * penalty folded into the gradient, g ← g + λθ (`weightDecay`, off by default).
 *
 * Defaults lr = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-7 (Keras). Every scalar is a tensor made
 * once, so a step uploads nothing. Where the backend registers the fused kernels of
 * `kernels/adam_step.ts`, the update is one kernel for all variables (cpu) or one per variable
 * (webgpu); elsewhere it is the tfjs ops above, one per operation. All three give the same bytes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ADAM_STEP,
  ADAM_STEPS,
  type AdamStepAttrs,
  type AdamStepsAttrs,
} from "./kernels/adam_step.ts";
import { adamLearningRate, adamValues } from "./kernels/adam_step_cpu.ts";
import { cpuValues } from "./kernels/cpu_data.ts";
import { ownVariable } from "./model.ts";

/** Adam's hyper-parameters. */
export interface AdamSettings {
  /** Learning rate (P-Tab 1: 0.001). */
  learningRate: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Added to √v (Keras: 1e-7). */
  epsilon: number;
  /** λ of the l2 term folded into the gradient, g + λθ (absent or 0: none). */
  weightDecay?: number;
}

/** Keras' defaults with the paper's learning rate. */
export const KERAS_ADAM: AdamSettings = {
  learningRate: 0.001,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
};

/** A variable Adam updates, with the name its state is saved under. */
export interface AdamTarget {
  /** Stable name (state entries are `m/<name>` and `v/<name>`). */
  name: string;
  /** The variable. */
  variable: tf.Variable;
}

/** Adam with device-resident state. */
export class Adam {
  readonly settings: AdamSettings;
  #targets: AdamTarget[];
  #m: tf.Variable[];
  #v: tf.Variable[];
  #b1p: tf.Variable;
  #b2p: tf.Variable;
  #c: Record<"lr" | "b1" | "b2" | "omb1" | "omb2" | "eps" | "one" | "wd", tf.Scalar>;

  /** Zero moments; β powers start at 1 (β⁰). */
  constructor(targets: AdamTarget[], settings: AdamSettings = KERAS_ADAM) {
    this.settings = settings;
    this.#targets = targets;
    this.#m = targets.map((t) => ownVariable(tf.zerosLike(t.variable), false));
    this.#v = targets.map((t) => ownVariable(tf.zerosLike(t.variable), false));
    this.#b1p = ownVariable(tf.scalar(1, "float32"), false);
    this.#b2p = ownVariable(tf.scalar(1, "float32"), false);
    const s = settings;
    this.#c = {
      lr: tf.scalar(s.learningRate),
      b1: tf.scalar(s.beta1),
      b2: tf.scalar(s.beta2),
      omb1: tf.scalar(1 - s.beta1),
      omb2: tf.scalar(1 - s.beta2),
      eps: tf.scalar(s.epsilon),
      one: tf.scalar(1),
      wd: tf.scalar(s.weightDecay ?? 0),
    };
  }

  /**
   * One update. `grads` maps tfjs variable names (`variable.name`, as `tf.variableGrads`
   * returns them) to gradients; every target must have one. `factor`, a device scalar, scales
   * the learning rate of this step.
   */
  apply(grads: Record<string, tf.Tensor>, factor?: tf.Scalar): void {
    const c = this.#c;
    const all = tf.getKernel(ADAM_STEPS, tf.getBackend()) !== undefined;
    const decay = (this.settings.weightDecay ?? 0) > 0;
    // One kernel per variable where the backend has it (webgpu: 3 dispatches instead of 12).
    const fused = tf.getKernel(ADAM_STEP, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      this.#b1p.assign(tf.mul(this.#b1p, c.b1));
      this.#b2p.assign(tf.mul(this.#b2p, c.b2));
      const lrT = fused ? null : tf.div(
        tf.mul(factor ? tf.mul(c.lr, factor) : c.lr, tf.sqrt(tf.sub(c.one, this.#b2p))),
        tf.sub(c.one, this.#b1p),
      );
      const attrs = this.#stepAttrs();
      const gradOf = (t: AdamTarget) => {
        const g = grads[t.variable.name];
        if (!g) {
          throw new Error(
            `Cannot apply Adam: no gradient for "${t.name}"; is it used by the loss?`,
          );
        }
        return g;
      };
      if (all) {
        const inputs: Record<string, tf.Tensor> = {
          beta1Power: this.#b1p,
          beta2Power: this.#b2p,
          ...(factor ? { factor } : {}),
        };
        this.#targets.forEach((t, i) => {
          inputs[`theta${i}`] = t.variable;
          inputs[`m${i}`] = this.#m[i];
          inputs[`v${i}`] = this.#v[i];
          inputs[`g${i}`] = gradOf(t);
        });
        const stepsAttrs: AdamStepsAttrs = { ...attrs, count: this.#targets.length };
        const out = tf.engine().runKernel(
          ADAM_STEPS,
          inputs,
          stepsAttrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        this.#targets.forEach((t, i) => {
          this.#m[i].assign(out[3 * i]);
          this.#v[i].assign(out[3 * i + 1]);
          t.variable.assign(out[3 * i + 2]);
        });
        return;
      }
      this.#targets.forEach((t, i) => {
        let g = gradOf(t);
        const m = this.#m[i], v = this.#v[i];
        if (lrT === null) {
          const [m1, v1, theta1] = tf.engine().runKernel(
            ADAM_STEP,
            {
              theta: t.variable,
              m,
              v,
              g,
              beta1Power: this.#b1p,
              beta2Power: this.#b2p,
              ...(factor ? { factor } : {}),
            },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
          m.assign(m1);
          v.assign(v1);
          t.variable.assign(theta1);
          return;
        }
        if (decay) g = tf.add(g, tf.mul(c.wd, t.variable));
        m.assign(tf.add(m, tf.mul(tf.sub(g, m), c.omb1)));
        v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), c.omb2)));
        t.variable.assign(tf.sub(t.variable, tf.div(tf.mul(lrT, m), tf.add(tf.sqrt(v), c.eps))));
      });
    });
  }

  /**
   * Whether {@linkcode applyOnCpu} can run: the active backend is the cpu, and no other tensor
   * shares the values of a variable or of the state (a clone would see them change).
   */
  appliesOnCpu(): boolean {
    if (tf.getBackend() !== "cpu") return false;
    const backend = tf.backend();
    return this.#state().every((t) => backend.refCount(t.dataId) === 1);
  }

  /**
   * The update of {@linkcode apply} on the cpu backend from the gradients' values (`gradOf`: the
   * gradient of each target's variable), without a tfjs op: the bytes of the fused kernel, each
   * new array put under its variable's tensor in place of the old one (`backend.move`, as tfjs
   * replaces a tensor's values: an array read out before keeps its values). Only where
   * {@linkcode appliesOnCpu} says so.
   */
  applyOnCpu(gradOf: (v: tf.Variable) => Float32Array): void {
    if (!this.appliesOnCpu()) {
      throw new Error(
        "Cannot apply Adam on the cpu in place: another backend is active or a tensor shares a variable's values; use apply()",
      );
    }
    const backend = tf.backend() as tf.MathBackendCPU;
    const s = this.settings;
    const values = (t: tf.Tensor) => cpuValues(backend, t);
    const put = (t: tf.Tensor, v: Float32Array) => backend.move(t.dataId, v, t.shape, "float32", 1);
    // β powers as tf.mul(power, tf.scalar(β)) rounds them.
    const b1p = Math.fround(values(this.#b1p)[0] * Math.fround(s.beta1));
    const b2p = Math.fround(values(this.#b2p)[0] * Math.fround(s.beta2));
    put(this.#b1p, Float32Array.of(b1p));
    put(this.#b2p, Float32Array.of(b2p));
    const lrT = adamLearningRate(s.learningRate, b1p, b2p);
    const attrs = this.#stepAttrs();
    this.#targets.forEach((t, i) => {
      const out = adamValues(
        values(t.variable),
        values(this.#m[i]),
        values(this.#v[i]),
        gradOf(t.variable),
        lrT,
        attrs,
      );
      put(this.#m[i], out[0]);
      put(this.#v[i], out[1]);
      put(t.variable, out[2]);
    });
  }

  /** The fused kernels' attributes: the settings, weight decay 0 when absent. */
  #stepAttrs(): AdamStepAttrs {
    const s = this.settings;
    return {
      learningRate: s.learningRate,
      beta1: s.beta1,
      beta2: s.beta2,
      epsilon: s.epsilon,
      weightDecay: s.weightDecay ?? 0,
    };
  }

  /** The variables and the state. */
  #state(): tf.Tensor[] {
    return [...this.#targets.map((t) => t.variable), ...this.#m, ...this.#v, this.#b1p, this.#b2p];
  }

  /**
   * One update down the gradient of `loss` with respect to the targets, whose value it
   * returns (kept, inside the caller's tidy). The gradient is the engine's, seeded with the
   * constant 1 made once: `tf.variableGrads` would upload a new scalar 1 at every update.
   */
  minimise(loss: () => tf.Scalar): tf.Scalar {
    const variables = this.#targets.map((t) => t.variable);
    const { value, grads } = tf.engine().gradients(loss, variables, this.#c.one, false);
    this.apply(Object.fromEntries(variables.map((v, i) => [v.name, grads[i]])));
    return value;
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
