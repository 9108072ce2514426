/**
 * Small path helpers shared by the engine's tests.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
export { join } from "node:path";

/** A path as a `file:` URL string. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}
