/**
 * Calls `onEvent` for every live event of the account (or of the user, for a `user` login) — the realtime
 * dialect of `/events/stream`. Screens use it to refresh at once instead of waiting for their next poll.
 */
import { useEffect, useRef } from 'preact/hooks';
import { openEventStream, type Dialect, type StreamEvent } from '../api/event-stream';

export function useLiveEvents(onEvent: (e: StreamEvent) => void, dialect: Dialect = 'realtime'): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => openEventStream({ dialect, onEvent: (e) => handler.current(e) }), [dialect]);
}

/** Runs `fn` every `ms` while the screen is shown. */
export function useInterval(fn: () => void, ms: number): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const t = setInterval(() => saved.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}
