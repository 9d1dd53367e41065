import type { StateCreator } from 'zustand';

import type { Diagnostic } from '../../src/dsl/diagnostics.js';
import type { ScriptResult } from '../../src/dsl/script.js';
import type { FerryClient } from '../api/index.js';
import type { DomainSource } from './domain-source.js';
import type { FerryState } from './types.js';

/**
 * The operator's constraints script: its text, what src/dsl makes of it against the cluster in use
 * (located diagnostics, the constraints each statement builds), and the what-if toggles that leave
 * statements out of what is planned (`effectiveScript`). The services lint it again
 * (`constraints:lint`): the renderer is never trusted, its analysis is for instant feedback.
 */

/** One statement of the script that builds constraints (a set argument may build several). */
export interface ActiveConstraint {
  /** 1-based line where the statement starts: the key of its what-if toggle. */
  readonly line: number;
  readonly endLine: number;
  /** Offsets of the statement in the script. */
  readonly start: number;
  readonly end: number;
  /** The statement's text, on one line. */
  readonly text: string;
  /** The catalogue id of what it builds (`spread`, `offline`…). */
  readonly constraintId: string;
  readonly continuous: boolean;
  /** How many constraints it builds. */
  readonly count: number;
}

export interface ServerLint {
  /** The script text the services linted. */
  readonly script: string;
  readonly constraints: number;
  readonly constraintHash: string | null;
  readonly errors: number;
}

export interface FocusRequest {
  readonly line: number;
  /** Grows with each request, so focusing the same line twice moves the cursor twice. */
  readonly seq: number;
}

export interface ConstraintsSlice {
  readonly scriptText: string;
  setScript(text: string): void;
  /** Re-reads the script against the current inventory (after a new read of the cluster). */
  scriptChanged(): void;
  /** The local analysis (null until an inventory is loaded: names cannot be resolved before). */
  readonly analysis: ScriptResult | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly activeConstraints: readonly ActiveConstraint[];
  /** Lines of the statements toggled off (what-if). */
  readonly disabled: ReadonlySet<number>;
  toggleConstraint(line: number, enabled?: boolean): void;
  /** The script without the toggled-off statements (blanked in place, so lines and columns stay put). */
  effectiveScript(): string;
  /** Adds a statement at the end of the script and says so. */
  appendConstraint(text: string): void;
  /** Rewrites the script in canonical layout; false when it has syntax errors (or the formatter is still loading: it then formats once loaded). */
  formatScript(): boolean;
  readonly focusRequest: FocusRequest | null;
  /** Goes to the Constraints screen with the cursor on that line. */
  focusScriptLine(line: number): void;
  readonly serverLint: ServerLint | null;
  /** Asks the services to lint the effective script now. */
  lintOnServer(): Promise<void>;
}

export const INITIAL_SCRIPT = '// What must hold during this maintenance window (btrpsl). Inventory actions add lines here.\n';

/** Delay between the last keystroke and the services' lint. */
const SERVER_LINT_DELAY_MS = 400;

/** The text with each span's characters replaced by spaces (line breaks kept). */
export function blankSpans(text: string, spans: readonly { readonly start: number; readonly end: number }[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end } of sorted) {
    if (start < at) continue;
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n\r]/g, ' ');
    at = end;
  }
  return out + text.slice(at);
}

/**
 * The toggles after an edit: a toggled-off statement stays off where it now is (same text on the
 * same line, else the first statement with the same text); a statement that is gone drops its toggle.
 */
function carryToggles(disabled: ReadonlySet<number>, before: readonly ActiveConstraint[], after: readonly ActiveConstraint[]): Set<number> {
  const next = new Set<number>();
  for (const line of disabled) {
    const old = before.find((c) => c.line === line);
    if (!old) continue;
    const same = after.find((c) => c.line === line && c.text === old.text) ?? after.find((c) => c.text === old.text && !next.has(c.line));
    if (same) next.add(same.line);
  }
  return next;
}

export function createConstraintsSlice(client: FerryClient, domain: DomainSource): StateCreator<FerryState, [], [], ConstraintsSlice> {
  return (set, get) => {
    let lintTimer: ReturnType<typeof setTimeout> | undefined;
    let lintSeq = 0;

    function scheduleServerLint(): void {
      if (lintTimer !== undefined) clearTimeout(lintTimer);
      // an instance file travels whole with each lint (li-r6's are 48 MB): the local analysis, the same code, serves there
      if (get().source.kind === 'file') return;
      lintTimer = setTimeout(() => {
        lintTimer = undefined;
        void get().lintOnServer();
      }, SERVER_LINT_DELAY_MS);
    }

    function analyse(text: string): void {
      const model = get().inventory?.model;
      // an inventory is decoded by the domain code, so it is loaded whenever there is a model
      const dsl = domain.loaded();
      if (!model || !dsl) {
        set({ scriptText: text, analysis: null, diagnostics: [], activeConstraints: [], disabled: new Set() });
        return;
      }
      const analysis = dsl.parseScript(text, { model, budget: 2_000_000 });
      const activeConstraints = dsl.activeConstraintsOf(text, analysis);
      const disabled = carryToggles(get().disabled, get().activeConstraints, activeConstraints);
      set({ scriptText: text, analysis, diagnostics: analysis.diagnostics, activeConstraints, disabled });
      scheduleServerLint();
    }

    return {
      scriptText: INITIAL_SCRIPT,
      analysis: null,
      diagnostics: [],
      activeConstraints: [],
      disabled: new Set<number>(),
      focusRequest: null,
      serverLint: null,

      setScript: (text) => {
        if (text !== get().scriptText || get().analysis === null) analyse(text);
      },
      scriptChanged: () => analyse(get().scriptText),

      toggleConstraint: (line, enabled) => {
        if (!get().activeConstraints.some((c) => c.line === line)) return;
        const disabled = new Set(get().disabled);
        const on = enabled ?? disabled.has(line);
        if (on) disabled.delete(line);
        else disabled.add(line);
        set({ disabled });
        scheduleServerLint();
      },

      effectiveScript: () => {
        const { scriptText, disabled, activeConstraints } = get();
        return blankSpans(
          scriptText,
          activeConstraints.filter((c) => disabled.has(c.line)),
        );
      },

      appendConstraint: (text) => {
        const current = get().scriptText;
        const separator = current === '' || current.endsWith('\n') ? '' : '\n';
        get().setScript(`${current}${separator}${text}\n`);
        get().notify('success', `Added ${text}`, 'to the constraints script (Constraints screen).');
      },

      formatScript: () => {
        const dsl = domain.loaded();
        if (!dsl) {
          // the formatter comes with the domain code: format once it is here
          void domain.load().then(() => get().formatScript(), () => get().notify('danger', 'The script was not formatted', 'The console could not load its formatter.'));
          return false;
        }
        const result = dsl.formatScript(get().scriptText);
        if (!result.formatted) {
          get().notify('warning', 'The script was not formatted', 'It has syntax errors: fix them first (see the diagnostics).');
          return false;
        }
        get().setScript(result.text);
        return true;
      },

      focusScriptLine: (line) => {
        set({ focusRequest: { line, seq: (get().focusRequest?.seq ?? 0) + 1 } });
        get().navigate('constraints');
      },

      lintOnServer: async () => {
        const script = get().effectiveScript();
        const seq = ++lintSeq;
        const reply = await client.invoke('constraints:lint', { ...get().sourceInput(), script: { text: script, name: 'constraints' } });
        if (seq !== lintSeq) return;
        if (!reply.ok) {
          set({ serverLint: null });
          return;
        }
        const errors = reply.value.diagnostics.filter((d) => d.severity === 'error').length;
        set({ serverLint: { script, constraints: reply.value.constraints, constraintHash: reply.value.constraintHash, errors } });
      },
    };
  };
}
