import { describe, expect, it } from 'vitest';
import {
  constraintWarnings,
  measuredText,
  plainReason,
  progressText,
  refusalReasons,
  scoreText,
  sentence,
  upsertSubmission,
  type Submission,
} from './report';

const sub = (id: string, created_at: string, patch: Partial<Submission> = {}): Submission => ({
  id,
  exercise: 'x',
  student: 'ada',
  state: 'queued',
  units_done: 0,
  units_total: 2,
  score: null,
  report: null,
  failure_reason: '',
  created_at,
  graded_at: null,
  ...patch,
});

describe('report rendering', () => {
  it('shows each measured value against its target in the criterion unit', () => {
    expect(measuredText({ type: 'latency', measured: 412.4, target: 200 })).toEqual({ measured: '412 ms', target: '≤ 200 ms' });
    expect(measuredText({ type: 'availability', measured: 0.9731, target: 0.98 })).toEqual({ measured: '97.31 %', target: '≥ 98.00 %' });
    expect(measuredText({ type: 'error_rate', measured: 0, target: 0.01 })).toEqual({ measured: '0.00 %', target: '< 1.00 %' });
    expect(measuredText({ type: 'cost', measured: 1834.2, target: 2000 })).toEqual({ measured: '$1,834/month', target: '≤ $2,000/month' });
    expect(measuredText({ type: 'max_users', measured: 412000, target: 1000000 })).toEqual({ measured: '412,000 users', target: '≥ 1,000,000 users' });
    expect(measuredText({ type: 'no_spof', measured: ['lb', 'db'], target: [] })).toEqual({ measured: 'SPOF: lb, db', target: 'none' });
    expect(measuredText({ type: 'no_spof', measured: [], target: [] }).measured).toBe('none');
    expect(measuredText({ type: 'latency', measured: null, target: 200 }).measured).toBe('—');
  });

  it('says where grading stands', () => {
    expect(progressText(sub('a', '1'))).toBe('Queued: waiting for a worker…');
    expect(progressText(sub('a', '1', { state: 'grading', units_done: 1 }))).toBe('Grading: 1 of 2 runs done…');
    expect(progressText(sub('a', '1', { state: 'failed', failure_reason: 'the task queue is down' }))).toBe(
      'Grading failed: the task queue is down',
    );
    expect(scoreText(66.66666)).toBe('66.7 %');
    expect(scoreText(null)).toBe('—');
  });

  it('keeps the live list newest first, one row per submission', () => {
    let list = [sub('a', '2026-01-01T10:00:00Z')];
    list = upsertSubmission(list, sub('b', '2026-01-01T11:00:00Z'));
    list = upsertSubmission(list, sub('a', '2026-01-01T10:00:00Z', { state: 'graded', score: 100 }));
    expect(list.map((s) => [s.id, s.state])).toEqual([
      ['b', 'queued'],
      ['a', 'graded'],
    ]);
  });

  it('turns refusals into plain words', () => {
    expect(plainReason({ path: 'document.nodes[users]', msg: 'is locked by the exercise: it may not change' })).toBe(
      'users is locked by the exercise: it may not change',
    );
    expect(plainReason({ path: 'document.nodes', msg: '3 server nodes; this exercise allows 2' })).toBe('3 server nodes; this exercise allows 2');
    expect(plainReason({ path: 'document.nodes[web].params.instances', msg: 'must be at least 1' })).toBe('web, instances: must be at least 1');
    expect(plainReason({ path: 'document.edges[users->web].to', msg: 'no such node' })).toBe('the link users → web (to): no such node');
    expect(refusalReasons({ detail: [{ path: 'document.nodes[cdn-1]', msg: 'cdn is banned in this exercise' }] }, 'x')).toEqual([
      'cdn-1: cdn is banned in this exercise',
    ]);
    expect(refusalReasons({ detail: 'no published exercise at this link' }, 'x')).toEqual(['no published exercise at this link']);
    expect(refusalReasons(null, 'The server answered 500.')).toEqual(['The server answered 500.']);
  });

  it('warns, as the design changes, about what the server would refuse', () => {
    const nodes = [
      { id: 'web-1', kind: 'server' },
      { id: 'web-2', kind: 'server' },
      { id: 'cdn', kind: 'cdn' },
    ];
    expect(constraintWarnings(nodes, { locked: ['users'], banned: ['cdn'], limits: { server: 1 } })).toEqual([
      'users is locked: put it back (undo) before you submit',
      'cdn: cdn is banned in this exercise',
      '2 server nodes; this exercise allows 1',
    ]);
    expect(constraintWarnings(nodes, { locked: [], banned: [], limits: { server: 2 } })).toEqual([]);
  });
});

describe('the why of a criterion', () => {
  it('reads as a sentence', () => {
    expect(sentence('the design carries 6,956 users')).toBe('The design carries 6,956 users.');
    expect(sentence('p99 was 85 ms at 1,000 users, within the 500 ms bound')).toBe('p99 was 85 ms at 1,000 users, within the 500 ms bound.');
  });
});
