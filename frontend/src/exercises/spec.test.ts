import { describe, expect, it } from 'vitest';
import type { ScenarioDocument } from '../domain/scenario';
import {
  criterionLabel,
  emptyForm,
  formFromExercise,
  newCriterion,
  newDrill,
  specFromForm,
  withStartingDesign,
  type ExerciseForm,
  type ExerciseSpec,
} from './spec';

const design: ScenarioDocument = {
  version: 1,
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'web', kind: 'server' },
    { id: 'db', kind: 'database' },
  ],
  edges: [
    { from: 'users', to: 'web' },
    { from: 'web', to: 'db' },
  ],
  workload: { users: 1000, requests_per_user_per_s: 0.15, mix: { static: 0.5, read: 0.45, write: 0.05 }, latency_target_ms: 500 },
};

function filled(): ExerciseForm {
  const form = withStartingDesign({ ...emptyForm(), title: ' Survive the primary ' }, design, 'template:02');
  const drill = { ...newDrill([]), name: 'primary dies', failures: [{ action: 'kill' as const, target: 'db', at_s: 60 }] };
  return {
    ...form,
    locked: ['users'],
    banned: ['cdn'],
    limits: { server: '3', cache: ' ' },
    drills: [drill],
    criteria: [
      { ...newCriterion('availability', [drill]), percent: 99.9, weight: 3 },
      { ...newCriterion('latency'), below_ms: 500, users: 1000 },
      { ...newCriterion('error_rate'), percent: 1, users: 2000 },
      { ...newCriterion('error_rate'), percent: 5, drill: 'primary dies' },
      { ...newCriterion('cost'), below_per_month: 2000 },
      { ...newCriterion('max_users'), at_least_users: 1_000_000 },
      { ...newCriterion('no_spof'), spof_class: 'write' },
    ],
  };
}

describe('the spec built from the authoring form', () => {
  it('turns percentages into shares, blank limits into none, and keeps the design traffic', () => {
    const { spec, issues } = specFromForm(filled());
    expect(issues).toEqual([]);
    expect(spec).not.toBeNull();
    expect(spec!.locked).toEqual(['users']);
    expect(spec!.banned).toEqual(['cdn']);
    expect(spec!.limits).toEqual({ server: 3 });
    expect(spec!.workload).toEqual({
      users: 1000,
      requests_per_user_per_s: 0.15,
      mix: { static: 0.5, read: 0.45, write: 0.05 },
      latency_target_ms: 500,
    });
    expect(spec!.drills).toEqual([{ name: 'primary dies', users: null, duration_s: 300, failures: [{ action: 'kill', target: 'db', at_s: 60 }] }]);
    expect(spec!.criteria).toEqual([
      { type: 'availability', weight: 3, at_least: 0.999, drill: 'primary dies' },
      { type: 'latency', weight: 1, percentile: 99, below_ms: 500, users: 1000, request_class: 'all' },
      { type: 'error_rate', weight: 1, below: 0.01, users: 2000 },
      { type: 'error_rate', weight: 1, below: 0.05, drill: 'primary dies' },
      { type: 'cost', weight: 1, below_per_month: 2000 },
      { type: 'max_users', weight: 1, at_least: 1_000_000 },
      { type: 'no_spof', weight: 1, request_class: 'write' },
    ]);
  });

  it('leaves the traffic to each submission when the profile is off', () => {
    const { spec } = specFromForm({ ...filled(), set_workload: false });
    expect(spec!.workload).toBeNull();
  });

  it('says what is missing or wrong, and where', () => {
    const form = filled();
    const broken: ExerciseForm = {
      ...form,
      title: '',
      limits: { server: '-1' },
      workload: { ...form.workload, write: 10 },
      drills: [form.drills[0], { ...form.drills[0], failures: [{ action: 'kill', target: '', at_s: 5 }] }],
      criteria: [{ ...newCriterion('availability'), drill: 'nope' }, { ...newCriterion('cost'), weight: 0 }],
    };
    const { spec, issues } = specFromForm(broken);
    expect(spec).toBeNull();
    expect(issues).toEqual([
      { path: 'title', msg: 'give the exercise a title' },
      { path: 'limits.server', msg: 'must be a whole number, 0 or more' },
      { path: 'workload.mix', msg: 'static, read and write must add up to 100 % (now 105 %)' },
      { path: 'drills[1].name', msg: '"primary dies" is used twice' },
      { path: 'drills[1].failures[0].target', msg: 'say what fails' },
      { path: 'criteria[0].drill', msg: 'pick the drill it is measured in' },
      { path: 'criteria[1].weight', msg: 'must be more than 0' },
    ]);
    expect(specFromForm({ ...form, criteria: [] }).issues).toEqual([{ path: 'criteria', msg: 'add at least one pass criterion' }]);
  });

  it('drops locks of nodes the new starting design does not have', () => {
    const form = { ...filled(), locked: ['users', 'web'] };
    const next = withStartingDesign(form, { version: 1, nodes: [{ id: 'users', kind: 'users' }], edges: [] }, 'design:1');
    expect(next.locked).toEqual(['users']);
    expect(next.source).toBe('design:1');
    expect(next.workload).toEqual({ users: 10000, requests_per_user_per_s: 0.2, static: 50, read: 45, write: 5 });
  });

  it('reads a saved exercise back into the same form', () => {
    const { spec } = specFromForm(filled());
    const again = formFromExercise({ title: 'T', brief_md: 'b', spec: spec! });
    expect(again.limits).toEqual({ server: '3' });
    expect(again.criteria.map((c) => c.type)).toEqual(['availability', 'latency', 'error_rate', 'error_rate', 'cost', 'max_users', 'no_spof']);
    expect(again.criteria[0].percent).toBe(99.9);
    expect(specFromForm(again).spec).toEqual({ ...spec!, workload: spec!.workload });
  });

  it('labels criteria as the server does', () => {
    const { spec } = specFromForm(filled());
    expect(spec!.criteria.map(criterionLabel)).toEqual([
      "availability at least 99.90 % during 'primary dies'",
      'p99 latency below 500 ms at 1,000 users',
      'error rate below 1.00 % at 2,000 users',
      "error rate below 5.00 % during 'primary dies'",
      'cost at most $2,000 a month',
      'carries at least 1,000,000 users',
      'no single point of failure for writes',
    ]);
  });

  it('names new drills so that they do not clash', () => {
    expect(newDrill(['drill 2']).name).toBe('drill 3');
    expect(newDrill(['drill 1']).name).toBe('drill 2');
  });
});

const shipped = import.meta.glob<{ title: string; brief_md: string; spec: ExerciseSpec }>(
  '../../../examples/exercises/*.json',
  { eager: true, import: 'default' },
);

describe('the exercises that come with ScaleLab', () => {
  it('open in the form and save back with the same drills and criteria', () => {
    const files = Object.values(shipped);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const exercise of files) {
      const { spec, issues } = specFromForm(formFromExercise(exercise));
      expect(issues).toEqual([]);
      expect(spec!.locked).toEqual(exercise.spec.locked ?? []);
      expect(spec!.drills.map((d) => d.failures)).toEqual((exercise.spec.drills ?? []).map((d) => d.failures));
      expect(spec!.criteria.map(criterionLabel)).toEqual(exercise.spec.criteria.map(criterionLabel));
      expect(spec!.starting_design).toEqual(exercise.spec.starting_design);
      expect(spec!.workload ?? null).toEqual(exercise.spec.workload ?? null);
    }
  });
});
