/**
 * Base64 for the shipped WebAssembly binary (JSR's std encoding module is out of reach here).
 *
 * @module
 */

/** `bytes` as standard base64 (with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = "";
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The bytes of standard base64 text. */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
