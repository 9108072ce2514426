/**
 * Shared by the navigation items (`nav-ae`, `nav-pca`, `grey`): loading trained latent models
 * named by stage inputs, and rendering a navigation grid (S49): one row per code axis, the
 * decoded images of z_i running from −2σ_i to +2σ_i with the other components at 0.
 *
 * @module
 */
import type { Context, OutputRef } from "../../pipeline/stage.ts";
import { renderImageGrid } from "../../lib/figures/image_grid.ts";
import { type LatentModel, loadLatentModel } from "./latent_model.ts";
import { navigationImages, navigationLabels } from "./summary.ts";

/** The two inputs (`<name>Json`, `<name>Bin`) naming a training stage's saved model. */
export function modelInputs(name: string, stage: string): Record<string, OutputRef> {
  return { [`${name}Json`]: `${stage}:model.json`, [`${name}Bin`]: `${stage}:model.bin` };
}

/** Loads the model of inputs `<name>Json` / `<name>Bin` (the backend must be initialised). */
// deno-lint-ignore no-explicit-any
export function loadModelInput(ctx: Context<any>, name: string): Promise<LatentModel> {
  return loadLatentModel(ctx.inputs[`${name}Json`], ctx.inputs[`${name}Bin`]);
}

/** One block of navigation rows: a model, its σ per component, and the row label prefix. */
export interface NavigationBlock {
  /** The model. */
  model: LatentModel;
  /** σ of each component on the data. */
  std: readonly number[];
  /** Prefix of the row labels, e.g. `PCA-like ` (empty for one model). */
  label: string;
}

/** Number of images per navigation row. */
export const NAV_STEPS = 9;

/** Renders the navigation of one or more models into `<outBase>.{svg,png,json}`. */
export async function renderNavigation(
  outBase: string,
  title: string,
  blocks: NavigationBlock[],
): Promise<void> {
  const rowLabels: string[] = [];
  const cells: { image: { width: number; height: number; data: Float32Array } }[][] = [];
  for (const b of blocks) {
    const [H, W] = b.model.decoder.config.inputShape;
    const P = H * W;
    const imgs = await navigationImages(b.model, b.std, NAV_STEPS);
    for (let i = 0; i < b.model.latentSize; i++) {
      rowLabels.push(`${b.label}z${i + 1}`);
      cells.push(Array.from({ length: NAV_STEPS }, (_, s) => ({
        image: {
          width: W,
          height: H,
          data: imgs.subarray((i * NAV_STEPS + s) * P, (i * NAV_STEPS + s + 1) * P),
        },
      })));
    }
  }
  await renderImageGrid({
    title,
    rowLabels,
    colLabels: navigationLabels(NAV_STEPS),
    cells,
    range: [0, 1],
  }, outBase);
}
