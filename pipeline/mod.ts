/**
 * The pipeline engine: a DAG of hashed, cached stages. Plugins implement `Stage`
 * (see `stage.ts`); an entry module calls `main(stages, args, hooks)`.
 *
 * @module
 */
export * from "./stage.ts";
export * from "./cli.ts";
export * from "./errors.ts";
export * from "./rng.ts";
export * from "./json.ts";
export * from "./hash.ts";
export * from "./key.ts";
export * from "./manifest.ts";
export * from "./graph.ts";
export * from "./params.ts";
export * from "./layout.ts";
export * from "./compare.ts";
