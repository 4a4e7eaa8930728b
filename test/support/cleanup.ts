/**
 * `t.after` for scripts that have no test context (benches, harnesses run by a bench and a test): what
 * to undo, run last first at the end; a failing step does not stop the others.
 */
export class Cleanup {
  readonly #fns: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.#fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.#fns.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort: the rest still runs
      }
    }
  }
}
