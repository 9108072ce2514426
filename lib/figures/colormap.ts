/**
 * Colour maps for scalar images: grey (the paper's images), viridis (perceptually uniform, for
 * heatmaps) and a blue–white–red diverging map (for signed data such as filter weights).
 *
 * @module
 */

/** The colour maps available to image grids, heatmaps and colour bars. */
export type ColormapName = "grey" | "viridis" | "diverging";

/**
 * Viridis as 256 RGB triples in hex (Stéfan van der Walt and Nathaniel Smith, CC0; the same
 * table matplotlib and d3-scale-chromatic ship).
 */
const VIRIDIS_HEX = "44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164" +
  "47136548146748166848176948186a481a6c481b6d481c6e481d6f481f70482071482173" +
  "482374482475482576482677482878482979472a7a472c7a472d7b472e7c472f7d46307e" +
  "46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85" +
  "4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a" +
  "3d4e8a3c4f8a3c508b3b518b3b528b3a538b3a548c39558c39568c38588c38598c375a8c" +
  "375b8d365c8d365d8d355e8d355f8d34608d34618d33628d33638d32648e32658e31668e" +
  "31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e" +
  "2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e" +
  "277e8e277f8e27808e26818e26828e26828e25838e25848e25858e24868e24878e23888e" +
  "23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d21918c20928c20928c20938c" +
  "1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88" +
  "1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa83" +
  "25ab8225ac8226ad8127ad8128ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b" +
  "32b67a34b67935b77937b87838b9773aba763bbb753dbc743fbc7340bd7242be7144bf70" +
  "46c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863" +
  "5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d153" +
  "7ad1517cd2507fd34e81d34d84d44b86d54989d5488bd6468ed64590d74393d74195d840" +
  "98d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32addc30b0dd2fb2dd2db5de2b" +
  "b8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a" +
  "d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61e" +
  "f6e620f8e621fbe723fde725";

/** ColorBrewer RdBu (11 classes) reversed: blue for low values, white at the centre, red high. */
const DIVERGING_HEX = [
  "053061",
  "2166ac",
  "4393c3",
  "92c5de",
  "d1e5f0",
  "f7f7f7",
  "fddbc7",
  "f4a582",
  "d6604d",
  "b2182b",
  "67001f",
];

function hexTriples(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Expands `stops` (RGB triples, evenly spaced) into a 256-entry table by linear interpolation. */
function expand(stops: Uint8Array): Uint8Array {
  const n = stops.length / 3, out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const pos = (i / 255) * (n - 1), k = Math.min(Math.floor(pos), n - 2), f = pos - k;
    for (let c = 0; c < 3; c++) {
      out[3 * i + c] = Math.round(stops[3 * k + c] * (1 - f) + stops[3 * (k + 1) + c] * f);
    }
  }
  return out;
}

const TABLES: Record<ColormapName, Uint8Array> = {
  grey: expand(new Uint8Array([0, 0, 0, 255, 255, 255])),
  viridis: hexTriples(VIRIDIS_HEX),
  diverging: expand(hexTriples(DIVERGING_HEX.join(""))),
};

/** The 256×3 RGB table of a colour map (index 0 = lowest value). */
export function colormapTable(name: ColormapName): Uint8Array {
  const t = TABLES[name];
  if (!t) {
    throw new Error(
      `Cannot use colour map "${name}": unknown; fix: use one of ${Object.keys(TABLES).join(", ")}`,
    );
  }
  return t;
}

/** Table index (0–255) of `t` in [0, 1]; values outside are clipped, NaN maps to 0. */
export function colormapIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return 255;
  return Math.round(t * 255);
}

/** The RGB colour of `t` in [0, 1] (clipped). */
export function colormapRgb(name: ColormapName, t: number): [number, number, number] {
  const tab = colormapTable(name), i = 3 * colormapIndex(t);
  return [tab[i], tab[i + 1], tab[i + 2]];
}

/** The colour of `t` as a CSS hex string, e.g. `#440154`. */
export function colormapHex(name: ColormapName, t: number): string {
  return "#" + colormapRgb(name, t).map((v) => v.toString(16).padStart(2, "0")).join("");
}
