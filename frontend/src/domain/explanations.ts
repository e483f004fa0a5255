/**
 * What the words a learner meets in the summary bar and the run charts mean, in a few lines each,
 * with the place in the docs that says it in full. The docs are not served by the app, so the
 * place is named in words (file and section).
 */

export type Term = 'max-users' | 'goodput' | 'p99' | 'spof';

export interface Explanation {
  title: string;
  text: string;
  /** Where the docs say more: "docs/metrics.md § system". */
  docs: string;
}

export const EXPLANATIONS: Record<Term, Explanation> = {
  'max-users': {
    title: 'Max users',
    text:
      'The users this design carries before its first node saturates (is 100 % busy). It assumes the ' +
      "design's own traffic: its mix of static, read and write requests and its requests per user, at a " +
      'steady state, with nothing failing. Spikes, failures and slow nodes carry fewer; the bottleneck is ' +
      'the node that saturates first.',
    docs: 'docs/metrics.md § Command line (analyze: max_users)',
  },
  goodput: {
    title: 'Goodput',
    text:
      'Requests answered within the latency target (workload.latency_target_ms, 500 ms unless the design ' +
      'says otherwise). A late answer is served but is not goodput: a growing queue is never a free win.',
    docs: 'docs/metrics.md § system (goodput_rps)',
  },
  p99: {
    title: 'p99 latency',
    text:
      'The response time that 99 of every 100 answered requests beat: 1 in 100 waits longer. It shows the ' +
      'queueing an average hides. p50 is the median, p95 the time 19 in 20 beat.',
    docs: 'docs/metrics.md § system (p99_ms)',
  },
  spof: {
    title: 'Single point of failure (SPOF)',
    text:
      'A node whose loss alone stops a kind of request (static, read or write) from completing: no other ' +
      'instance, path or promoted replica takes over. Two instances behind a balancer, or a replica ready ' +
      'to be promoted, remove one.',
    docs: 'docs/metrics.md § Command line (analyze: spofs)',
  },
};
