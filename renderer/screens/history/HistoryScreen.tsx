import { Button, PageSection, Title } from '@patternfly/react-core';
import { type ReactNode, useEffect, useMemo } from 'react';

import type { PastPlan, RunSummary } from '../../../src/contract/procedures.js';
import { shown } from '../../components/text.js';
import { runStatusText } from '../../plan-view/step-state.js';
import '../../plan-view/plan-view.css';
import { useFerry } from '../../store/index.js';
import { PastPlans } from './PastPlans.js';

/**
 * History: the plans computed (run or not), then every run the journal has (rehearsals included),
 * newest first, each with the plan it ran when known; for the run selected, its audit trail and
 * its maintenance report as a Markdown or HTML download.
 */
export default function HistoryScreen(): ReactNode {
  const load = useFerry((s) => s.loadHistory);
  const status = useFerry((s) => s.historyStatus);
  const error = useFerry((s) => s.historyError);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <PageSection aria-labelledby="history-title">
      <Title headingLevel="h1" id="history-title">
        History
      </Title>
      <div className="ferry-toolbar">
        <Button variant="secondary" onClick={() => void load()} isLoading={status === 'loading'}>
          Refresh
        </Button>
      </div>
      <PastPlans />
      <Title headingLevel="h2" size="lg">
        Past runs
      </Title>
      {error ? <p className="ferry-error">The runs cannot be listed: {shown(error)}</p> : null}
      <RunTable />
      <RunDetails />
    </PageSection>
  );
}

function RunTable(): ReactNode {
  const runs = useFerry((s) => s.pastRuns);
  const status = useFerry((s) => s.historyStatus);
  const selected = useFerry((s) => s.historyRunId);
  const select = useFerry((s) => s.selectHistoryRun);
  const plans = useFerry((s) => s.pastPlans);
  // the plan each run was created from, when History still keeps it
  const planOf = useMemo(() => new Map(plans.flatMap((p) => p.runIds.map((runId) => [runId, p] as const))), [plans]);
  if (status === 'ready' && runs.length === 0) return <p className="ferry-muted">No run yet: runs appear here once a plan is started or rehearsed.</p>;
  return (
    <table className="ferry-table-plain" aria-label="Past runs">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Cluster</th>
          <th scope="col">Status</th>
          <th scope="col">Steps</th>
          <th scope="col">Created</th>
          <th scope="col">Ended</th>
          <th scope="col">Why</th>
          <th scope="col">Plan</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.runId} aria-selected={r.runId === selected}>
            <th scope="row">
              <Button variant="link" isInline className="ferry-id" title={shown(r.runId)} onClick={() => void select(r.runId)} aria-label={`Run ${r.runId}`}>
                {shown(r.runId)}
              </Button>
            </th>
            <td>{r.clusterId.startsWith('rehearsal:') ? 'rehearsal' : shown(r.clusterId)}</td>
            <td>{runStatusText(r.state)}</td>
            <td>{stepsText(r)}</td>
            <td>{new Date(r.createdAt).toLocaleString()}</td>
            <td>{r.endedAt === null ? '–' : new Date(r.endedAt).toLocaleString()}</td>
            <td>{r.reason ? shown(r.reason) : ''}</td>
            <td>{planCell(planOf.get(r.runId))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function planCell(plan: PastPlan | undefined): ReactNode {
  if (plan === undefined) return '–';
  return <span title={plan.planId}>computed {new Date(plan.computedAt).toLocaleString()}</span>;
}

function stepsText(r: RunSummary): string {
  const p = r.progress;
  return `${p.succeeded + p.skipped}/${p.total}${p.failed > 0 ? `, ${p.failed} failed` : ''}`;
}

function RunDetails(): ReactNode {
  const runId = useFerry((s) => s.historyRunId);
  const audit = useFerry((s) => s.audit);
  const auditError = useFerry((s) => s.auditError);
  const download = useFerry((s) => s.downloadReport);
  const lastDownload = useFerry((s) => s.lastDownload);
  if (runId === null) return <p className="ferry-muted">Select a run to see its audit trail and its report.</p>;
  return (
    <section aria-label={`Run ${runId}`} className="ferry-panel">
      <h2>Run {shown(runId)}</h2>
      <div className="ferry-toolbar">
        <Button variant="primary" onClick={() => void download(runId, 'md')} aria-describedby="report-format-md">
          Download report
        </Button>
        <span id="report-format-md" className="ferry-muted">
          Markdown
        </span>
        <Button variant="secondary" onClick={() => void download(runId, 'html')}>
          Download report as HTML
        </Button>
        {lastDownload ? <span role="status">Saved {shown(lastDownload.fileName)}</span> : null}
      </div>
      <h3>Audit trail</h3>
      {auditError ? <p className="ferry-error">{shown(auditError)}</p> : null}
      {audit === null && auditError === null ? <p className="ferry-muted">Reading the journal…</p> : null}
      {audit ? (
        <table className="ferry-table-plain" aria-label="Audit trail">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Revision</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((line) => (
              <tr key={line.seq}>
                <td>{line.seq}</td>
                <td>{new Date(line.at).toLocaleString()}</td>
                <td>{line.actor === null ? 'Ferry' : shown(line.actor)}</td>
                <td>{shown(line.text)}</td>
                <td>{line.revision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
