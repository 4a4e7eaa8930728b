/**
 * Who is logged in: `POST /auth/login` (docs/realtime-api.md) then `GET /console/session` (contract B).
 * `elevated` mirrors the server's rule (manager/admin not restricted to own records): it only decides
 * which screens are shown; the server enforces every route anyway.
 */
import { ApiFailure, get } from './client';
import { tokens } from './tokens';

export type Role = 'user' | 'manager' | 'admin';

export interface ConsoleSession {
  user: { id: number; name: string; email: string; role: Role; extension?: string; ownRecordsOnly: boolean };
  account: { id: string; name: string; timezone: string };
}

export function isElevated(s: ConsoleSession): boolean {
  return (s.user.role === 'manager' || s.user.role === 'admin') && !s.user.ownRecordsOnly;
}

export async function login(email: string, password: string): Promise<ConsoleSession> {
  const res = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: email, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; refreshToken?: string; error?: string; message?: string };
  if (!res.ok || !body.token || !body.refreshToken) throw new ApiFailure(res.status, body.error ?? 'login_failed', body.message ?? 'login failed');
  tokens.set({ token: body.token, refreshToken: body.refreshToken });
  return loadSession();
}

export function loadSession(): Promise<ConsoleSession> {
  return get<ConsoleSession>('/console/session');
}

export function logout(): void {
  tokens.clear();
}
