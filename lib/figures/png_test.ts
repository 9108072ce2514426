import assert from "node:assert/strict";
import { decodePng, pixelAt } from "./_decode_png.ts";
import { crc32, encodePng, pngDataUri } from "./png.ts";

Deno.test("crc32() matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
  // The IEND chunk's CRC, fixed by the PNG specification.
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
});

Deno.test("encodePng() writes grey pixels that decode back, with valid CRCs", () => {
  const width = 7, height = 5;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  const png = decodePng(encodePng({ width, height, channels: 1, data }));
  assert.deepEqual(png.chunks, ["IHDR", "IDAT", "IEND"]);
  assert.equal(png.width, width);
  assert.equal(png.height, height);
  assert.equal(png.channels, 1);
  assert.deepEqual(png.data, data);
});

Deno.test("encodePng() writes RGB and RGBA pixels that decode back", () => {
  for (const channels of [3, 4] as const) {
    const width = 13, height = 9;
    const data = new Uint8Array(width * height * channels);
    // Smooth ramps and repeated rows exercise the Sub and Up filters.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          data[(y * width + x) * channels + c] = (x * 20 + (y % 3) * 7 + c * 50) % 256;
        }
      }
    }
    const png = decodePng(encodePng({ width, height, channels, data }));
    assert.equal(png.channels, channels);
    assert.deepEqual(png.data, data);
    assert.deepEqual(pixelAt(png, 2, 1), Array.from(data.subarray(15 * channels, 16 * channels)));
  }
});

Deno.test("encodePng() is deterministic", () => {
  const data = new Uint8Array(64 * 64).map((_, i) => (i * 7919) % 251);
  const a = encodePng({ width: 64, height: 64, channels: 1, data });
  const b = encodePng({ width: 64, height: 64, channels: 1, data });
  assert.deepEqual(a, b);
});

Deno.test("encodePng() rejects a data length that does not match the size", () => {
  assert.throws(
    () => encodePng({ width: 3, height: 3, channels: 1, data: new Uint8Array(8) }),
    /Cannot encode PNG "3x3x1": data has 8 bytes, expected 9/,
  );
  assert.throws(
    () => encodePng({ width: 0, height: 3, channels: 1, data: new Uint8Array(0) }),
    /Cannot encode PNG of size "0x3"/,
  );
});

Deno.test("pngDataUri() embeds the PNG in base64", () => {
  const data = new Uint8Array([0, 255, 255, 0]);
  const uri = pngDataUri({ width: 2, height: 2, channels: 1, data });
  assert.match(uri, /^data:image\/png;base64,/);
  const bin = atob(uri.slice(uri.indexOf(",") + 1));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  assert.deepEqual(decodePng(bytes).data, data);
});
