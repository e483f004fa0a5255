/** Share: create, copy and revoke read-only links to the design. */
import { useEffect, useState } from 'react';
import { api, type ShareLink } from '../api/scenarios';
import { useSession } from '../store/session';
import { useUi } from '../store/ui';
import { Dialog } from '../ui/Dialog';

export function ShareDialog() {
  const scenarioId = useSession((s) => s.scenarioId);
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const close = () => useUi.getState().open(null);

  const load = () => {
    if (!scenarioId) return;
    api
      .shareLinks(scenarioId)
      .then(setLinks)
      .catch((e: Error) => setError(e.message));
  };
  useEffect(load, [scenarioId]);

  const active = links?.filter((l) => l.active) ?? [];
  const absolute = (url: string) => new URL(url, window.location.origin).toString();

  async function create() {
    if (!scenarioId) return;
    setError(null);
    try {
      await api.share(scenarioId);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function revoke(token: string) {
    if (!scenarioId) return;
    try {
      await api.revoke(scenarioId, token);
      useUi.getState().notify('Link revoked: it no longer opens the design.', 'ok');
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      useUi.getState().notify('Link copied.', 'ok');
    } catch {
      useUi.getState().notify('Copy failed: select the link and copy it by hand.', 'error');
    }
  }

  return (
    <Dialog title="Share a read-only link" onClose={close} testId="share-dialog">
      <p className="muted">
        Anyone with the link sees this design as it is saved, read-only, and can fork their own
        copy. Revoke a link to close it.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {links === null && !error && <p className="muted">Loading…</p>}
      <ul className="share-links">
        {active.map((l) => (
          <li key={l.token} data-testid="share-link">
            <input readOnly value={absolute(l.url)} aria-label="Share link" data-testid="share-url" onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" data-testid="share-copy" onClick={() => void copy(absolute(l.url))}>
              Copy
            </button>
            <button type="button" className="ghost" data-testid="share-revoke" onClick={() => void revoke(l.token)}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <button type="button" className="primary" data-testid="share-create" onClick={() => void create()}>
          {active.length ? 'Create another link' : 'Create link'}
        </button>
      </div>
    </Dialog>
  );
}
