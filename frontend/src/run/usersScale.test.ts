import { describe, expect, it } from 'vitest';
import { MAX_USERS, SLIDER_STEPS, formatUsers, parseUsers, roundUsers, sliderToUsers, usersToSlider } from './usersScale';

describe('the users scale', () => {
  it('runs from nobody to fifty million, evenly in orders of magnitude', () => {
    expect(sliderToUsers(0)).toBe(0);
    expect(sliderToUsers(1)).toBe(1);
    expect(sliderToUsers(SLIDER_STEPS)).toBe(MAX_USERS);
    const decade = SLIDER_STEPS / Math.log10(MAX_USERS);
    expect(sliderToUsers(Math.round(3 * decade))).toBeCloseTo(1000, -2);
    expect(sliderToUsers(Math.round(6 * decade))).toBeCloseTo(1_000_000, -5);
  });

  it('maps users back to the slider so that the round trip stays close', () => {
    for (const users of [1, 50, 1000, 12_000, 250_000, 3_000_000, MAX_USERS]) {
      const back = sliderToUsers(usersToSlider(users));
      expect(Math.abs(back - users) / users).toBeLessThan(0.03);
    }
    expect(usersToSlider(0)).toBe(0);
    expect(usersToSlider(1e12)).toBe(SLIDER_STEPS);
  });

  it('is monotone', () => {
    let previous = -1;
    for (let p = 0; p <= SLIDER_STEPS; p++) {
      const users = sliderToUsers(p);
      expect(users).toBeGreaterThanOrEqual(previous);
      previous = users;
    }
  });

  it('rounds to two significant figures', () => {
    expect(roundUsers(12_345)).toBe(12_000);
    expect(roundUsers(87)).toBe(87);
    expect(roundUsers(-3)).toBe(0);
  });
});

describe('users in words', () => {
  it('reads what people type', () => {
    expect(parseUsers('20000')).toBe(20_000);
    expect(parseUsers('20,000')).toBe(20_000);
    expect(parseUsers('20 k')).toBe(20_000);
    expect(parseUsers('1.5M')).toBe(1_500_000);
    expect(parseUsers('2e6')).toBe(2_000_000);
    expect(parseUsers('0')).toBe(0);
  });

  it('refuses what is not a number of users', () => {
    expect(parseUsers('')).toBeNull();
    expect(parseUsers('lots')).toBeNull();
    expect(parseUsers('-5')).toBeNull();
    expect(parseUsers('60M')).toBeNull();
  });

  it('writes users short', () => {
    expect(formatUsers(950)).toBe('950');
    expect(formatUsers(12_000)).toBe('12 k');
    expect(formatUsers(1_500_000)).toBe('1.5 M');
    expect(formatUsers(50_000_000)).toBe('50 M');
  });
});
