/**
 * Task id globs for `--only` and `--force`: `*` matches any run of characters and `?` one
 * character; everything else, brackets included, is literal, because task ids contain `[`.
 * A stage id alone matches every task of that stage (`train` matches `train[loss=ce]`).
 */
export function matchesGlob(glob: string, taskId: string): boolean {
  if (taskId.startsWith(`${glob}[`)) return true;
  const pattern = glob
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`).test(taskId);
}
