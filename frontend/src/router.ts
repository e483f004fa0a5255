/** A small client-side router over the History API; Django serves index.html for each route. */
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'home' }
  | { page: 'new' }
  | { page: 'design'; id: string }
  | { page: 'shared'; token: string }
  | { page: 'pipeline' }
  | { page: 'exercises' }
  | { page: 'reset'; uid: string; token: string }
  | { page: 'missing'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
  if (path === '/new') return { page: 'new' };
  if (path === '/pipeline') return { page: 'pipeline' };
  // Exercises route their own pages (src/exercises/routes.ts).
  if (/^\/(exercises|x)(\/|$)/.test(path)) return { page: 'exercises' };
  let m = /^\/d\/([^/]+)$/.exec(path);
  if (m) return { page: 'design', id: decodeURIComponent(m[1]) };
  m = /^\/s\/([^/]+)$/.exec(path);
  if (m) return { page: 'shared', token: decodeURIComponent(m[1]) };
  m = /^\/account\/reset\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) return { page: 'reset', uid: m[1], token: m[2] };
  return { page: 'missing', path };
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}
