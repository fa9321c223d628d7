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

// What a file-system error code means, in words a user reads (not ENOENT).
const ERRNO_WORDS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  EEXIST: "it already exists",
  ENOTEMPTY: "the folder is not empty",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
};

/** An errno code in words: `no such file or folder (ENOENT)`. */
export function errnoWords(code: string | undefined): string {
  if (code === undefined) return "failed";
  const words = ERRNO_WORDS[code];
  return words ? `${words} (${code})` : code;
}

// The action a system call was, in words.
const SYSCALL_WORDS: Record<string, string> = {
  mkdir: "create the folder",
  open: "open",
  read: "read",
  write: "write",
  rename: "move",
  unlink: "remove",
  rmdir: "remove the folder",
  rm: "remove",
  scandir: "list the folder",
  opendir: "list the folder",
  copyfile: "copy",
  cp: "copy",
  symlink: "link",
  chmod: "change the mode of",
  access: "reach",
  stat: "find",
  lstat: "find",
  mkdtemp: "create a temporary folder in",
};

/**
 * A Node file-system error (it has `syscall` and `path`) as E_IO, located at its path:
 * `cannot create the folder /root/.cache/nsmatrix/kernels: permission denied (EACCES)`.
 * Anything else: undefined.
 */
export function fileSystemError(e: unknown): NsmError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.syscall !== "string" || typeof err.path !== "string")
    return undefined;
  const action = SYSCALL_WORDS[err.syscall] ?? err.syscall;
  const dest = (err as { dest?: unknown }).dest;
  const where = typeof dest === "string" ? `${err.path} to ${dest}` : err.path;
  return new NsmError("E_IO", `cannot ${action} ${where}: ${errnoWords(err.code)}`);
}
