import assert from "node:assert/strict";
import { parseProvenance } from "./provenance.ts";

Deno.test("parseProvenance() reads the engine's manifest fields", () => {
  const p = parseProvenance("ae-d1", {
    stage: "ae-d1",
    key: "abc123",
    profile: "paper",
    backend: "webgpu",
    adapter: "NVIDIA H100",
    params: { steps: 10000 },
    seeds: { rng: 7, other: "x" },
    started: "2025-01-01T00:00:00Z",
    finished: "2025-01-01T00:01:00Z",
    durationMs: 60000,
    deno: "2.9.6",
  });
  assert.deepEqual(p, {
    stage: "ae-d1",
    manifest: true,
    key: "abc123",
    profile: "paper",
    backend: "webgpu",
    adapter: "NVIDIA H100",
    seeds: { rng: 7 },
    params: { steps: 10000 },
    started: "2025-01-01T00:00:00Z",
    finished: "2025-01-01T00:01:00Z",
    durationMs: 60000,
    deno: "2.9.6",
  });
});

Deno.test("parseProvenance() degrades gracefully on missing or odd fields", () => {
  assert.deepEqual(parseProvenance("s", undefined), { stage: "s", manifest: false });
  assert.deepEqual(parseProvenance("s", [1, 2]), { stage: "s", manifest: false });
  const p = parseProvenance("s", {
    key: 5,
    started: "2025-01-01T00:00:00Z",
    finished: "2025-01-01T00:00:02.500Z",
    records: { adapter: { vendor: "mesa", architecture: "llvmpipe" } },
  });
  assert.deepEqual(p, {
    stage: "s",
    manifest: true,
    adapter: "mesa llvmpipe",
    started: "2025-01-01T00:00:00Z",
    finished: "2025-01-01T00:00:02.500Z",
    durationMs: 2500,
  });
});
