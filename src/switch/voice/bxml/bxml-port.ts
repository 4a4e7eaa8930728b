/**
 * What a BXML call needs from outside the switch (spec bandwidth §1.2 "BXML mode"): its own voice-API
 * events as the log projects them (the callbacks' exact fields), and synchronous GETs of those events
 * whose answer is the next document. The switch sees neither the log nor the webhook engine
 * (ARCHITECTURE.md "Layers"): app/bxml-port.ts implements this over both.
 */

/** One projected voice-API event of the call's session. */
export interface BxmlEvent {
  /** The logged event's id (the requests' `X-Ringside-Event-Id`). */
  id?: string;
  name: string;
  /** The voice-API call the event is about. */
  callId?: string;
  /** The callback's fields exactly as logged (sent as query parameters). */
  payload: Record<string, unknown>;
}

/** Where one request goes: a callback URL with its fallback, or a verb's `requestUrl`. */
export interface BxmlRequestTarget {
  url: string;
  fallbackUrl?: string;
  timeoutMs: number;
}

/** A 2xx answer, its body cut at `maxBytes` + 1 (so an oversized document is seen as such, never read whole). */
export interface BxmlAnswer {
  url: string;
  status: number;
  contentType: string;
  body: string;
}

export interface BxmlPort {
  /** Calls `onEvent` with each voice-API event of the session logged from now on, in log order. */
  follow(sessionId: string, onEvent: (e: BxmlEvent) => void): { close(): void };
  /** GETs the event to the target (then to its fallback), spec bandwidth §1.2; rejects when neither
   *  answered 2xx in time. */
  get(target: BxmlRequestTarget, event: BxmlEvent, maxBytes: number): Promise<BxmlAnswer>;
}
