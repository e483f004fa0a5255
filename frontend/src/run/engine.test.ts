import { describe, expect, it } from 'vitest';
import { emptyDocument } from '../domain/scenario';
import { DEFAULT_REQUESTS_PER_USER_PER_S, requestsPerUserOf } from './designLink';
import { DES_MAX_RPS, desRefusal, engineToRun, offeredRps } from './engine';

describe('offered load', () => {
  it('is the users times the requests each sends a second, 0.2 unless the design says', () => {
    const plain = emptyDocument('plain');
    expect(requestsPerUserOf(plain)).toBe(DEFAULT_REQUESTS_PER_USER_PER_S);
    expect(requestsPerUserOf({ ...plain, workload: { users: 100, requests_per_user_per_s: 1.5 } })).toBe(1.5);
    expect(offeredRps(10_000, 0.2)).toBeCloseTo(2000);
    expect(offeredRps(300, 1.5)).toBe(450);
  });
});

describe('the discrete-event engine', () => {
  it('is offered up to the server limit of 2,000 requests a second', () => {
    expect(DES_MAX_RPS).toBe(2000);
    expect(desRefusal(2000)).toBeNull();
    expect(desRefusal(offeredRps(100, 1))).toBeNull();
    expect(engineToRun('des', 2000)).toBe('des');
  });

  it('is refused above it, saying why and how much the design offers', () => {
    expect(desRefusal(2000.5)).not.toBeNull();
    expect(desRefusal(offeredRps(62_000, 0.2))).toBe(
      'the discrete-event engine simulates every request: at most 2,000 requests/s; this design offers 12,400',
    );
  });

  it('gives way to the flow engine once the users outgrow it', () => {
    expect(engineToRun('des', offeredRps(20_000, 0.2))).toBe('flow');
    expect(engineToRun('flow', 10)).toBe('flow');
  });
});
