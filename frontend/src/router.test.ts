import { describe, expect, it } from 'vitest';
import { fileBaseName } from './editor/Toolbar';
import { parseRoute } from './router';

describe('routes', () => {
  it('reads every page the server serves index.html for', () => {
    expect(parseRoute('/')).toEqual({ page: 'home' });
    expect(parseRoute('/new')).toEqual({ page: 'new' });
    expect(parseRoute('/d/1b2c')).toEqual({ page: 'design', id: '1b2c' });
    expect(parseRoute('/s/tok_EN-1/')).toEqual({ page: 'shared', token: 'tok_EN-1' });
    expect(parseRoute('/pipeline')).toEqual({ page: 'pipeline' });
    expect(parseRoute('/account/reset/MQ/abc-123')).toEqual({ page: 'reset', uid: 'MQ', token: 'abc-123' });
    expect(parseRoute('/d/1/2')).toEqual({ page: 'missing', path: '/d/1/2' });
  });
});

describe('file names', () => {
  it('turns a design title into a file name', () => {
    expect(fileBaseName('Stage 4: database replication')).toBe('stage-4-database-replication');
    expect(fileBaseName('!!!')).toBe('design');
  });
});
