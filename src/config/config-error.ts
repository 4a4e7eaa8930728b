/** A provisioning problem, naming the file, the JSON-pointer path, the line when known, and the problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, this one first; a file is checked whole so one run lists all of them. */
  problems: ConfigError[] = [this];
  /** This one problem as a line (`message` of the first lists every problem once `many()` gathered them). */
  readonly text: string;

  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${path === '' ? '(document)' : path}: ${problem}`);
    this.text = this.message;
  }

  static many(problems: ConfigError[]): ConfigError {
    const first = problems[0] ?? new ConfigError('<config>', '', 'invalid');
    first.problems = problems;
    if (problems.length > 1) first.message = problems.map((p) => p.message).join('\n');
    return first;
  }
}
