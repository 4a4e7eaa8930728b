/** Errors every layer shares. Layer-specific errors live in each layer's own errors.ts. */

/** An operation called in a state that does not allow it (accepting an INVITE twice, using a closed
 *  endpoint, connecting an endpoint that is already in a bridge). */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}
