/** Loads a design into the stores (document, then where it lives): done, or why it could not. */
import { useEffect, useState } from 'react';
import type { ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession, type SessionState } from '../store/session';
import { useUi } from '../store/ui';

export function useOpenDesign<T extends { document: ScenarioDocument }>(
  key: string,
  fetchDesign: () => Promise<T>,
  sessionOf: (found: T) => Partial<SessionState>,
): { error: string | null; loaded: boolean } {
  const [error, setError] = useState<string | null>(null);
  // Per visit: a design seen before is still in the stores, but may have changed since.
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let cancelled = false;
    setError(null);
    setLoaded(false);
    useUi.setState({ view: 'canvas', dialog: null });
    fetchDesign()
      .then((found) => {
        if (cancelled) return;
        useDesign.getState().load(found.document);
        useSession.getState().reset(sessionOf(found));
        setLoaded(true);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
    // Opened once per design: the callbacks are new on every render but say the same thing.
  }, [key]);
  return { error, loaded };
}
