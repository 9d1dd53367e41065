import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { type HtmlTagDescriptor, type Plugin, type UserConfig, defineConfig } from 'vite';

/**
 * The console's bundle. Root is renderer/; the output goes to dist/renderer, which Electron loads
 * from file:// and serve mode serves over HTTP, hence the relative base ('./'). The domain core in
 * src/ is imported with NodeNext's `.js` suffixes; Vite resolves them to the `.ts` sources.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * PatternFly's themes Ferry never turns on. Its CSS carries, besides the light and dark tokens the
 * console uses, full token sets for high contrast, "felt" and "glass" (`:root:where(.pf-v6-theme-
 * high-contrast)` …): about 150 KB of the entry stylesheet that every launch parsed and indexed
 * for a class no element ever gets. Turning one of them on means removing it from this list.
 */
const UNUSED_THEMES = ['high-contrast', 'felt', 'glass'] as const;

/** The part of PostCSS's rule API dropUnusedThemes uses (Vite runs PostCSS on every CSS file). */
interface CssRule {
  selectors: string[];
  remove(): void;
}

/**
 * A PostCSS plugin dropping every selector that applies only under an unused theme (a rule is
 * removed with its last selector). `:not(.pf-v6-theme-glass)` applies without the theme: kept.
 */
function dropUnusedThemes(): { postcssPlugin: string; Rule(rule: CssRule): void } {
  const theme = new RegExp(`\\.pf-v6-theme-(?:${UNUSED_THEMES.join('|')})\\b`);
  const negated = new RegExp(`:not\\([^)]*\\.pf-v6-theme-(?:${UNUSED_THEMES.join('|')})\\b[^)]*\\)`, 'g');
  const onlyUnder = (selector: string): boolean => theme.test(selector.replace(negated, ''));
  return {
    postcssPlugin: 'ferry-drop-unused-themes',
    Rule(rule) {
      const kept = rule.selectors.filter((s) => !onlyUnder(s));
      if (kept.length === 0) rule.remove();
      else if (kept.length !== rule.selectors.length) rule.selectors = kept;
    },
  };
}

/**
 * The store's domain code (renderer/store/domain.ts: the catalogue, the dsl, the instance reader,
 * zod): tests build the store with it imported (store/index.ts's createFerryStore), the page
 * loads it at first use (main.tsx, lazyDomain). The module does nothing when imported, which
 * rollup is told here so that an import nobody in the entry uses leaves it, and all it imports,
 * out of the entry chunk.
 */
const STORE_DOMAIN = /\/renderer\/store\/domain\.ts$/;

/** The screen a launch opens on (the store's default route, `#/inventory`). */
const FIRST_SCREEN = /\/screens\/inventory\/InventoryScreen\.tsx$/;

/** The faces the first screen draws with (PatternFly's body text and its headings, upright). */
const FIRST_FONTS = ['RedHatTextVF.woff2', 'RedHatDisplayVF.woff2'];

/**
 * index.html asks for the first screen's files next to the entry: its chunk (the JavaScript, the
 * chunks it imports, its CSS) and the fonts the shell draws with, rather than once the entry has
 * run and drawn (preloadScreen in main.tsx; a font is asked for when first laid out). They arrive
 * while the entry is parsed, and before the page's first call makes serve mode load its services,
 * which keeps its process busy for a while (main/cli/commands/console.ts). A font there at the
 * first paint is also no swap and no second layout. Preloads only fetch: the CSS applies when the
 * screen loads, the scripts run when imported.
 */
function preloadFirstScreen(): Plugin {
  return {
    name: 'ferry-preload-first-screen',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (bundle === undefined) return [];
        const chunkOf = (module: RegExp, what: string): string => {
          const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId !== null && module.test(c.facadeModuleId));
          if (chunk === undefined) throw new Error(`ferry-preload-first-screen: no chunk for ${what}`);
          return chunk.fileName;
        };
        const scripts = new Set<string>();
        const styles = new Set<string>();
        const visit = (fileName: string): void => {
          const chunk = bundle[fileName];
          if (chunk === undefined || chunk.type !== 'chunk' || chunk.isEntry || scripts.has(fileName)) return;
          scripts.add(fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) styles.add(css);
          chunk.imports.forEach(visit);
        };
        visit(chunkOf(FIRST_SCREEN, 'the first screen (renderer/screens/inventory/InventoryScreen.tsx)'));
        // the store decodes the first snapshot with it: asked for at once, not behind the first call
        visit(chunkOf(STORE_DOMAIN, "the store's domain code (renderer/store/domain.ts)"));
        const fonts = FIRST_FONTS.map((name) => {
          const font = Object.values(bundle).find((a) => a.type === 'asset' && a.names.includes(name));
          if (font === undefined) throw new Error(`ferry-preload-first-screen: PatternFly's ${name} is not in the build`);
          return font.fileName;
        });
        const link = (attrs: Record<string, string>): HtmlTagDescriptor => ({ tag: 'link', attrs: { ...attrs, crossorigin: true }, injectTo: 'head' });
        return [
          ...fonts.map((f) => link({ rel: 'preload', as: 'font', type: 'font/woff2', href: `./${f}` })),
          ...[...scripts].map((f) => link({ rel: 'modulepreload', href: `./${f}` })),
          ...[...styles].map((f) => link({ rel: 'preload', as: 'style', href: `./${f}` })),
        ];
      },
    },
  };
}


/** Modules the entry chunk must not hold: they come with a screen's chunk or the store's domain chunk. */
const NOT_IN_ENTRY = [/\/src\/(?:dsl|catalogue|instance)\//, /\/node_modules\/zod\//, STORE_DOMAIN];

/** Fails the build when the entry chunk holds what the first screen does not need (NOT_IN_ENTRY). */
function leanEntry(): Plugin {
  return {
    name: 'ferry-lean-entry',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry) continue;
        const heavy = Object.keys(chunk.modules).filter((id) => NOT_IN_ENTRY.some((re) => re.test(id)));
        if (heavy.length > 0) this.error(`ferry-lean-entry: the entry chunk holds ${heavy.length} modules it should load later, e.g. ${heavy.slice(0, 3).join(', ')}`);
      }
    },
  };
}

const config = {
  root,
  base: './',
  plugins: [react(), preloadFirstScreen(), leanEntry()],
  css: { postcss: { plugins: [dropUnusedThemes()] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // CodeMirror, PatternFly and React make one large chunk; the console is loaded locally, never over a network
    chunkSizeWarningLimit: 4096,
    rollupOptions: { treeshake: { moduleSideEffects: (id: string, external: boolean) => external || !STORE_DOMAIN.test(id) } },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
} satisfies UserConfig;

export default defineConfig(({ command }) => {
  // A build is the shipped console: React's production build and JSX runtime, whatever NODE_ENV
  // the caller has (vitest's 'test' reached the e2e and bench builds, which then ran React's
  // development build, several times slower). Vite reads NODE_ENV after this file (see its docs).
  if (command === 'build') process.env['NODE_ENV'] = 'production';
  return config;
});
