/**
 * The pixel size of a figure, read from its header, so that the report can reserve the space
 * of each image before it loads.
 *
 * @module
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height of a PNG from its IHDR chunk, or `null` when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24) return null;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return null;
  // The first chunk must be IHDR: length (4 bytes), type "IHDR", then width and height (big-endian).
  const type = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (type !== "IHDR") return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Width and height of an SVG from the `width`/`height` attributes of its root element (plain
 * numbers or `px`), else from its `viewBox`; `null` when neither is there.
 */
export function svgSize(text: string): { width: number; height: number } | null {
  const root = /<svg\b[^>]*>/i.exec(text)?.[0];
  if (!root) return null;
  const attr = (name: string) =>
    new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i").exec(root)?.[1];
  const px = (v: string | undefined) => {
    const m = v === undefined ? null : /^\s*([0-9.]+)\s*(px)?\s*$/.exec(v);
    return m ? Number(m[1]) : NaN;
  };
  const width = px(attr("width")), height = px(attr("height"));
  if (width > 0 && height > 0) return { width, height };
  const box = attr("viewBox")?.trim().split(/[\s,]+/).map(Number);
  if (box && box.length === 4 && box[2] > 0 && box[3] > 0) return { width: box[2], height: box[3] };
  return null;
}
