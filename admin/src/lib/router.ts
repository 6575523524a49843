import { useEffect, useState } from 'preact/hooks';

/** The console's routes live under /admin; the gateway answers each with the app (SPA fallback). */
export const BASE = '/admin';

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The path below /admin, e.g. `/servers/123`; re-renders on navigation. */
export function useRoute(): string {
  const read = () => window.location.pathname.slice(BASE.length) || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const update = () => setPath(read());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}
