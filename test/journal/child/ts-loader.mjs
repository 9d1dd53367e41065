// Module hooks that let a child `node` run this checkout's TypeScript as it is (tests that need a
// real process to kill): `.js` imports resolve to the `.ts` next to them, and `.ts` files are
// transpiled one by one (types erased, nothing checked: vitest and tsc check them).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import ts from 'typescript';

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const js = fileURLToPath(new globalThis.URL(specifier, context.parentURL));
    const tsFile = `${js.slice(0, -3)}.ts`;
    if (!existsSync(js) && existsSync(tsFile)) return { url: pathToFileURL(tsFile).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false };
  const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), { compilerOptions, fileName });
  return { format: 'module', source: outputText, shortCircuit: true };
}
