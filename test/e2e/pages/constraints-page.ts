import type { Locator } from 'playwright-core';

import { ConsolePage, UI_TIMEOUT_MS } from './console-page.js';

/** Where a diagnostic or the cursor sits in the editor, 1-based as an operator reads it. */
export interface EditorPosition {
  readonly line: number;
  readonly column: number;
  /** The text the diagnostic marks (empty for the cursor). */
  readonly text: string;
}

interface CmNode {
  readonly textContent: string | null;
  readonly parentElement: CmNode | null;
  closest(selector: string): CmNode | null;
  querySelectorAll(selector: string): ArrayLike<CmNode>;
  querySelector(selector: string): CmNode | null;
}
interface CmDocument {
  querySelector(selector: string): CmNode | null;
  getSelection(): { anchorNode: { parentElement: CmNode | null } | null; anchorOffset: number } | null;
  createRange(): { setStart(node: unknown, offset: number): void; setEndBefore(node: unknown): void; toString(): string };
}

/** The Constraints screen: the btrpsl editor (CodeMirror 6) labelled "Constraints script". */
export class ConstraintsPage extends ConsolePage {
  editor(): Locator {
    return this.page.getByRole('textbox', { name: 'Constraints script', exact: true });
  }

  async show(): Promise<void> {
    await this.open('Constraints');
    await this.editor().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  }

  /** Replaces the whole script, as typed text (the editor's own input path, not its API). */
  async setScript(script: string): Promise<void> {
    const editor = this.editor();
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(script);
  }

  async script(): Promise<string> {
    return (await this.editor().innerText()).replace(/\u200b/g, '');
  }

  /** The first error the editor marks in the text (CodeMirror's lint range), once it shows. */
  async firstErrorMark(): Promise<EditorPosition> {
    const mark = this.page.locator('.cm-lintRange-error').first();
    await mark.waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    return mark.evaluate((element) => {
      const node = element as unknown as CmNode;
      const doc = (globalThis as unknown as { document: CmDocument }).document;
      const line = node.closest('.cm-line');
      if (line === null) throw new Error('the error mark is outside the editor lines');
      const lines = Array.from(line.parentElement?.querySelectorAll(':scope > .cm-line') ?? []);
      const before = doc.createRange();
      before.setStart(line, 0);
      before.setEndBefore(node);
      return { line: lines.indexOf(line) + 1, column: before.toString().length + 1, text: node.textContent ?? '' };
    });
  }

  /** The line holding the editor's cursor (1-based). */
  async cursorLine(): Promise<number> {
    return this.page.evaluate(() => {
      const doc = (globalThis as unknown as { document: CmDocument }).document;
      const anchor = doc.getSelection()?.anchorNode ?? null;
      const start = anchor === null ? null : ((anchor as unknown as CmNode).closest !== undefined ? (anchor as unknown as CmNode) : anchor.parentElement);
      const line = start?.closest('.cm-line') ?? doc.querySelector('.cm-activeLine');
      if (line === null) return 0;
      const lines = Array.from(line.parentElement?.querySelectorAll(':scope > .cm-line') ?? []);
      return lines.indexOf(line) + 1;
    });
  }
}
