/** The start page: a new design, the chapter's six stages as templates, and your designs. */
import { useCallback, useEffect, useState } from 'react';
import { api, type ScenarioSummary } from '../api/scenarios';
import { TEMPLATES, type Template } from '../domain/templates';
import { exercisesApi, type ShippedExercise } from '../exercises/api';
import { navigate } from '../router';
import { AccountMenu } from '../ui/AccountMenu';
import { MiniGraph } from '../ui/MiniGraph';
import { TopBar } from '../ui/TopBar';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function Home() {
  const [designs, setDesigns] = useState<ScenarioSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    api
      .list()
      .then(setDesigns)
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);

  const [exercises, setExercises] = useState<ShippedExercise[]>([]);
  useEffect(() => {
    exercisesApi
      .shipped()
      .then(setExercises)
      .catch(() => setExercises([])); // the start page works without them
  }, []);

  async function fromTemplate(t: Template) {
    setBusy(t.slug);
    try {
      const created = await api.create(t.document.name || `Stage ${t.stage}: ${t.title}`, t.document, t.description);
      navigate(`/d/${created.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  }

  async function remove(d: ScenarioSummary) {
    if (!window.confirm(`Delete “${d.title}”? Its revisions and share links go too.`)) return;
    try {
      await api.remove(d.id);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="app">
      <TopBar>
        <AccountMenu onChange={load} />
      </TopBar>
      <main className="home" data-testid="home">
        <section className="home-hero">
          <div>
            <h1>Build it, load it, break it.</h1>
            <p className="muted">
              Design a system on a canvas and see what it carries: the largest number of users, the
              bottleneck, the monthly bill and every single point of failure.
            </p>
          </div>
          <button type="button" className="primary big" data-testid="new-design" onClick={() => navigate('/new')}>
            + New design
          </button>
        </section>

        {error && (
          <p className="error" role="alert" data-testid="home-error">
            {error}
          </p>
        )}

        <section aria-labelledby="templates-title">
          <h2 id="templates-title">Start from a stage of the chapter</h2>
          <ol className="template-grid" data-testid="templates">
            {TEMPLATES.map((t) => (
              <li key={t.slug}>
                <button
                  type="button"
                  className="template-card"
                  data-testid={`template-${t.stage}`}
                  disabled={busy !== null}
                  onClick={() => void fromTemplate(t)}
                >
                  <MiniGraph doc={t.document} />
                  <span className="template-stage">Stage {t.stage}</span>
                  <span className="template-title">{t.title}</span>
                  <span className="template-desc">{t.description}</span>
                </button>
              </li>
            ))}
          </ol>
        </section>

        <section aria-labelledby="designs-title">
          <h2 id="designs-title">Your designs</h2>
          {designs === null && !error && <p className="muted">Loading…</p>}
          {designs?.length === 0 && (
            <p className="muted" data-testid="no-designs">
              Nothing yet. Designs you start here are kept in this browser session; sign up to keep
              them for good.
            </p>
          )}
          {designs && designs.length > 0 && (
            <ul className="design-list" data-testid="designs">
              {designs.map((d) => (
                <li key={d.id} className="design-row" data-testid="design-row">
                  <a
                    href={`/d/${d.id}`}
                    className="design-open"
                    data-testid="design-open"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/d/${d.id}`);
                    }}
                  >
                    <span className="design-title">{d.title}</span>
                    {d.forked_from && <span className="tag">fork</span>}
                  </a>
                  <span className="muted small">
                    rev {d.revision} · {when.format(new Date(d.updated_at))}
                  </span>
                  <button
                    type="button"
                    className="ghost small"
                    aria-label={`Delete ${d.title}`}
                    data-testid="design-delete"
                    onClick={() => void remove(d)}
                  >
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        {exercises.length > 0 && (
          <section aria-labelledby="exercises-title">
            <h2 id="exercises-title">Exercises from the chapter</h2>
            <ul className="exercise-cards" data-testid="shipped-exercises">
              {exercises.map((x) => (
                <li key={x.path} className="exercise-card" data-testid="shipped-exercise">
                  <a
                    href={x.path}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(x.path);
                    }}
                  >
                    <strong>{x.title}</strong>
                  </a>
                  <ul className="muted small">
                    {x.criteria.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </section>
        )}

        <footer className="home-foot muted small">
          <a
            href="/pipeline"
            data-testid="pipeline-link"
            onClick={(e) => {
              e.preventDefault();
              navigate('/pipeline');
            }}
          >
            Pipeline check
          </a>
          {' · '}
          <a
            href="/exercises"
            data-testid="exercises-home-link"
            onClick={(e) => {
              e.preventDefault();
              navigate('/exercises');
            }}
          >
            Exercises (instructors)
          </a>
          {' · '}
          <a href="/api/docs">API</a>
        </footer>
      </main>
    </div>
  );
}
