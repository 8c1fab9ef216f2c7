/**
 * Errors in a pipeline file, each with the file, line and column it points at.
 * Loading collects every error of a file before it throws, so a user fixes them in one pass.
 */

export interface SourcePosition {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface PipelineIssue {
  position: SourcePosition;
  message: string;
}

export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/** Thrown with every problem found in a pipeline file. */
export class PipelineError extends Error {
  readonly issues: PipelineIssue[];

  constructor(issues: PipelineIssue[]) {
    const lines = issues.map((issue) => `${formatPosition(issue.position)}: ${issue.message}`);
    const count = issues.length === 1 ? "1 error" : `${issues.length} errors`;
    super(`invalid pipeline (${count}):\n${lines.join("\n")}`);
    this.name = "PipelineError";
    this.issues = issues;
  }
}

/** Collects issues while a pipeline is loaded, then throws them together. */
export class IssueList {
  readonly issues: PipelineIssue[] = [];

  add(position: SourcePosition, message: string): void {
    this.issues.push({ position, message });
  }

  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const sorted = [...this.issues].sort(
      (a, b) => a.position.line - b.position.line || a.position.column - b.position.column,
    );
    throw new PipelineError(sorted);
  }
}
