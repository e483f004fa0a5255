/** The page a password-reset email links to: choose a new password. */
import { useState, type FormEvent } from 'react';
import { api } from '../api/scenarios';
import { navigate } from '../router';
import { TopBar } from '../ui/TopBar';

export function ResetPassword({ uid, token }: { uid: string; token: string }) {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    try {
      await api.passwordResetConfirm({ uid, token, new_password: password });
      setDone(true);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <div className="app">
      <TopBar />
      <main className="message-page">
        <h1>Choose a new password</h1>
        {done ? (
          <p>
            Your password is changed.{' '}
            <button type="button" className="link-button" onClick={() => navigate('/')}>
              Go to the start page
            </button>
          </p>
        ) : (
          <form className="form narrow" onSubmit={(e) => void submit(e)}>
            <label>
              New password
              <input name="password" type="password" autoComplete="new-password" required data-testid="reset-password" />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" data-testid="reset-submit">
              Set password
            </button>
          </form>
        )}
      </main>
    </div>
  );
}
