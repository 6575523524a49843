import { useEffect, useState } from 'preact/hooks';
import { getJson, SIGN_IN_REQUIRED_EVENT } from './lib/api';
import { isAdmin } from './lib/roles';
import { BASE, navigate, useRoute } from './lib/router';
import { currentToken, finishSignIn, signOut, startSignIn } from './lib/session';
import type { UserInfo } from './lib/types';
import { ErrorAlert } from './components/ErrorAlert';
import { Overview } from './pages/Overview';
import { Servers } from './pages/Servers';
import { ServerDetail } from './pages/ServerDetail';
import { Audit } from './pages/Audit';
import { Settings } from './pages/Settings';
import { Usage } from './pages/Usage';
import { SignIn } from './pages/SignIn';

type Session =
  { state: 'signed-out'; error?: unknown } | { state: 'loading' } | { state: 'in'; user: UserInfo };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });

  useEffect(() => {
    const loadUser = () =>
      getJson<UserInfo>('/oauth/userinfo').then(
        (user) => setSession({ state: 'in', user }),
        (error: unknown) => setSession({ state: 'signed-out', error }),
      );
    const onSignInRequired = () => setSession({ state: 'signed-out' });
    window.addEventListener(SIGN_IN_REQUIRED_EVENT, onSignInRequired);
    if (window.location.pathname === `${BASE}/callback`) {
      finishSignIn(new URLSearchParams(window.location.search)).then(
        (returnTo) => {
          // The code leaves the address bar (and history) at once.
          window.history.replaceState(null, '', `${BASE}${returnTo}`);
          window.dispatchEvent(new PopStateEvent('popstate'));
          void loadUser();
        },
        (error: unknown) => {
          window.history.replaceState(null, '', `${BASE}/`);
          setSession({ state: 'signed-out', error });
        },
      );
    } else if (currentToken()) {
      void loadUser();
    } else {
      setSession({ state: 'signed-out' });
    }
    return () => window.removeEventListener(SIGN_IN_REQUIRED_EVENT, onSignInRequired);
  }, []);

  if (session.state === 'loading') {
    return (
      <div class="container py-5 text-center" role="status">
        <div class="spinner-border" aria-hidden="true" />
        <p class="mt-2">Loading…</p>
      </div>
    );
  }
  if (session.state === 'signed-out') {
    return (
      <SignIn error={session.error} onSignIn={() => void startSignIn(route === '/callback' ? '/' : route)} />
    );
  }
  const user = session.user;
  return (
    <>
      <Nav user={user} route={route} onSignOut={() => (signOut(), setSession({ state: 'signed-out' }))} />
      <main class="container-xl py-4" id="main">
        <Page route={route} user={user} />
      </main>
    </>
  );
}

function Page({ route, user }: { route: string; user: UserInfo }) {
  const detail = /^\/servers\/([0-9a-f-]{36})$/i.exec(route);
  if (detail) return <ServerDetail id={detail[1]} user={user} />;
  if (route === '/servers') return <Servers user={user} />;
  if (route === '/audit') {
    return isAdmin(user) ? (
      <Audit user={user} />
    ) : (
      <ErrorAlert error={new Error('The audit trail is for administrators.')} />
    );
  }
  if (route === '/usage' || route === '/settings') {
    if (!isAdmin(user)) return <ErrorAlert error={new Error('This page is for administrators.')} />;
    return route === '/usage' ? <Usage /> : <Settings />;
  }
  return <Overview user={user} />;
}

function Nav({ user, route, onSignOut }: { user: UserInfo; route: string; onSignOut: () => void }) {
  const links: [string, string][] = [
    ['/', 'Overview'],
    ['/servers', 'Servers'],
    ...(isAdmin(user)
      ? ([
          ['/audit', 'Audit'],
          ['/usage', 'Usage'],
          ['/settings', 'Settings'],
        ] as [string, string][])
      : []),
  ];
  const active = (path: string) => (path === '/' ? route === '/' : route.startsWith(path));
  return (
    <nav class="navbar navbar-expand bg-dark border-bottom" data-bs-theme="dark" aria-label="Main">
      <div class="container-xl">
        <a
          class="navbar-brand fw-semibold"
          href={`${BASE}/`}
          onClick={(event) => (event.preventDefault(), navigate('/'))}
        >
          MCP Registry Gateway
        </a>
        <ul class="navbar-nav me-auto">
          {links.map(([path, label]) => (
            <li class="nav-item" key={path}>
              <a
                class={`nav-link${active(path) ? ' active' : ''}`}
                aria-current={active(path) ? 'page' : undefined}
                href={`${BASE}${path}`}
                onClick={(event) => (event.preventDefault(), navigate(path))}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
        <span class="navbar-text me-3 small" data-testid="who">
          {user.name ?? user.sub} · {user.tenantKey} · {user.roles.join(', ')}
        </span>
        <button type="button" class="btn btn-outline-light btn-sm text-nowrap" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </nav>
  );
}
