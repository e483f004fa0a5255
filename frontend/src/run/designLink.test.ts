import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDocument, type ScenarioDocument } from '../domain/scenario';
import { undo, useDesign } from '../store/design';
import { useSession } from '../store/session';
import {
  DEFAULT_USERS,
  addToDesign,
  durationOf,
  failuresOf,
  setFailures,
  setWorkload,
  shapeOf,
  targetsOf,
  usersOf,
  whenSaved,
} from './designLink';

const stage: ScenarioDocument = {
  ...emptyDocument('stage 3'),
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer', zone: 'zone-a' },
    { id: 'web-1', kind: 'server', zone: 'zone-b' },
    { id: 'db', kind: 'database', zone: 'zone-a' },
    { id: 'db-replica-1', kind: 'replica', zone: 'zone-b' },
  ],
  edges: [
    { from: 'users', to: 'lb' },
    { from: 'lb', to: 'web-1' },
    { from: 'web-1', to: 'db' },
    { from: 'db', to: 'db-replica-1', kind: 'replication' },
  ],
  workload: { users: 1000, requests_per_user_per_s: 0.15, shape: { type: 'spike', at_s: 60 } },
  run: { duration_s: 120 },
};

beforeEach(() => {
  useDesign.getState().load(stage);
  useSession.getState().reset({ mode: 'edit', scenarioId: 's1', save: 'saved' });
});

afterEach(() => vi.useRealTimers());

describe('reading the design', () => {
  it('reads the workload, the duration and the failures, with defaults', () => {
    expect(usersOf(stage)).toBe(1000);
    expect(shapeOf(stage)).toBe('spike');
    expect(durationOf(stage)).toBe(120);
    expect(failuresOf(stage)).toEqual([]);
    const bare = emptyDocument();
    expect([usersOf(bare), shapeOf(bare), durationOf(bare)]).toEqual([DEFAULT_USERS, 'constant', 300]);
  });

  it('offers nodes, request links and zones as failure targets', () => {
    expect(targetsOf(stage)).toEqual({
      nodes: ['lb', 'web-1', 'db', 'db-replica-1'],
      links: ['users->lb', 'lb->web-1', 'web-1->db'],
      zones: ['zone-a', 'zone-b'],
    });
  });
});

describe('writing the design', () => {
  it('changes the users as one undoable step, keeping the rest of the workload', () => {
    setWorkload({ users: 20_000 });
    const workload = useDesign.getState().doc.workload as Record<string, unknown>;
    expect(workload).toMatchObject({ users: 20_000, requests_per_user_per_s: 0.15 });
    undo();
    expect(usersOf(useDesign.getState().doc)).toBe(1000);
  });

  it('keeps the failure timeline in the document', () => {
    setFailures([{ action: 'kill', target: 'db', at_s: 60 }]);
    expect(useDesign.getState().doc.failures).toEqual([{ action: 'kill', target: 'db', at_s: 60 }]);
  });

  it('draws a node added during the run, once', () => {
    const change = { node: { id: 'web-2', kind: 'server' }, edges: [{ from: 'lb', to: 'web-2' }] };
    addToDesign(change);
    addToDesign(change);
    const doc = useDesign.getState().doc;
    expect(doc.nodes.filter((n) => n.id === 'web-2')).toHaveLength(1);
    expect(doc.edges).toContainEqual({ from: 'lb', to: 'web-2' });
  });
});

describe('whenSaved', () => {
  it('resolves at once when nothing is waiting to be saved', async () => {
    await expect(whenSaved()).resolves.toBeUndefined();
  });

  it('waits for the save in flight', async () => {
    useSession.getState().set({ save: 'saving' });
    const saved = whenSaved();
    useSession.getState().set({ save: 'saved' });
    await expect(saved).resolves.toBeUndefined();
  });

  it('says why when the save failed or met someone else’s', async () => {
    useSession.getState().set({ save: 'pending' });
    const failed = whenSaved();
    useSession.getState().set({ save: 'failed', saveError: 'workload.users: must be at most 1e9' });
    await expect(failed).rejects.toThrow('workload.users: must be at most 1e9');
    useSession.getState().set({ save: 'conflict' });
    await expect(whenSaved()).rejects.toThrow('someone else saved');
  });

  it('gives up after a while', async () => {
    vi.useFakeTimers();
    useSession.getState().set({ save: 'saving' });
    const slow = whenSaved(1000);
    vi.advanceTimersByTime(1001);
    await expect(slow).rejects.toThrow('taking too long');
  });
});
