import { describe, expect, it } from 'vitest';
import { parseRoute } from '../router';
import { parseExerciseRoute } from './routes';

describe('exercise routes', () => {
  it('reads every exercise page the server serves index.html for', () => {
    expect(parseRoute('/exercises')).toEqual({ page: 'exercises' });
    expect(parseRoute('/x/tok')).toEqual({ page: 'exercises' });
    expect(parseRoute('/xylophone')).toEqual({ page: 'missing', path: '/xylophone' });
    expect(parseExerciseRoute('/exercises/')).toEqual({ page: 'list' });
    expect(parseExerciseRoute('/exercises/new')).toEqual({ page: 'edit', id: null });
    expect(parseExerciseRoute('/exercises/e1')).toEqual({ page: 'edit', id: 'e1' });
    expect(parseExerciseRoute('/exercises/e1/submissions')).toEqual({ page: 'dashboard', id: 'e1' });
    expect(parseExerciseRoute('/exercises/e1/submissions/s1')).toEqual({ page: 'submission', id: 'e1', submission: 's1' });
    expect(parseExerciseRoute('/x/tok_1')).toEqual({ page: 'student', token: 'tok_1' });
    expect(parseExerciseRoute('/x/tok_1/work')).toEqual({ page: 'work', token: 'tok_1' });
    expect(parseExerciseRoute('/x/tok_1/else')).toEqual({ page: 'missing' });
  });
});
