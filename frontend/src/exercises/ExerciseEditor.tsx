/** `/exercises/new` and `/exercises/<id>`: the authoring form — title, brief with a live
 * preview, starting design, locks, bans and limits, traffic, drills, typed criteria — with
 * save, publish and the link to hand out. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { api as scenariosApi, type ScenarioSummary } from '../api/scenarios';
import { KINDS } from '../domain/kinds';
import { NODE_KINDS, type NodeKind } from '../domain/scenario';
import { TEMPLATES } from '../domain/templates';
import { navigate } from '../router';
import { MiniGraph } from '../ui/MiniGraph';
import { exercisesApi, type Exercise } from './api';
import { ExerciseTabs, InstructorPage, ShareLink } from './InstructorChrome';
import { MarkdownPreview } from './markdown';
import { refusalReasons } from './report';
import {
  CRITERION_TYPES,
  FAILURE_ACTIONS,
  emptyForm,
  formCriterionLabel,
  formFromExercise,
  newCriterion,
  newDrill,
  specFromForm,
  withStartingDesign,
  type CriterionForm,
  type CriterionType,
  type Drill,
  type ExerciseForm,
  type FailureAction,
} from './spec';

const TYPE_NAMES: Record<CriterionType, string> = {
  latency: 'Latency percentile below a bound',
  availability: 'Availability during a drill',
  error_rate: 'Error rate below a bound',
  no_spof: 'No single point of failure',
  cost: 'Cost per month below a budget',
  max_users: 'Largest number of users above a bound',
};

/** A number input that keeps what is typed and hands on numbers (NaN while blank or wrong). */
function Num({
  value,
  onChange,
  testId,
  label,
  step = 'any',
  unit,
  blank = false,
}: {
  value: number | null | undefined;
  onChange: (n: number) => void;
  testId: string;
  label: string;
  step?: string;
  unit?: string;
  blank?: boolean;
}) {
  return (
    <label className="x-field">
      <span>
        {label}
        {unit && <span className="unit"> ({unit})</span>}
      </span>
      <input
        type="number"
        step={step}
        value={value === null || value === undefined || Number.isNaN(value) ? '' : value}
        placeholder={blank ? 'profile' : undefined}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value === '' ? Number.NaN : e.target.valueAsNumber)}
      />
    </label>
  );
}

function Choice<T extends string | number>({
  value,
  options,
  onChange,
  testId,
  label,
}: {
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (v: T) => void;
  testId: string;
  label: string;
}) {
  return (
    <label className="x-field">
      <span>{label}</span>
      <select
        value={String(value)}
        data-testid={testId}
        onChange={(e) => {
          const picked = options.find(([v]) => String(v) === e.target.value);
          if (picked) onChange(picked[0]);
        }}
      >
        {!options.some(([v]) => v === value) && <option value={String(value)}>{String(value)}</option>}
        {options.map(([v, text]) => (
          <option key={String(v)} value={String(v)}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Section({ title, children, hint }: { title: string; children: ReactNode; hint?: string }) {
  return (
    <section className="x-section">
      <h2>{title}</h2>
      {hint && <p className="muted small">{hint}</p>}
      {children}
    </section>
  );
}

export function ExerciseEditor({ id }: { id: string | null }) {
  const [form, setForm] = useState<ExerciseForm>(emptyForm);
  const [saved, setSaved] = useState<Exercise | null>(null);
  const [designs, setDesigns] = useState<ScenarioSummary[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const savedId = useRef<string | null>(null);

  useEffect(() => {
    scenariosApi.list().then(setDesigns, () => setDesigns([]));
    if (id === null) {
      const first = TEMPLATES[0];
      setSaved(null);
      setForm(first ? withStartingDesign(emptyForm(), first.document, `template:${first.slug}`) : emptyForm());
      return;
    }
    // Just created here: the form already holds what was saved.
    if (id === savedId.current) return;
    exercisesApi.get(id).then(
      (exercise) => {
        setSaved(exercise);
        setForm(formFromExercise(exercise));
      },
      (e: Error) => setLoadError(e.message),
    );
  }, [id]);

  const patch = (p: Partial<ExerciseForm>) => {
    setNotice(null);
    setForm((f) => ({ ...f, ...p }));
  };
  const setDrill = (i: number, d: Partial<Drill>) =>
    patch({ drills: form.drills.map((x, j) => (j === i ? { ...x, ...d } : x)) });
  const setCriterion = (i: number, c: Partial<CriterionForm>) =>
    patch({ criteria: form.criteria.map((x, j) => (j === i ? { ...x, ...c } : x)) });

  async function pickDesign(source: string) {
    setNotice(null);
    if (source.startsWith('template:')) {
      const t = TEMPLATES.find((x) => `template:${x.slug}` === source);
      if (t) setForm((f) => withStartingDesign(f, t.document, source));
    } else if (source.startsWith('design:')) {
      try {
        const scenario = await scenariosApi.get(source.slice('design:'.length));
        setForm((f) => withStartingDesign(f, scenario.document, source));
      } catch (e) {
        setIssues([(e as Error).message]);
      }
    }
  }

  async function save(): Promise<Exercise | null> {
    const { spec, issues: found } = specFromForm(form);
    if (!spec) {
      setIssues(found.map((i) => `${i.path}: ${i.msg}`));
      return null;
    }
    setBusy(true);
    setIssues([]);
    try {
      const body = { title: form.title.trim(), brief_md: form.brief_md, spec };
      const result = saved ? await exercisesApi.update(saved.id, body) : await exercisesApi.create(body);
      setSaved(result);
      savedId.current = result.id;
      setNotice('Saved.');
      if (!saved) navigate(`/exercises/${result.id}`, { replace: true });
      return result;
    } catch (e) {
      setIssues(e instanceof ApiError ? refusalReasons(e.body, e.message) : [(e as Error).message]);
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function setPublished(published: boolean) {
    const current = await save();
    if (!current) return;
    setBusy(true);
    try {
      setSaved(await exercisesApi.publish(current.id, published));
      setNotice(published ? 'Published: hand out the link.' : 'Unpublished: the link no longer opens.');
    } catch (e) {
      setIssues([(e as Error).message]);
    } finally {
      setBusy(false);
    }
  }

  if (loadError) {
    return (
      <InstructorPage testId="exercise-editor">
        <p className="error" role="alert" data-testid="exercise-load-error">
          {loadError}
        </p>
      </InstructorPage>
    );
  }

  const nodes = form.starting_design?.nodes ?? [];
  const drillNames = form.drills.map((d) => d.name);
  const targets = [
    ...nodes.map((n) => n.id),
    ...(form.starting_design?.edges ?? []).map((e) => `${e.from}->${e.to}`),
    ...new Set(nodes.map((n) => n.zone ?? 'zone-a')),
  ];

  return (
    <InstructorPage testId="exercise-editor">
      <header className="x-head">
        <div>
          <p className="muted small">{saved ? (saved.published ? 'Published' : 'Draft') : 'New exercise'}</p>
          <h1>{form.title.trim() || 'Untitled exercise'}</h1>
        </div>
      </header>
      {saved && <ExerciseTabs id={saved.id} current="edit" />}

      <Section title="Title and brief" hint="The brief is Markdown. Students see it rendered and sanitised by the server; the preview here shows text only.">
        <label className="x-field wide">
          <span>Title</span>
          <input value={form.title} maxLength={200} data-testid="exercise-title-input" onChange={(e) => patch({ title: e.target.value })} />
        </label>
        <div className="x-brief-edit">
          <label className="x-field wide">
            <span>Brief (Markdown)</span>
            <textarea rows={10} value={form.brief_md} data-testid="exercise-brief-input" onChange={(e) => patch({ brief_md: e.target.value })} />
          </label>
          <div className="x-preview">
            <span className="muted small">Preview</span>
            <MarkdownPreview source={form.brief_md} testId="brief-preview" />
          </div>
        </div>
      </Section>

      <Section title="Starting design" hint="Every student gets their own copy of it.">
        <div className="x-start">
          <label className="x-field">
            <span>Start from</span>
            <select value={form.source} data-testid="starting-design" onChange={(e) => void pickDesign(e.target.value)}>
              {form.source === 'kept' && <option value="kept">the saved starting design</option>}
              <optgroup label="Stages of the chapter">
                {TEMPLATES.map((t) => (
                  <option key={t.slug} value={`template:${t.slug}`}>
                    Stage {t.stage}: {t.title}
                  </option>
                ))}
              </optgroup>
              {designs.length > 0 && (
                <optgroup label="My designs">
                  {designs.map((d) => (
                    <option key={d.id} value={`design:${d.id}`}>
                      {d.title}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
          {form.starting_design && <MiniGraph doc={form.starting_design} />}
        </div>
        <fieldset className="x-checks" data-testid="locked-nodes">
          <legend>Locked nodes (may not be removed or changed)</legend>
          {nodes.map((n) => (
            <label key={n.id}>
              <input
                type="checkbox"
                data-testid={`lock-${n.id}`}
                checked={form.locked.includes(n.id)}
                onChange={(e) =>
                  patch({ locked: e.target.checked ? [...form.locked, n.id] : form.locked.filter((x) => x !== n.id) })
                }
              />{' '}
              {n.id} <span className="muted small">({KINDS[n.kind]?.title ?? n.kind})</span>
            </label>
          ))}
        </fieldset>
      </Section>

      <Section title="Components" hint="Ban a kind, or cap how many of it a design may have (blank: no cap).">
        <table className="x-table x-kinds">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Banned</th>
              <th>At most</th>
            </tr>
          </thead>
          <tbody>
            {NODE_KINDS.map((kind: NodeKind) => (
              <tr key={kind}>
                <td>{KINDS[kind].title}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Ban ${KINDS[kind].title}`}
                    data-testid={`ban-${kind}`}
                    checked={form.banned.includes(kind)}
                    onChange={(e) =>
                      patch({ banned: e.target.checked ? [...form.banned, kind] : form.banned.filter((k) => k !== kind) })
                    }
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    step={1}
                    className="x-small-input"
                    aria-label={`Most ${KINDS[kind].title} nodes`}
                    data-testid={`limit-${kind}`}
                    value={form.limits[kind] ?? ''}
                    onChange={(e) => patch({ limits: { ...form.limits, [kind]: e.target.value } })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Traffic profile" hint="Replaces whatever traffic a submission carries when it is graded.">
        <label className="x-inline">
          <input type="checkbox" checked={form.set_workload} data-testid="workload-set" onChange={(e) => patch({ set_workload: e.target.checked })} /> Grade every
          design under this traffic
        </label>
        {form.set_workload && (
          <div className="x-row">
            <Num label="Users" value={form.workload.users} step="1" testId="workload-users" onChange={(users) => patch({ workload: { ...form.workload, users } })} />
            <Num
              label="Requests per user"
              unit="/s"
              value={form.workload.requests_per_user_per_s}
              testId="workload-rps"
              onChange={(requests_per_user_per_s) => patch({ workload: { ...form.workload, requests_per_user_per_s } })}
            />
            {(['static', 'read', 'write'] as const).map((c) => (
              <Num key={c} label={`${c} share`} unit="%" value={form.workload[c]} testId={`workload-${c}`} onChange={(v) => patch({ workload: { ...form.workload, [c]: v } })} />
            ))}
          </div>
        )}
      </Section>

      <Section title="Failure drills" hint="Each drill runs the design under a schedule of failures; criteria can measure during it.">
        <datalist id="x-targets">
          {targets.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        {form.drills.map((d, i) => (
          <div className="x-card" key={i} data-testid={`drill-${i}`}>
            <div className="x-row">
              <label className="x-field">
                <span>Name</span>
                <input value={d.name} data-testid={`drill-${i}-name`} onChange={(e) => setDrill(i, { name: e.target.value })} />
              </label>
              <Num label="Users" blank value={d.users} step="1" testId={`drill-${i}-users`} onChange={(n) => setDrill(i, { users: Number.isNaN(n) ? null : n })} />
              <Num label="Duration" unit="s" value={d.duration_s} testId={`drill-${i}-duration`} onChange={(duration_s) => setDrill(i, { duration_s })} />
              <button type="button" className="ghost small" data-testid={`drill-${i}-remove`} onClick={() => patch({ drills: form.drills.filter((_, j) => j !== i) })}>
                Remove drill
              </button>
            </div>
            {d.failures.map((f, j) => {
              const setFailure = (p: Partial<typeof f>) =>
                setDrill(i, { failures: d.failures.map((x, k) => (k === j ? { ...x, ...p } : x)) });
              return (
                <div className="x-row x-failure" key={j} data-testid={`drill-${i}-failure-${j}`}>
                  <Choice<FailureAction>
                    label="Action"
                    value={f.action}
                    options={FAILURE_ACTIONS.map((a) => [a, a.replace('_', ' ')] as const)}
                    testId={`drill-${i}-failure-${j}-action`}
                    onChange={(action) => setFailure({ action })}
                  />
                  <label className="x-field">
                    <span>Target</span>
                    <input list="x-targets" value={f.target} data-testid={`drill-${i}-failure-${j}-target`} onChange={(e) => setFailure({ target: e.target.value })} />
                  </label>
                  <Num label="At" unit="s" value={f.at_s} testId={`drill-${i}-failure-${j}-at`} onChange={(at_s) => setFailure({ at_s })} />
                  {f.action === 'slow' && (
                    <Num label="Slower by" unit="×" value={f.factor ?? 3} testId={`drill-${i}-failure-${j}-factor`} onChange={(factor) => setFailure({ factor })} />
                  )}
                  <button type="button" className="ghost small" aria-label="Remove this failure" onClick={() => setDrill(i, { failures: d.failures.filter((_, k) => k !== j) })}>
                    ✕
                  </button>
                </div>
              );
            })}
            <button
              type="button"
              className="ghost small"
              data-testid={`drill-${i}-add-failure`}
              onClick={() => setDrill(i, { failures: [...d.failures, { action: 'kill', target: '', at_s: 60 }] })}
            >
              + Failure
            </button>
          </div>
        ))}
        <button type="button" className="secondary" data-testid="drill-add" onClick={() => patch({ drills: [...form.drills, newDrill(drillNames)] })}>
          + Drill
        </button>
      </Section>

      <Section title="Pass criteria" hint="The score is the weighted share of criteria passed.">
        {form.criteria.map((c, i) => (
          <div className="x-card" key={i} data-testid={`criterion-form-${i}`}>
            <div className="x-row">
              <Choice<CriterionType>
                label="Criterion"
                value={c.type}
                options={CRITERION_TYPES.map((t) => [t, TYPE_NAMES[t]] as const)}
                testId={`criterion-${i}-type`}
                onChange={(type) => setCriterion(i, { ...newCriterion(type, form.drills), weight: c.weight })}
              />
              <CriterionFields c={c} i={i} drills={drillNames} set={(p) => setCriterion(i, p)} />
              <Num label="Weight" value={c.weight} testId={`criterion-${i}-weight`} onChange={(weight) => setCriterion(i, { weight })} />
              <button type="button" className="ghost small" data-testid={`criterion-${i}-remove`} onClick={() => patch({ criteria: form.criteria.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </div>
            <p className="muted small" data-testid={`criterion-${i}-label`}>
              {Number.isFinite(c.weight) ? formCriterionLabel(c) : ''}
            </p>
          </div>
        ))}
        <button type="button" className="secondary" data-testid="criterion-add" onClick={() => patch({ criteria: [...form.criteria, newCriterion('latency', form.drills)] })}>
          + Criterion
        </button>
      </Section>

      <footer className="x-actions" data-testid="exercise-actions">
        <button type="button" className="primary" disabled={busy} data-testid="exercise-save" onClick={() => void save()}>
          Save
        </button>
        {saved && (
          <button type="button" className="secondary" disabled={busy} data-testid={saved.published ? 'exercise-unpublish' : 'exercise-publish'} onClick={() => void setPublished(!saved.published)}>
            {saved.published ? 'Unpublish' : 'Save and publish'}
          </button>
        )}
        {saved && (
          <span className={saved.published ? 'tag tag-pass' : 'tag'} data-testid="exercise-state">
            {saved.published ? 'published' : 'draft'}
          </span>
        )}
        {notice && (
          <span className="ok-text small" data-testid="exercise-notice">
            {notice}
          </span>
        )}
        {saved && <ShareLink link={saved.link} published={saved.published} />}
      </footer>
      {issues.length > 0 && (
        <div className="x-refusal" role="alert" data-testid="exercise-issues">
          <strong>Not saved yet:</strong>
          <ul>
            {issues.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
    </InstructorPage>
  );
}

function CriterionFields({
  c,
  i,
  drills,
  set,
}: {
  c: CriterionForm;
  i: number;
  drills: string[];
  set: (p: Partial<CriterionForm>) => void;
}) {
  const drillChoice = (allowSteady: boolean) => (
    <Choice<string>
      label={allowSteady ? 'Measured' : 'During drill'}
      value={c.drill}
      options={[
        ...(allowSteady ? ([['', 'steady state at users']] as const) : ([['', '— pick a drill —']] as const)),
        ...drills.map((d) => [d, `during '${d}'`] as const),
      ]}
      testId={`criterion-${i}-drill`}
      onChange={(drill) => set({ drill })}
    />
  );
  switch (c.type) {
    case 'latency':
      return (
        <>
          <Choice<50 | 95 | 99>
            label="Percentile"
            value={c.percentile}
            options={[
              [50, 'p50'],
              [95, 'p95'],
              [99, 'p99'],
            ]}
            testId={`criterion-${i}-percentile`}
            onChange={(percentile) => set({ percentile })}
          />
          <Num label="Below" unit="ms" value={c.below_ms} testId={`criterion-${i}-below-ms`} onChange={(below_ms) => set({ below_ms })} />
          <Num label="At users" step="1" value={c.users} testId={`criterion-${i}-users`} onChange={(users) => set({ users })} />
          <Choice
            label="Requests"
            value={c.request_class}
            options={[
              ['all', 'all'],
              ['static', 'static'],
              ['read', 'reads'],
              ['write', 'writes'],
            ]}
            testId={`criterion-${i}-class`}
            onChange={(request_class) => set({ request_class })}
          />
        </>
      );
    case 'availability':
      return (
        <>
          <Num label="At least" unit="%" value={c.percent} testId={`criterion-${i}-percent`} onChange={(percent) => set({ percent })} />
          {drillChoice(false)}
        </>
      );
    case 'error_rate':
      return (
        <>
          <Num label="Below" unit="%" value={c.percent} testId={`criterion-${i}-percent`} onChange={(percent) => set({ percent })} />
          {drillChoice(true)}
          {!c.drill && <Num label="At users" step="1" value={c.users} testId={`criterion-${i}-users`} onChange={(users) => set({ users })} />}
        </>
      );
    case 'no_spof':
      return (
        <Choice
          label="For requests"
          value={c.spof_class}
          options={[
            ['any', 'any class'],
            ['static', 'static'],
            ['read', 'reads'],
            ['write', 'writes'],
          ]}
          testId={`criterion-${i}-class`}
          onChange={(spof_class) => set({ spof_class })}
        />
      );
    case 'cost':
      return <Num label="At most" unit="$/month" value={c.below_per_month} testId={`criterion-${i}-budget`} onChange={(below_per_month) => set({ below_per_month })} />;
    case 'max_users':
      return <Num label="At least" unit="users" step="1" value={c.at_least_users} testId={`criterion-${i}-at-least`} onChange={(at_least_users) => set({ at_least_users })} />;
  }
}
