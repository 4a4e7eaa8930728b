import type { Party, UserRef } from '../../events/model/facts.js';

/** `userData` as it goes on the wire (spec realtime §4.2): the id, plus pin/name/username when known. */
export interface UserData {
  id: string;
  pin?: string;
  name?: string;
  username?: string;
}

/**
 * Every user a session has involved so far, in the order they appeared. It is both the audience of the
 * session's events (a user stream carries "every event that carries the authenticated user's id",
 * spec realtime §2.3, so every rung user sees the call) and the place `userData` is looked up: facts
 * name the same user with more or less detail, and the first known value of each field is kept.
 */
export class SessionUsers {
  readonly #users = new Map<string, UserData>();

  /** Records a user by id or by reference; later references fill in fields still unknown. */
  add(ref: UserRef | string | undefined): void {
    if (ref === undefined) return;
    const incoming: UserRef = typeof ref === 'string' ? { id: ref } : ref;
    if (typeof incoming.id !== 'string' || incoming.id === '') return;
    const known = this.#users.get(incoming.id) ?? { id: incoming.id };
    for (const key of ['pin', 'name', 'username'] as const) {
      const value = incoming[key];
      if (known[key] === undefined && typeof value === 'string' && value !== '') known[key] = value;
    }
    this.#users.set(incoming.id, known);
  }

  /** The user a party belongs to, when it is a user's device (facts.ts `Party.userId`). */
  addParty(party: Party): void {
    if (party.userId === undefined) return;
    this.add(party.name === undefined ? party.userId : { id: party.userId, name: party.name });
  }

  ids(): string[] {
    return [...this.#users.keys()];
  }

  /** A copy of what is known about the user, for `userData`. */
  data(id: string): UserData {
    return { ...(this.#users.get(id) ?? { id }) };
  }

  pin(id: string): string | undefined {
    return this.#users.get(id)?.pin;
  }
}
