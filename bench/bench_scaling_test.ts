import assert from "node:assert/strict";
import { parseBenchArgs } from "./bench.ts";
import { coreScaling, formatThreadScaling, runThreadScaling } from "./bench_scaling.ts";

Deno.test("coreScaling() is the work of n loops at once over one loop's", async () => {
  // One loop alone takes 100 ms; two at once take 100 and 200 ms: 1 + 0.5 loops' worth.
  const times: Record<number, number[]> = { 1: [100], 2: [100, 200] };
  assert.equal(await coreScaling(2, 1, (n) => Promise.resolve(times[n])), 1.5);
  // The real loops run in workers and give a positive, finite figure (its size is the machine's).
  const real = await coreScaling(2, 1_000_000);
  assert.ok(Number.isFinite(real) && real > 0, `two cores: ${real}`);
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
    assert.equal(r.warmup, 1);
    assert.ok(r.oneMs > 0 && r.manyMs > 0 && r.cores > 0);
    assert.equal(r.speedup, r.oneMs / r.manyMs);
    assert.match(lines[0], /^round 1: 1 thread [\d.]+ ms, 2 threads [\d.]+ ms per step: [\d.]+×/);
    assert.match(
      formatThreadScaling(r),
      /, 1 warm-up step in each process: .*× one thread; the machine's own 2 cores gave [\d.]+× one/,
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
