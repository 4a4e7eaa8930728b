/** Small timing helpers for the tour: every wait is bounded and says what it was waiting for. */
import { DemoError } from './errors.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves or rejects like `promise`, or rejects with `DemoError(message)` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoError(message)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Marks a promise as handled now (its rejection is awaited later), so a step that fails before awaiting it
 * does not crash the process with an unhandled rejection. Returns the same promise.
 */
export function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** `1234` → `1.2 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
