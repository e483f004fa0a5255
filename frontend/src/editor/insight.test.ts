import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { Analysis, Validation } from '../api/scenarios';
import { emptyDocument, type ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { startInsight } from './insight';

const analysis: Analysis = {
  spofs: [{ node: 'web-1', classes: ['read', 'write'] }],
  max_users: 4200,
  max_rps: 840,
  bottleneck: { node: 'web-1', request_class: 'read' },
  cost_per_month: 70,
};
const validation: Validation = {
  valid: false,
  errors: [{ path: 'nodes', message: 'there must be one users node' }],
  warnings: [],
};

let stop: () => void = () => undefined;

beforeEach(() => {
  vi.useFakeTimers();
  useDesign.getState().load(emptyDocument());
  useDesign.getState().addNode('server', { x: 0, y: 0 });
  useSession.getState().reset({ mode: 'edit', scenarioId: 'abc' });
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe('insight', () => {
  it('asks the engine at once and again a moment after a real change, not after a move', async () => {
    const validate = vi.fn(async () => validation);
    const analyze = vi.fn(async (_doc: ScenarioDocument) => analysis);
    stop = startInsight({ validate, analyze, delayMs: 300 });
    await vi.advanceTimersByTimeAsync(0);
    expect(analyze).toHaveBeenCalledTimes(1);
    expect(useSession.getState().analysis).toEqual(analysis);
    expect(useSession.getState().problems.errors).toHaveLength(1);

    useDesign.getState().moveNodes({ 'web-1': { x: 50, y: 50 } });
    await vi.advanceTimersByTimeAsync(300);
    expect(analyze).toHaveBeenCalledTimes(1);

    useDesign.getState().setParam('web-1', 'instances', 2);
    useDesign.getState().setParam('web-1', 'instances', 3);
    await vi.advanceTimersByTimeAsync(300);
    expect(analyze).toHaveBeenCalledTimes(2);
    expect(analyze.mock.calls[1][0].nodes[0].params).toEqual({ instances: 3 });
  });

  it('says why there is no analysis when the design has errors', async () => {
    const validate = vi.fn(async () => validation);
    const analyze = vi.fn(async () => {
      throw new ApiError('nodes: there must be one users node', 422);
    });
    stop = startInsight({ validate, analyze });
    await vi.advanceTimersByTimeAsync(0);
    expect(useSession.getState().analysis).toBeNull();
    expect(useSession.getState().analysisNote).toMatch(/Fix the errors/);
  });
});
