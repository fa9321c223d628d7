// One error type for everything nsmatrix reports to a user; the code picks the exit status.
export type ErrorCode =
  | "E_USAGE"
  | "E_YAML"
  | "E_SCHEMA"
  | "E_IO"
  | "E_PRIVILEGE"
  | "E_TOOL"
  | "E_BACKEND"
  | "E_TIMEOUT"
  | "E_INTERRUPTED"
  | "E_INTERNAL";

/** A problem located in a user's file. */
export interface SourceIssue {
  file: string;
  line: number;
  col: number;
  message: string;
  /** The source line with a caret under the column. */
  excerpt?: string;
}

export class NsmError extends Error {
  readonly code: ErrorCode;
  readonly issues: SourceIssue[];
  constructor(code: ErrorCode, message: string, issues: SourceIssue[] = []) {
    super(message);
    this.name = "NsmError";
    this.code = code;
    this.issues = issues;
  }
}

/** Renders issues as `file:line:col: message` followed by the source line and a caret. */
export function formatIssues(issues: SourceIssue[]): string {
  return issues
    .map((i) => {
      const head = `${i.file}:${i.line}:${i.col}: ${i.message}`;
      return i.excerpt ? `${head}\n${i.excerpt}` : head;
    })
    .join("\n");
}
