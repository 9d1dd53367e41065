/**
 * The few browser globals the in-page functions use. The test program is compiled without the DOM
 * library (test/ runs on Node), so the functions passed to page.evaluate name their globals through
 * these shapes instead of `window` and `document`: `const g = globalThis as unknown as PageGlobals;`
 * written inside the function itself (a function given to page.evaluate is sent as its source,
 * so it cannot call anything imported here).
 */
export interface PageGlobals {
  requestAnimationFrame(callback: (time: number) => void): number;
  performance: { now(): number };
  fetch(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; credentials?: 'omit' | 'same-origin' | 'include' }): Promise<{ status: number; text(): Promise<string> }>;
  location: { origin: string; href: string };
  document: { body: { innerText: string } | null };
}

