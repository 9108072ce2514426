import assert from "node:assert/strict";
import { lines, ServedProcess } from "./bench_served.ts";

Deno.test("lines() splits a byte stream into lines, across chunks", async () => {
  const enc = new TextEncoder();
  const stream = ReadableStream.from([enc.encode("a\nb"), enc.encode("c\n\nd")]);
  const out: string[] = [];
  for await (const l of lines(stream)) out.push(l);
  assert.deepEqual(out, ["a", "bc", "", "d"]);
});

/** A served process in a few lines of script: settings, then each k answered with k·2. */
const DOUBLER = `import { serveBlocks } from ${
  JSON.stringify(new URL("./bench_served.ts", import.meta.url).href)
};
console.log(JSON.stringify({ ready: true }));
await serveBlocks((k) => Promise.resolve({ twice: 2 * k }));`;

Deno.test("ServedProcess and serveBlocks() answer a block per line until stdin ends", async () => {
  const p = new ServedProcess("the doubler", Deno.execPath(), ["eval", DOUBLER]);
  try {
    assert.deepEqual(await p.next(), { ready: true });
    assert.deepEqual(await p.block(3), { twice: 6 });
    assert.deepEqual(await p.block(5), { twice: 10 });
  } finally {
    await p.close();
  }
});

Deno.test("ServedProcess says which process ended and the end of its stderr", async () => {
  const p = new ServedProcess("the failing one", Deno.execPath(), [
    "eval",
    `console.error("no luck"); Deno.exit(3);`,
  ]);
  await assert.rejects(
    () => p.next(),
    /^Error: Cannot run the failing one: exit code 3:\nno luck$/,
  );
  await p.close();
});

Deno.test("serveBlocks() refuses a line that is not a positive integer", async () => {
  const p = new ServedProcess("the doubler", Deno.execPath(), ["eval", DOUBLER]);
  try {
    await p.next();
    await assert.rejects(
      () => p.block(0),
      /Cannot run the doubler: exit code 1:\n[^]*Cannot serve "0": expected a positive integer/,
    );
  } finally {
    await p.close();
  }
});
