/**
 * Task id globs for `--only` and `--force`. `*` matches any run of characters and `?` one
 * character. Everything else, brackets included, is literal, because task ids contain `[`.
 * A stage id alone matches every task of that stage (`train` matches `train[loss=ce]`).
 */
export function matchesGlob(glob: string, taskId: string): boolean {
  if (taskId.startsWith(`${glob}[`)) return true;
  const pattern = glob.split("").map(globCharToRegExp).join("");
  return new RegExp(`^${pattern}$`).test(taskId);
}

function globCharToRegExp(char: string): string {
  if (char === "*") return ".*";
  if (char === "?") return ".";
  return char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}
