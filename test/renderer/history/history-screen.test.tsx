// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import HistoryScreen from '../../../renderer/screens/history/HistoryScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from '../plan/harness.js';

/** History over the real services: past runs, a run's audit trail, the report downloaded as a file. */

let h: Harness;
let saved: { blob: Blob; fileName: string }[];
const realCreate = URL.createObjectURL;
const realRevoke = URL.revokeObjectURL;

beforeEach(() => {
  h = openHarness();
  saved = [];
  // jsdom has no Blob URLs: keep the blob, and the file name of the link clicked for it
  let pending: Blob | null = null;
  URL.createObjectURL = (blob: Blob) => {
    pending = blob;
    return 'blob:ferry-test';
  };
  URL.revokeObjectURL = () => {};
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    if (pending && this.href === 'blob:ferry-test') saved.push({ blob: pending, fileName: this.download });
  });
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  URL.createObjectURL = realCreate;
  URL.revokeObjectURL = realRevoke;
  h.close();
});

/** jsdom's Blob has no text(): read it as a page would. */
function readBlob(blob: Blob | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!blob) return reject(new Error('no blob'));
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

/** A run of the drain plan, aborted at once: the journal has it, with its audit trail. */
async function abortedRun(): Promise<string> {
  await withDemoScript(h);
  const s = h.store.getState();
  await s.computePlan();
  const runId = await h.store.getState().startExecution();
  if (runId === null) throw new Error(`no run: ${JSON.stringify(h.store.getState().notifications)}`);
  await h.store.getState().abortRun('maintenance postponed');
  await until(() => h.store.getState().run?.state === 'cancelled', 30_000, () => `run is ${h.store.getState().run?.state}`);
  return runId;
}

describe('History screen', () => {
  it('lists past runs, shows the audit trail, and downloads the report under the services\' file name', async () => {
    const runId = await abortedRun();
    render(
      <StoreProvider store={h.store}>
        <HistoryScreen />
      </StoreProvider>,
    );
    await act(async () => {
      await until(() => h.store.getState().historyStatus === 'ready', 5_000, () => 'history not loaded');
    });
    const table = screen.getByRole('table', { name: 'Past runs' });
    const row = within(table).getByRole('button', { name: `Run ${runId}` }).closest('tr');
    expect(row?.textContent).toContain('Plan cancelled');

    await act(async () => {
      fireEvent.click(within(table).getByRole('button', { name: `Run ${runId}` }));
      await until(() => h.store.getState().audit !== null, 5_000, () => 'no audit trail');
    });
    const audit = screen.getByRole('table', { name: 'Audit trail' });
    const lines = within(audit).getAllByRole('row').slice(1);
    expect(lines.length).toBeGreaterThan(2);
    expect(audit.textContent).toContain('alice@ws1');
    expect(audit.textContent).toMatch(/abort/i);

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Download report' }));
      await until(() => saved.length > 0, 5_000, () => 'nothing saved');
    });
    expect(saved[0]?.fileName).toBe(`ferry-report-${runId}.md`);
    expect(h.store.getState().lastDownload?.fileName).toBe(`ferry-report-${runId}.md`);
    const text = await readBlob(saved[0]?.blob);
    expect(text).toContain(runId);
    expect(saved[0]?.blob.type).toMatch(/^text\/markdown/);

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Download report as HTML' }));
      await until(() => saved.length > 1, 5_000, () => 'no HTML saved');
    });
    expect(saved[1]?.fileName).toBe(`ferry-report-${runId}.html`);
  });

  it('an unknown run\'s audit trail is refused with the services\' words', async () => {
    await h.store.getState().selectHistoryRun('r-nowhere');
    expect(h.store.getState().auditError).toMatch(/no run r-nowhere/);
  });
});
