import assert from "node:assert/strict";
import { packTarGz, unpackTarGz } from "./tar.ts";

Deno.test("packTarGz() round-trips files, long paths included", () => {
  const long = `cache/limited-nobias/${"a".repeat(64)}/a_rather_long_output_name_for_the_test.json`;
  const files: Array<[string, Uint8Array]> = [
    ["cache/x/short.txt", new TextEncoder().encode("hello")],
    [long, new Uint8Array(1000).map((_, i) => i % 251)],
    ["empty", new Uint8Array(0)],
  ];
  const back = unpackTarGz(packTarGz(files));
  assert.deepEqual(back.map(([p]) => p), files.map(([p]) => p));
  for (let i = 0; i < files.length; i++) assert.deepEqual(back[i][1], files[i][1]);
  assert.deepEqual(packTarGz(files), packTarGz(files));
});

Deno.test("unpackTarGz() rejects garbage", () => {
  assert.throws(() => unpackTarGz(new Uint8Array([1, 2, 3])));
});
