/**
 * The live run's charts, drawn by uPlot from the store's window of frames. Each chart is made
 * once and fed new columns with setData; it is only made again when its series change (a new
 * error reason, a cache added during the run).
 */
import { memo, useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricFrame } from '../live/frames';
import type { Term } from '../domain/explanations';
import { useLiveRun } from '../store/liveRun';
import { Explain, explainTitle } from '../ui/Explain';
import {
  SERIES_COLOURS,
  costData,
  errorsData,
  formatSimTime,
  hitRatioData,
  lagData,
  latencyData,
  niceTicks,
  throughputData,
  type ChartData,
} from './chartData';
import { compact } from './overlay';

const HEIGHT = 96;

interface ChartProps {
  testId: string;
  title: string;
  unit: string;
  data: ChartData;
  /** Shown instead of an empty chart ("No cache in this design"). */
  empty?: string;
  /** A fixed range for the y axis, e.g. 0–100 for percentages. */
  range?: [number, number];
  format?: (value: number) => string;
}

/** Series whose names a learner may not know: their legend entry says what they mean. */
const EXPLAINED: Record<string, Term> = { goodput: 'goodput', p99: 'p99' };

function makeOptions(props: ChartProps, width: number): uPlot.Options {
  const format = props.format ?? compact;
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    scales: {
      x: { time: false },
      y: props.range ? { range: props.range } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      {
        stroke: '#667085',
        grid: { stroke: '#eef0f3', width: 1 },
        ticks: { show: false },
        values: (_u, values) => values.map((v) => formatSimTime(v)),
        font: '11px system-ui, sans-serif',
      },
      {
        stroke: '#667085',
        grid: { stroke: '#eef0f3', width: 1 },
        ticks: { show: false },
        size: 46,
        splits: (_u, _axis, min, max) => niceTicks(min, max),
        values: (_u, values) => values.map((v) => format(v)),
        font: '11px system-ui, sans-serif',
      },
    ],
    series: [
      {},
      ...props.data.labels.map((label, i) => ({
        label,
        stroke: SERIES_COLOURS[i % SERIES_COLOURS.length],
        width: 1.6,
        points: { show: false },
        spanGaps: false,
      })),
    ],
  };
}

function lastValue(column: (number | null)[] | undefined): number | null {
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null) return column[i];
  return null;
}

const Chart = memo(function Chart(props: ChartProps) {
  const { testId, title, unit, data, empty } = props;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = data.labels.join('\u0000');
  const hasData = data.labels.length > 0 && data.columns[0].length > 0;
  const propsRef = useRef(props);
  propsRef.current = props;

  // Made again only when the series change; new frames go through setData below.
  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    const chart = new uPlot(makeOptions(propsRef.current, el.clientWidth || 300), propsRef.current.data.columns as uPlot.AlignedData, el);
    plot.current = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 300, height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, hasData]);

  useEffect(() => {
    plot.current?.setData(data.columns as uPlot.AlignedData);
  }, [data]);

  const format = props.format ?? compact;
  const points = data.columns[0].length;
  const first = lastValue(data.columns[1]);
  if (!hasData) {
    return (
      <p className="run-chart-none small" data-testid={testId} data-points={0}>
        <strong>{title}</strong> <span className="muted">· {empty ?? 'no data yet'}</span>
      </p>
    );
  }
  return (
    <figure
      className="run-chart"
      data-testid={testId}
      data-points={points}
      data-last={first === null ? '' : String(Math.round(first * 1000) / 1000)}
    >
      <figcaption>
        <span className="run-chart-title">{title}</span>
        <span className="run-chart-unit">{unit}</span>
      </figcaption>
      <ul className="run-legend" aria-label={`${title} (${unit}), latest values`}>
        {data.labels.map((label, i) => {
          const value = lastValue(data.columns[i + 1]);
          return (
            <li key={label}>
              <span className="swatch" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
              {EXPLAINED[label] ? <span title={explainTitle(EXPLAINED[label])}>{label}</span> : label}{' '}
              <strong>{value === null ? '—' : format(value)}</strong>
              {EXPLAINED[label] && <Explain term={EXPLAINED[label]} />}
            </li>
          );
        })}
      </ul>
      <div ref={box} className="run-chart-plot" aria-hidden="true" />
    </figure>
  );
});

const percent = (v: number) => `${Math.round(v)} %`;
const dollars = (v: number) => `$${compact(v)}`;

export function RunCharts() {
  const frames = useLiveRun((s) => s.frames);
  return <ChartsFor frames={frames} />;
}

/** The six charts for a window of frames (live, or a replay up to the scrubber). */
export function ChartsFor({ frames }: { frames: MetricFrame[] }) {
  const throughput = useMemo(() => throughputData(frames), [frames]);
  const latency = useMemo(() => latencyData(frames), [frames]);
  const errors = useMemo(() => errorsData(frames), [frames]);
  const hits = useMemo(() => hitRatioData(frames), [frames]);
  const lag = useMemo(() => lagData(frames), [frames]);
  const cost = useMemo(() => costData(frames), [frames]);
  if (frames.length === 0) {
    return (
      <p className="muted small" data-testid="charts-empty">
        Charts appear with the first frame of a run.
      </p>
    );
  }
  const charts: ChartProps[] = [
    { testId: 'chart-throughput', title: 'Throughput', unit: 'req/s', data: throughput },
    { testId: 'chart-latency', title: 'Latency', unit: 'ms', data: latency },
    { testId: 'chart-errors', title: 'Errors by reason', unit: 'req/s', data: errors, empty: 'none so far' },
    { testId: 'chart-hit-ratio', title: 'Cache hit ratio', unit: '%', data: hits, range: [0, 100], format: percent, empty: 'no cache or CDN in this design' },
    { testId: 'chart-lag', title: 'Replication lag', unit: 'ms', data: lag, empty: 'no replica in this design' },
    { testId: 'chart-cost', title: 'Cost', unit: 'per month', data: cost, format: dollars },
  ];
  // Charts with something to draw first; the empty ones shrink to a line at the end.
  const drawn = charts.filter((c) => c.data.labels.length > 0);
  const blank = charts.filter((c) => c.data.labels.length === 0);
  return (
    <div className="run-charts" data-testid="run-charts">
      {drawn.map((c) => (
        <Chart key={c.testId} {...c} />
      ))}
      {blank.length > 0 && (
        <div className="run-charts-none">
          {blank.map((c) => (
            <Chart key={c.testId} {...c} />
          ))}
        </div>
      )}
    </div>
  );
}
