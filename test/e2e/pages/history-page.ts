import type { Download, Locator } from 'playwright-core';

import { ConsolePage, UI_TIMEOUT_MS } from './console-page.js';

/** The History screen: past plans and runs, the audit trail, the maintenance report. */
export class HistoryPage extends ConsolePage {
  async show(): Promise<void> {
    await this.open('History');
  }

  /** Opens a run of the list (its button is named "Run <id>"), which shows its audit trail and report. */
  async selectRun(runId: string): Promise<void> {
    const run = this.button(`Run ${runId}`);
    await run.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await run.click();
  }

  /** The plans computed, run or not (table "Past plans", above "Past runs"). */
  pastPlans(): Locator {
    return this.page.getByRole('table', { name: 'Past plans', exact: true });
  }

  /** Selects the newest past plan (its button is named "Plan <id>") and returns its details. */
  async selectNewestPlan(): Promise<Locator> {
    const plan = this.pastPlans().getByRole('button', { name: /^Plan / }).first();
    await plan.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const name = (await plan.getAttribute('aria-label')) ?? '';
    await plan.click();
    const details = this.page.getByRole('region', { name, exact: true });
    await details.getByRole('button', { name: 'Open in Plan', exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    return details;
  }

  /** "Open in Plan" on the selected past plan. */
  async openInPlan(): Promise<void> {
    await this.button('Open in Plan').click();
  }

  /** Selects the run, clicks "Download report" and returns the file's name and text. */
  async downloadReport(runId: string): Promise<{ name: string; content: string }> {
    await this.selectRun(runId);
    const button = this.button('Download report');
    await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const [download] = await Promise.all([this.page.waitForEvent('download', { timeout: UI_TIMEOUT_MS }), button.click()]);
    return { name: download.suggestedFilename(), content: await readDownload(download) };
  }
}

async function readDownload(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}
