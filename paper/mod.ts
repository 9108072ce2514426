/**
 * The paper catalogue: every reproducible item of the spec with its source, claim, stage,
 * check and figures, and the items out of reach here.
 *
 * @module
 */

export * from "./catalogue.ts";
export * from "./spec_items.ts";
