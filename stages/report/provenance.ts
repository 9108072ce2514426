/**
 * Reads a stage's provenance out of its cache manifest (`manifest.json`), leniently: the
 * manifest's layout belongs to the engine, so every field is optional and a field of the wrong
 * type is left out rather than failing the report.
 *
 * @module
 */

import type { Json } from "../../pipeline/stage.ts";
import type { Provenance } from "./model.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Builds the provenance of stage `stage` from a parsed manifest (`undefined` when there is
 * none). Seeds are the numeric entries of `seeds`; the adapter is `adapter`, else
 * `records.adapter`; the duration is `durationMs`, else `finished − started`.
 */
export function parseProvenance(stage: string, manifest: unknown): Provenance {
  if (!isRecord(manifest)) return { stage, manifest: false };
  const records = isRecord(manifest.records) ? manifest.records : {};
  let seeds: Record<string, number> | undefined;
  if (isRecord(manifest.seeds)) {
    const numeric = Object.entries(manifest.seeds).filter(([, v]) => num(v) !== undefined);
    if (numeric.length > 0) seeds = Object.fromEntries(numeric) as Record<string, number>;
  }
  const started = str(manifest.started);
  const finished = str(manifest.finished);
  let durationMs = num(manifest.durationMs);
  if (durationMs === undefined && started && finished) {
    const span = Date.parse(finished) - Date.parse(started);
    if (Number.isFinite(span) && span >= 0) durationMs = span;
  }
  const adapter = str(manifest.adapter) ?? describeAdapter(records.adapter);
  const provenance: Record<string, unknown> = {
    stage,
    manifest: true,
    key: str(manifest.key),
    profile: str(manifest.profile),
    backend: str(manifest.backend),
    adapter,
    seeds,
    params: isRecord(manifest.params) ? (manifest.params as Record<string, Json>) : undefined,
    started,
    finished,
    durationMs,
    deno: str(manifest.deno),
  };
  // Leave absent fields out, so that report.json stays compact and stable.
  for (const k of Object.keys(provenance)) if (provenance[k] === undefined) delete provenance[k];
  return provenance as unknown as Provenance;
}

/** An adapter recorded as a string, or as an object with the usual WebGPU info fields. */
function describeAdapter(value: unknown): string | undefined {
  if (typeof value === "string") return str(value);
  if (!isRecord(value)) return undefined;
  const parts = ["vendor", "architecture", "device", "description"]
    .map((k) => str(value[k]))
    .filter((v): v is string => v !== undefined);
  return parts.length > 0 ? parts.join(" ") : undefined;
}
