/**
 * Where the tests find the authors' released weights (when this checkout has them beside it,
 * at `../shared/authors/`), as an absolute path, or null: tests that need it are then skipped.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The authors' weights file seen from this checkout, or null when it is absent. */
export const AUTHORS_FILE: string | null = (() => {
  const path = fileURLToPath(
    new URL("../../../shared/authors/disk_example_model_weights.h5", import.meta.url),
  );
  try {
    return Deno.statSync(path).isFile ? path : null;
  } catch {
    return null;
  }
})();
