/**
 * The login's tokens, kept in sessionStorage: they survive a reload of the tab but not the tab itself, and
 * no other site's script can read them.
 */
export interface Tokens {
  token: string;
  refreshToken: string;
}

const KEY = 'ringside.tokens';

export const tokens = {
  get(): Tokens | null {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Tokens;
    } catch {
      return null;
    }
  },
  set(t: Tokens): void {
    sessionStorage.setItem(KEY, JSON.stringify(t));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
