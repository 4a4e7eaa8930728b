/** A refused text: `code` is the API's `error`, `statusCode` the HTTP status, the message names the problem. */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}
