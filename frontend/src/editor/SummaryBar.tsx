/**
 * What the engine's analysis says about the design: users it carries, bottleneck, cost; the
 * words a learner may not know (max users, SPOF) say what they mean.
 */
import { useSession } from '../store/session';
import { Explain, explainTitle } from '../ui/Explain';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function SummaryBar() {
  const analysis = useSession((s) => s.analysis);
  const note = useSession((s) => s.analysisNote);
  const problems = useSession((s) => s.problems);
  const errors = problems.errors.length;
  const warnings = problems.warnings.length;
  const bottleneck = analysis?.bottleneck;
  return (
    <footer className="summary-bar" aria-label="What this design carries" data-testid="summary-bar" aria-live="polite">
      <div className="metric">
        <span className="metric-label">
          <span title={explainTitle('max-users')}>Max users</span>
          <Explain term="max-users" />
        </span>
        <span className="metric-value" data-testid="summary-max-users">
          {analysis?.max_users != null ? compact.format(analysis.max_users) : '—'}
        </span>
      </div>
      <div className="metric">
        <span className="metric-label">Bottleneck</span>
        <span className="metric-value" data-testid="summary-bottleneck">
          {bottleneck?.node ? `${bottleneck.node}${bottleneck.request_class ? ` (${bottleneck.request_class})` : ''}` : '—'}
        </span>
      </div>
      <div className="metric">
        <span className="metric-label">Cost</span>
        <span className="metric-value" data-testid="summary-cost">
          {analysis ? `${money.format(analysis.cost_per_month)}/mo` : '—'}
        </span>
      </div>
      <div className="metric">
        <span className="metric-label">
          <span title={explainTitle('spof')}>Single points of failure</span>
          <Explain term="spof" />
        </span>
        <span className={`metric-value ${analysis?.spofs.length ? 'warn-text' : ''}`} data-testid="summary-spofs">
          {analysis ? analysis.spofs.length : '—'}
        </span>
      </div>
      <div className="metric">
        <span className="metric-label">Problems</span>
        <span className={`metric-value ${errors ? 'error-text' : warnings ? 'warn-text' : 'ok-text'}`} data-testid="summary-problems">
          {errors || warnings ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : 'none'}
        </span>
      </div>
      {note && (
        <span className="summary-note muted small" data-testid="summary-note">
          {note}
        </span>
      )}
    </footer>
  );
}
