/**
 * `check-run DIR`: whether this checkout rebuilds a published run (`publish-run`) without
 * training, read from the run's files alone: nothing is imported and nothing runs.
 *
 * A training's key covers its code, parameters, profile, backend and the bytes of its inputs.
 * The run's `trainings.tar.gz` holds each finished training's manifest, whose key parts name
 * what went into it; `provenance.json` holds every stage's key. This checkout's key of a
 * training is computed from its own code and parameters and from its inputs' bytes as the
 * archived manifest records them, which holds while the stage making an input has the key it
 * had in the run (outputs are the same bytes for the same key; a changed upstream is named
 * instead). A training whose key differs is what `import` then `reproduce` would train again,
 * with the part of the key that moved (`code: lib/ml/train.ts`, `params: …`).
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "./errors.ts";
import { type Graph, splitRef } from "./graph.ts";
import { sha256 } from "./hash.ts";
import { explainChange, keyOf } from "./key.ts";
import type { Manifest } from "./manifest.ts";
import type { Planner } from "./planner.ts";
import { RUN_PROVENANCE, TRAININGS_ARCHIVE } from "./published_run.ts";
import { unpackTarGz } from "./tar.ts";

/** What `check-run` reads of `provenance.json`. */
export interface RunProvenance {
  profile: string;
  backend: string;
  commit: string | null;
  published: string;
  /** The run's `--set` values as `stage.param=value` (absent in runs published before them). */
  overrides?: string[];
  files: Record<string, { sha256: string; size: number }>;
  stages: Array<{ id: string; key: string | null; training: boolean; finished: boolean }>;
}

/** This checkout's key of a stage, or why it cannot be computed from the run's files. */
interface Current {
  key: string | null;
  why: string[];
  /** No key because the stage making an input has another key than in the run. */
  inputMoved?: boolean;
}

/** One finished training of the run, against this checkout. */
export interface RunCheckRow {
  id: string;
  /** `matches`: rebuilt from the archive; `stale`: would train again; `unknown`: this checkout
   * has no such stage, or an input's bytes cannot be told without building its stage. */
  state: "matches" | "stale" | "unknown";
  /** The key in the run. */
  published: string;
  /** This checkout's key, where it can be computed. */
  key: string | null;
  why: string[];
}

/** Reads a published run's provenance; a usage error (exit 2) names what is wrong. */
export function readRunProvenance(dir: string): RunProvenance {
  const hint =
    "give a directory written by `publish-run`, such as results/<profile>-<backend>-<date>";
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(dir);
  } catch {
    throw new UsageError(`Cannot check the run "${dir}": no such directory; ${hint}`);
  }
  if (!stat.isDirectory) {
    throw new UsageError(`Cannot check the run "${dir}": not a directory; ${hint}`);
  }
  let p: RunProvenance;
  try {
    p = JSON.parse(Deno.readTextFileSync(join(dir, RUN_PROVENANCE)));
  } catch {
    throw new UsageError(
      `Cannot check the run "${dir}": it has no readable ${RUN_PROVENANCE}; ${hint}`,
    );
  }
  if (
    typeof p?.profile !== "string" || typeof p.backend !== "string" || !Array.isArray(p.stages) ||
    typeof p.files !== "object" || p.files === null
  ) {
    throw new UsageError(
      `Cannot check the run "${dir}": its ${RUN_PROVENANCE} lacks profile, backend, files or ` +
        `stages; restore the file as publish-run wrote it`,
    );
  }
  if (
    p.overrides !== undefined &&
    !(Array.isArray(p.overrides) && p.overrides.every((o) => typeof o === "string"))
  ) {
    throw new UsageError(
      `Cannot check the run "${dir}": its ${RUN_PROVENANCE} has overrides that are not a list ` +
        `of stage.param=value; restore the file as publish-run wrote it`,
    );
  }
  return p;
}

/** The manifests in a published run's trainings archive, checked against its provenance. */
export function readRunManifests(dir: string, prov: RunProvenance): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  const listed = prov.files[TRAININGS_ARCHIVE];
  if (!listed) return out; // a run that had no finished training
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(join(dir, TRAININGS_ARCHIVE));
  } catch {
    throw new UsageError(
      `Cannot check the run "${dir}": ${TRAININGS_ARCHIVE} is missing; restore it from where ` +
        `the run was published`,
    );
  }
  if (sha256(bytes) !== listed.sha256) {
    throw new UsageError(
      `Cannot check the run "${dir}": ${TRAININGS_ARCHIVE} is not the file its ` +
        `${RUN_PROVENANCE} names (sha256 differs); restore it from where the run was published`,
    );
  }
  for (const [path, data] of unpackTarGz(bytes)) {
    const m = /^cache\/([a-z0-9-]+)\/[0-9a-f]{64}\/manifest\.json$/.exec(path);
    if (m) out.set(m[1], JSON.parse(new TextDecoder().decode(data)) as Manifest);
  }
  return out;
}

/**
 * Each finished training of the run against this checkout. `planner` must have the run's
 * profile, backend and overrides (the caller sees to it).
 */
export function checkRun(
  graph: Graph,
  planner: Planner,
  prov: RunProvenance,
  archived: ReadonlyMap<string, Manifest>,
): RunCheckRow[] {
  const runKey = new Map(prov.stages.map((s) => [s.id, s.key]));
  // This checkout's key of a stage, or a reason it cannot be told; memoised over the DAG.
  const memo = new Map<string, Current>();
  const current = (id: string): Current => {
    const done = memo.get(id);
    if (done) return done;
    const stage = graph.byId.get(id);
    let result: Current;
    if (!stage) result = { key: null, why: ["this checkout has no such stage"] };
    else {
      const mine = archived.get(id);
      const inputs: Record<string, string> = {};
      const moved = new Map<string, string[]>(); // upstream stage → its inputs here
      const unknown: string[] = [];
      for (const [name, ref] of Object.entries(stage.inputs)) {
        const [up, file] = splitRef(ref);
        const upKey = current(up).key;
        const upArchived = archived.get(up);
        if (upKey !== null && upArchived?.key === upKey && upArchived.outputs[file]) {
          inputs[name] = upArchived.outputs[file].sha256; // the upstream's own record
        } else if (upKey !== null && upKey === runKey.get(up) && mine?.parts.inputs[name]) {
          inputs[name] = mine.parts.inputs[name]; // same key, so the same bytes as in the run
        } else if (upKey !== null && runKey.get(up) && upKey !== runKey.get(up)) {
          moved.set(up, [...(moved.get(up) ?? []), name]);
        } else unknown.push(`input ${name}: the bytes of ${ref} cannot be told from the run`);
      }
      const why = [
        ...[...moved].map(([up, names]) =>
          `input${names.length > 1 ? "s" : ""} ${names.join(", ")}: stage ${up}'s key differs ` +
          `from the run's`
        ),
        ...unknown,
      ];
      result = why.length
        ? { key: null, why, inputMoved: moved.size > 0 && !unknown.length }
        : { key: keyOf(planner.parts(stage, inputs)), why };
    }
    memo.set(id, result);
    return result;
  };
  const rows: RunCheckRow[] = [];
  for (const s of prov.stages) {
    if (!s.training || !s.finished || !s.key) continue;
    const cur = current(s.id);
    const old = archived.get(s.id);
    if (cur.key === s.key) {
      rows.push({ id: s.id, state: "matches", published: s.key, key: cur.key, why: [] });
    } else if (cur.key === null) {
      // The stage making an input has another key. What the training hashes is the input's
      // bytes, which a new key may well reproduce (a dataset whose module gained a comment):
      // only a change in the training itself says for sure that it trains again.
      const mine = cur.inputMoved && old && graph.byId.has(s.id)
        ? planner.parts(graph.byId.get(s.id)!, old.parts.inputs)
        : null;
      const own = mine && keyOf(mine) !== old!.key ? explainChange(old!.parts, mine) : [];
      const sure = own.length > 0;
      rows.push({
        id: s.id,
        state: sure ? "stale" : "unknown",
        published: s.key,
        key: null,
        why: [
          ...own,
          ...cur.why,
          ...(!sure && cur.inputMoved
            ? ["it matches if that stage still makes the same bytes: build it, then `status`"]
            : []),
        ],
      });
    } else {
      const stage = graph.byId.get(s.id)!;
      const why = old
        ? explainChange(old.parts, planner.parts(stage, old.parts.inputs))
        : ["not in the run's archive"];
      rows.push({ id: s.id, state: "stale", published: s.key, key: cur.key, why });
    }
  }
  return rows;
}

/** The table `check-run` prints, with a closing line that says what a rebuild costs. */
export function formatRunCheck(dir: string, prov: RunProvenance, rows: readonly RunCheckRow[]) {
  const w = Math.max(5, ...rows.map((r) => r.id.length));
  const mark = { matches: "✓", stale: "~", unknown: "?" };
  const head = `${dir}: profile ${prov.profile}, backend ${prov.backend}, published ` +
    `${prov.published.slice(0, 10)} from commit ${prov.commit?.slice(0, 7) ?? "(none)"}`;
  const lines = rows.map((r) =>
    `${mark[r.state]} ${r.id.padEnd(w)}  ${r.state.padEnd(8)} ${r.published.slice(0, 12)}  ${
      r.why.join("; ")
    }`.trimEnd()
  );
  const n = (s: RunCheckRow["state"]) => rows.filter((r) => r.state === s).length;
  const all = rows.length;
  const sets = (prov.overrides ?? []).map((o) => ` --set ${o}`).join("");
  const tail = !all
    ? "the run has no finished training"
    : n("matches") === all
    ? `all ${all} trainings match this checkout: \`import ${join(dir, TRAININGS_ARCHIVE)}\` ` +
      `then \`reproduce --profile ${prov.profile} --backend ${prov.backend}${sets}\` rebuilds ` +
      `them without training`
    : `${n("matches")} of ${all} trainings match this checkout; ${n("stale")} would train ` +
      `again${n("unknown") ? `, ${n("unknown")} cannot be told` : ""}` +
      (prov.commit
        ? ` (check out ${prov.commit.slice(0, 7)} to rebuild the run as published)`
        : "");
  return [head, ...lines, tail].join("\n");
}
