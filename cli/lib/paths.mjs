/**
 * Where relative paths on the command line point: the folder the user ran the command in. That is
 * the working directory, except under `npm run run-batch`, which runs this package's script in
 * the package root and keeps the user's folder in INIT_CWD.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isHttpUrl } from "./args.mjs";

/** This package's root: where npm runs its own scripts. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} cwd the process's working directory
 * @param {string} [packageRoot]
 * @returns {string}
 */
export function userDirectory(env, cwd, packageRoot = PACKAGE_ROOT) {
  // Only for this package's own script in its own root: an INIT_CWD inherited from some other npm
  // script (one that changes folder before running the CLI, say) must not beat the real cwd.
  const ownNpmScript =
    env.npm_lifecycle_event === "run-batch" && path.resolve(cwd) === path.resolve(packageRoot);
  return ownNpmScript && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/**
 * Makes every local path absolute, so messages and the command printed for later name the same
 * files wherever they are read.
 * @param {import("./args.mjs").RunBatchOptions} options
 * @param {string} dir the user's folder
 * @returns {import("./args.mjs").RunBatchOptions}
 */
export function resolveLocalPaths(options, dir) {
  /** @param {string} p */
  const at = (p) => (isHttpUrl(p) ? p : path.resolve(dir, p));
  /** @param {string | null} p */
  const maybe = (p) => (p === null ? null : at(p));
  return {
    ...options,
    inputFile: at(options.inputFile),
    outputFile: maybe(options.outputFile),
    errorFile: maybe(options.errorFile),
    outputTmpDir: maybe(options.outputTmpDir),
  };
}
