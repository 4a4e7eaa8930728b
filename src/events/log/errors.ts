/** Named errors of the events layer. */

export class LogClosedError extends Error {
  override readonly name = 'LogClosedError';
  constructor() {
    super('the event log is closed');
  }
}
