import assert from "node:assert/strict";
import { parseBenchArgs } from "./bench.ts";
import { coreScaling, formatThreadScaling, runThreadScaling } from "./bench_scaling.ts";

Deno.test("coreScaling() is the work of n loops at once over one loop's", async () => {
  const one = await coreScaling(1, 2_000_000);
  // One loop against itself: about 1 (two separate runs of the same loop).
  assert.ok(one > 0.5 && one < 2, `one core: ${one}`);
  const two = await coreScaling(2, 2_000_000);
  assert.ok(two > 0.5 && two < 4, `two cores: ${two}`);
});

Deno.test({
  name: "runThreadScaling() times one and two threads in processes of their own",
  sanitizeResources: false,
  async fn() {
    const opts = parseBenchArgs(["--batch=4", "--repeats=2", "--warmup=1", "--threads=2"])!;
    const lines: string[] = [];
    const r = await runThreadScaling(
      opts,
      1,
      new URL("./bench.ts", import.meta.url).href,
      (l) => lines.push(l),
    );
    assert.equal(r.rounds.length, 1);
    assert.equal(r.threads, 2);
    assert.ok(r.oneMs > 0 && r.manyMs > 0 && r.cores > 0);
    assert.equal(r.speedup, r.oneMs / r.manyMs);
    assert.match(lines[0], /^round 1: 1 thread [\d.]+ ms, 2 threads [\d.]+ ms per step: [\d.]+×/);
    assert.match(
      formatThreadScaling(r),
      /× one thread; the machine's own 2 cores gave [\d.]+× one/,
    );
  },
});

Deno.test("--thread-scaling needs two threads or more", async () => {
  const p = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./bench.ts", import.meta.url).pathname,
      "--thread-scaling=2",
      "--threads=1",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(p.code, 2);
  assert.match(
    new TextDecoder().decode(p.stderr),
    /Cannot measure thread scaling with --threads 1: pass --threads 2 or more/,
  );
});
