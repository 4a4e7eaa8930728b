/** A failed request as the server told it: status, code and message, rendered as text. */
import { ApiFailure } from '../api/client';

export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) return `${err.status ? `${err.status} ` : ''}${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}
