/**
 * Training curves: reading every training stage's `loss.json`, the figure of
 * loss against update, the table of first and final losses, and the `training-curves` stage.
 *
 * @module
 */

export * from "./summary.ts";
export * from "./chart.ts";
export * from "./stage.ts";
