/** One problem found in a configuration, located by a rendered path such as `users[1].password`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export type PathSegment = string | number;

/** Raised by `parseConfig` with every problem found; the message lists them one per line. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n"));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rendering of the empty path (the document itself). */
export const ROOT_PATH = "(root)";

/**
 * Renders a path the way a reader would write it in JavaScript: `topology.customer["-80"].primary`.
 * Plain identifiers are dotted, anything else (shard names, keys with dashes) is bracket-quoted.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? ROOT_PATH : out;
}

/** Collects issues while a check runs, so one pass reports every problem rather than the first. */
export class IssueList {
  readonly issues: ConfigIssue[] = [];

  add(path: readonly PathSegment[], message: string): void {
    this.issues.push({ path: formatPath(path), message });
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new ConfigError(this.issues);
  }
}
