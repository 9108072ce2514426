/**
 * SHA-256 helpers: of strings, bytes and files (streamed, so large arrays never sit twice in
 * memory).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Hex SHA-256 and size of a file, read in chunks. */
export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash("sha256");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  while (true) {
    const n = await file.read(buf);
    if (n === null) break;
    h.update(buf.subarray(0, n));
    size += n;
  }
  return { sha256: h.digest("hex"), size };
}
