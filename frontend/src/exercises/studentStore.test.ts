import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { PublishedExercise } from './api';
import type { Submission } from './report';
import { activeSubmission, createStudentStore, type StudentApi } from './studentStore';

const exercise: PublishedExercise = {
  title: 'Survive',
  brief_html: '<p>Go</p>',
  author: 'prof',
  criteria: [{ index: 0, type: 'no_spof', label: 'no single point of failure', weight: 1 }],
  locked: ['users'],
  banned: [],
  limits: {},
  drills: [],
};

const sub = (id: string, created_at: string, state = 'queued'): Submission => ({
  id,
  exercise: 'x',
  student: 'ada',
  state,
  units_done: 0,
  units_total: 1,
  score: null,
  report: null,
  failure_reason: '',
  created_at,
  graded_at: null,
});

function fakeApi(patch: Partial<StudentApi> = {}): StudentApi {
  return {
    published: vi.fn(async () => exercise),
    mySubmissions: vi.fn(async () => [sub('old', '2026-01-01T09:00:00Z', 'graded')]),
    submit: vi.fn(async () => sub('new', '2026-01-01T10:00:00Z')),
    ...patch,
  };
}

describe('a student on an exercise', () => {
  it('loads the exercise and their history, and shows the newest submission', async () => {
    const store = createStudentStore(fakeApi());
    await store.getState().load('tok');
    expect(store.getState().exercise?.title).toBe('Survive');
    expect(store.getState().selected).toBe('old');
  });

  it('still reads the brief when not logged in', async () => {
    const store = createStudentStore(
      fakeApi({ mySubmissions: vi.fn(async () => Promise.reject(new ApiError('log in first', 401))) }),
    );
    await store.getState().load('tok');
    expect(store.getState().exercise).not.toBeNull();
    expect(store.getState().error).toBeNull();
  });

  it('submits, follows the new submission live, and shows its progress as it arrives', async () => {
    const store = createStudentStore(fakeApi());
    await store.getState().load('tok');
    await store.getState().submit('scenario-1');
    expect(store.getState().selected).toBe('new');
    expect(activeSubmission(store.getState().submissions)?.id).toBe('new');
    store.getState().receive({ ...sub('new', '2026-01-01T10:00:00Z', 'graded'), score: 100 });
    expect(store.getState().submissions.map((s) => [s.id, s.state])).toEqual([
      ['new', 'graded'],
      ['old', 'graded'],
    ]);
    expect(activeSubmission(store.getState().submissions)).toBeNull();
  });

  it('says in plain words why a submission was refused', async () => {
    const refused = new ApiError('x', 422, {
      detail: [{ path: 'document.nodes[users]', msg: 'is locked by the exercise: it may not be removed' }],
    });
    const store = createStudentStore(fakeApi({ submit: vi.fn(async () => Promise.reject(refused)) }));
    await store.getState().load('tok');
    expect(await store.getState().submit('scenario-1')).toBeNull();
    expect(store.getState().refusal).toEqual(['users is locked by the exercise: it may not be removed']);
    expect(store.getState().submitting).toBe(false);
  });
});
