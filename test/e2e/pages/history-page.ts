import type { Download } from 'playwright-core';

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
