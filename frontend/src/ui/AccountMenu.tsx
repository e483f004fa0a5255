/** The account corner: sign up, log in, log out. Anonymous visitors keep their drafts. */
import { useEffect, useState, type FormEvent } from 'react';
import { useAccount } from '../store/account';
import { Dialog } from './Dialog';

type Mode = 'login' | 'signup' | null;

export function AccountMenu({ onChange }: { onChange?: () => void }) {
  const me = useAccount((s) => s.me);
  const refresh = useAccount((s) => s.refresh);
  const logout = useAccount((s) => s.logout);
  const [mode, setMode] = useState<Mode>(null);

  useEffect(() => {
    if (!me) void refresh().catch(() => undefined);
  }, [me, refresh]);

  if (me?.authenticated) {
    return (
      <div className="account" data-testid="account-menu">
        <span className="account-name" data-testid="account-name">
          {me.username}
        </span>
        <button
          type="button"
          className="ghost"
          data-testid="logout"
          onClick={() => void logout().then(onChange)}
        >
          Log out
        </button>
      </div>
    );
  }
  return (
    <div className="account" data-testid="account-menu">
      <button type="button" className="ghost" data-testid="login-open" onClick={() => setMode('login')}>
        Log in
      </button>
      <button type="button" className="secondary" data-testid="signup-open" onClick={() => setMode('signup')}>
        Sign up
      </button>
      {mode && (
        <AccountDialog
          mode={mode}
          onSwitch={setMode}
          onClose={() => setMode(null)}
          onDone={() => {
            setMode(null);
            onChange?.();
          }}
        />
      )}
    </div>
  );
}

function AccountDialog({
  mode,
  onSwitch,
  onClose,
  onDone,
}: {
  mode: 'login' | 'signup';
  onSwitch: (m: Mode) => void;
  onClose: () => void;
  onDone: () => void;
}) {
  const login = useAccount((s) => s.login);
  const signup = useAccount((s) => s.signup);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await login(username, password);
      else await signup(username, String(form.get('email') ?? ''), password);
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={mode === 'login' ? 'Log in' : 'Create an account'} onClose={onClose} testId="account-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted">Designs you made before are kept: they move to your account.</p>
        <label>
          Username
          <input name="username" autoComplete="username" required data-testid="account-username" />
        </label>
        {mode === 'signup' && (
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required data-testid="account-email" />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            data-testid="account-password"
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="account-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="account-submit">
            {mode === 'login' ? 'Log in' : 'Sign up'}
          </button>
          <button type="button" className="link-button" onClick={() => onSwitch(mode === 'login' ? 'signup' : 'login')}>
            {mode === 'login' ? 'No account yet? Sign up' : 'Have an account? Log in'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
