import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { Scenario } from '../api/scenarios';
import { emptyDocument, type ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { startAutosave, type Autosave } from './autosave';

type SaveBody = { base_revision: number; title?: string; document: ScenarioDocument };

function saved(revision: number, document: ScenarioDocument): Scenario {
  return {
    id: 'abc',
    title: 't',
    description: '',
    revision,
    forked_from: null,
    created_at: '',
    updated_at: '',
    document,
    problems: { errors: [], warnings: [] },
  };
}

let autosave: Autosave;

beforeEach(() => {
  vi.useFakeTimers();
  useDesign.getState().load(emptyDocument());
  useSession.getState().reset({ mode: 'edit', scenarioId: 'abc', title: 'Mine', revision: 3 });
});

afterEach(() => {
  autosave?.stop();
  vi.useRealTimers();
});

describe('autosave', () => {
  it('has nothing waiting once an edit is taken back before it was saved', async () => {
    const save = vi.fn(async (_id: string, body: SaveBody) => saved(body.base_revision + 1, body.document));
    autosave = startAutosave({ save, delayMs: 500 });
    useDesign.getState().addNode('users', { x: 0, y: 0 });
    expect(useSession.getState().save).toBe('pending');
    useDesign.temporal.getState().undo();
    expect(useSession.getState().save).toBe('saved');
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).not.toHaveBeenCalled();
  });

  it('saves a moment after the last edit, based on the revision it has', async () => {
    const save = vi.fn(async (_id: string, body: SaveBody) => saved(body.base_revision + 1, body.document));
    autosave = startAutosave({ save, delayMs: 500 });
    useDesign.getState().addNode('users', { x: 0, y: 0 });
    useDesign.getState().addNode('server', { x: 0, y: 0 });
    expect(useSession.getState().save).toBe('pending');
    await vi.advanceTimersByTimeAsync(499);
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(save).toHaveBeenCalledTimes(1);
    const [id, body] = save.mock.calls[0];
    expect(id).toBe('abc');
    expect(body.base_revision).toBe(3);
    expect(body.title).toBe('Mine');
    expect(body.document.nodes.map((n) => n.id)).toEqual(['users', 'web-1']);
    expect(useSession.getState()).toMatchObject({ save: 'saved', revision: 4 });

    useDesign.getState().addNode('database', { x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(500);
    expect(save.mock.calls[1][1].base_revision).toBe(4);
  });

  it('turns a stale save into a conflict and keeps the local design', async () => {
    const save = vi.fn(async () => {
      throw new ApiError('stale', 409, { detail: 'stale', current_revision: 7 });
    });
    autosave = startAutosave({ save, delayMs: 100 });
    useDesign.getState().addNode('users', { x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(useSession.getState()).toMatchObject({ save: 'conflict', theirRevision: 7 });
    expect(useDesign.getState().doc.nodes).toHaveLength(1);
    // Further edits are kept but not sent over the other person's revision.
    useDesign.getState().addNode('server', { x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);
    expect(useDesign.getState().doc.nodes).toHaveLength(2);
  });

  it('retries after a lost connection, and waits for an edit after a refusal', async () => {
    const save = vi
      .fn<(id: string, body: SaveBody) => Promise<Scenario>>()
      .mockRejectedValueOnce(new ApiError('Could not reach the server (offline).', 0))
      .mockImplementation(async (_id, body) => saved(4, body.document));
    autosave = startAutosave({ save, delayMs: 100, retryMs: 1000 });
    useDesign.getState().addNode('users', { x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(useSession.getState()).toMatchObject({ save: 'failed' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(useSession.getState().save).toBe('saved');
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('saves title changes too, and flushes on demand', async () => {
    const save = vi.fn(async (_id: string, body: SaveBody) => saved(4, body.document));
    autosave = startAutosave({ save, delayMs: 10_000 });
    useSession.getState().set({ title: 'Renamed' });
    await autosave.flush();
    expect(save.mock.calls[0][1].title).toBe('Renamed');
  });
});
