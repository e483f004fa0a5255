/**
 * The run side of the editor, loaded on demand with the charts. `RunSide` sits beside the canvas
 * (controls, failure timeline, recorded runs); `RunDock` under it (replay scrubber, charts, event
 * log). Both read the one live-run store, so a replay drives them exactly as a live run does.
 */
import { useEffect } from 'react';
import { stopReplay } from '../live/replaySession';
import { stopWatching } from '../live/runSession';
import { useLiveRun } from '../store/liveRun';
import { EventLog } from './EventLog';
import { FailureTimeline, type FailureTimelineProps } from './FailureTimeline';
import { RecordedRuns, ReplayBar } from './Replay';
import { RunCharts } from './RunCharts';
import { RunControls, type RunControlsProps } from './RunControls';
import './run.css';

export interface RunSideProps {
  /** Absent on a shared, read-only view: only recorded runs and their replay. */
  controls?: RunControlsProps;
  timeline?: FailureTimelineProps;
  scenarioId?: string | null;
  share?: string | null;
}

export function RunSide({ controls, timeline, scenarioId = null, share = null }: RunSideProps) {
  const runState = useLiveRun((s) => s.run?.state);
  // Leaving the page stops following the run (the run goes on) and closes a replay.
  useEffect(
    () => () => {
      stopWatching();
      stopReplay();
    },
    [],
  );
  return (
    <div className="run-side" data-testid="run-panel">
      {controls && <RunControls {...controls} />}
      {timeline && <FailureTimeline {...timeline} />}
      <RecordedRuns scenarioId={scenarioId} share={share} refresh={runState} />
    </div>
  );
}

export function RunDock({ onSelectNode }: { onSelectNode?: (nodeId: string) => void }) {
  const shown = useLiveRun((s) => s.run !== null || s.replay !== null);
  if (!shown) return null;
  return (
    <div className="run-dock" data-testid="run-dock">
      <ReplayBar />
      <div className="run-dock-body">
        <RunCharts />
        <EventLog onSelectNode={onSelectNode} />
      </div>
    </div>
  );
}
