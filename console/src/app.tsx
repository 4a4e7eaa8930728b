/** The shell: the login screen until there is a session, then the menu and the current screen. */
import { useEffect, useState } from 'preact/hooks';
import { whenSignedOut } from './api/client';
import { isElevated, loadSession, logout, type ConsoleSession } from './api/session';
import { tokens } from './api/tokens';
import { navigate, useRoute } from './router';
import { Login } from './screens/login';
import { SCREENS } from './screens';

export function App() {
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [checking, setChecking] = useState(tokens.get() !== null);
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();

  useEffect(() => {
    whenSignedOut(() => setSession(null));
    if (!tokens.get()) return;
    loadSession()
      .then(setSession, (e: unknown) => {
        tokens.clear();
        setError(e);
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="loading">Loading…</p>;
  if (!session) return <Login onLogin={setSession} error={error} />;

  const elevated = isElevated(session);
  const screens = SCREENS.filter((s) => elevated || !s.account);
  const screen = screens.find((s) => s.route === route) ?? screens[0]!;
  const Component = screen.component;
  return (
    <div class="shell">
      <nav class="menu">
        <div class="brand">Ringside</div>
        {screens.map((s) => (
          <a key={s.route} href={`#/${s.route}`} class={s === screen ? 'active' : ''} data-screen={s.route}>
            {s.title}
          </a>
        ))}
        <div class="who">
          <span class="who-name">{session.user.name}</span>
          <span class="who-role">
            {session.user.role} · {session.account.name}
          </span>
          <button
            type="button"
            onClick={() => {
              logout();
              setSession(null);
              navigate('');
            }}
          >
            Log out
          </button>
        </div>
      </nav>
      <main class="screen" data-screen={screen.route}>
        <h1>{screen.title}</h1>
        <Component key={screen.route} session={session} elevated={elevated} />
      </main>
    </div>
  );
}
