/**
 * Named errors of the demo tour. Each message says what the simulated party tried and what happened, so a
 * failed step's line tells a newcomer where to look.
 */

/** A scripted action of the tour did not happen as the script expects (nobody rang, no answer, …). */
export class DemoError extends Error {
  override readonly name: string = 'DemoError';
}

/** An INVITE a simulated party sent got a final non-2xx response (or the stack's synthetic 408/503). */
export class CallRefusedError extends DemoError {
  override readonly name = 'CallRefusedError';
  constructor(
    readonly target: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`the call to ${target} was refused: ${status} ${reason}`);
  }
}

/** Nothing answers where the tour expects a Ringside (HTTP health check, login, WebSocket). */
export class RingsideUnreachableError extends DemoError {
  override readonly name = 'RingsideUnreachableError';
}
