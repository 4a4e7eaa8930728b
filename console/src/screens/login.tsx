/** Login with the same credentials as `POST /auth/login`. */
import { useState } from 'preact/hooks';
import { login, type ConsoleSession } from '../api/session';
import { ErrorBox } from '../components/error-box';

export function Login({ onLogin, error: initial }: { onLogin(s: ConsoleSession): void; error: unknown }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(initial);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="login"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        login(email, password).then(onLogin, (err: unknown) => {
          setError(err);
          setBusy(false);
        });
      }}
    >
      <h1>Ringside console</h1>
      <label>
        E-mail
        <input name="email" type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
      </label>
      <button type="submit" disabled={busy}>
        Log in
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
