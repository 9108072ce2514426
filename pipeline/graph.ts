/**
 * The DAG: checks a registry (unique safe ids, inputs that name declared outputs, no cycles)
 * and orders stages topologically; selects what a set of targets needs.
 *
 * @module
 */
import { didYouMean, UsageError } from "./errors.ts";
import { checkParamDefs } from "./params.ts";
import type { AnyStage } from "./stage.ts";

/** Stage ids and output names are path components: only these characters, so no id or
 * output can point outside the cache. */
export const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Output file names: one path component, no leading dot. */
export const OUTPUT_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A checked registry: stages by id, in topological order. */
export interface Graph {
  /** Stages in a topological order (dependencies first; ties keep registry order). */
  order: AnyStage[];
  /** Stages by id. */
  byId: Map<string, AnyStage>;
  /** Upstream stage ids of each stage. */
  deps: Map<string, string[]>;
}

/** Splits `"stage:output"`. */
export function splitRef(ref: string): [string, string] {
  const i = ref.indexOf(":");
  return [ref.slice(0, i), ref.slice(i + 1)];
}

/** Checks a registry and builds its graph; a malformed registry is a programming error. */
export function buildGraph(stages: readonly AnyStage[]): Graph {
  const byId = new Map<string, AnyStage>();
  for (const s of stages) {
    if (!ID_RE.test(s.id)) {
      throw new Error(`Stage id "${s.id}" is invalid: use lower-case letters, digits and dashes`);
    }
    if (byId.has(s.id)) throw new Error(`Stage id "${s.id}" is registered twice`);
    for (const o of s.outputs) {
      if (!OUTPUT_RE.test(o) || o === "manifest.json" || o === "log.txt") {
        throw new Error(`Stage "${s.id}" declares an invalid output name "${o}"`);
      }
    }
    checkParamDefs(s.id, s.params);
    byId.set(s.id, s);
  }
  const deps = new Map<string, string[]>();
  for (const s of stages) {
    const ups: string[] = [];
    for (const [name, ref] of Object.entries(s.inputs)) {
      const [up, out] = splitRef(ref);
      const u = byId.get(up);
      if (!u) {
        throw new Error(`Stage "${s.id}" input "${name}" names unknown stage "${up}"`);
      }
      if (!u.outputs.includes(out)) {
        throw new Error(`Stage "${s.id}" input "${name}": stage "${up}" has no output "${out}"`);
      }
      if (!ups.includes(up)) ups.push(up);
    }
    deps.set(s.id, ups);
  }
  // Kahn's algorithm, taking ready stages in registry order so the order is stable.
  const order: AnyStage[] = [];
  const done = new Set<string>();
  while (order.length < stages.length) {
    const next = stages.find((s) => !done.has(s.id) && deps.get(s.id)!.every((d) => done.has(d)));
    if (!next) {
      const left = stages.filter((s) => !done.has(s.id)).map((s) => s.id);
      throw new Error(`The stage graph has a cycle among: ${left.join(", ")}`);
    }
    done.add(next.id);
    order.push(next);
  }
  return { order, byId, deps };
}

/** The stages the targets need (targets and everything upstream), in topological order. */
export function select(graph: Graph, targets: readonly string[]): AnyStage[] {
  if (targets.length === 0) return graph.order;
  const ids = [...graph.byId.keys()];
  const need = new Set<string>();
  const stack = targets.map((t) => {
    if (!graph.byId.has(t)) {
      throw new UsageError(
        `Cannot select target "${t}": no such stage${didYouMean(t, ids)}; ` +
          "run `deno task dag` to list the stages",
      );
    }
    return t;
  });
  while (stack.length) {
    const id = stack.pop()!;
    if (need.has(id)) continue;
    need.add(id);
    stack.push(...graph.deps.get(id)!);
  }
  return graph.order.filter((s) => need.has(s.id));
}
