import {
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  Switch,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { BarsIcon, InProgressIcon } from '@patternfly/react-icons';
import { type ComponentType, type KeyboardEvent, type ReactNode, Suspense, lazy, useCallback, useEffect, useState } from 'react';

import { Ago } from '../components/Ago.js';
import { ConnectionLabel } from '../components/ConnectionLabel.js';
import { Toasts } from '../components/Toasts.js';
import { shown } from '../components/text.js';
import { useFerry, useFerryStore } from '../store/index.js';
import { type Route, applyTheme } from '../store/ui.js';
import { SCREENS } from './commands.js';
import type * as PaletteModuleType from './CommandPalette.js';
import { useShortcuts } from './shortcuts.js';

type PaletteModule = typeof PaletteModuleType;

/**
 * The console's shell: navigation on the left (hash routes), the cluster in use and its freshness
 * on top, background work at the bottom, the command palette and the notifications above all.
 */
export function App(): ReactNode {
  const store = useFerryStore();
  useEffect(() => {
    const state = store.getState();
    applyTheme(state.theme);
    state.syncRoute(window.location.hash);
    const onHash = (): void => store.getState().syncRoute(window.location.hash);
    window.addEventListener('hashchange', onHash);
    const stopFeed = state.startClusterFeed();
    void state.loadClusters();
    void state.loadSnapshot();
    const stopPreload = preloadPaletteWhenIdle();
    return () => {
      window.removeEventListener('hashchange', onHash);
      stopFeed();
      stopPreload();
    };
  }, [store]);
  useShortcuts();
  const navigation = useNavigation();

  return (
    <>
      <Page masthead={<TopBar navigation={navigation} />} sidebar={<Sidebar navigation={navigation} />} onPageResize={navigation.onPageResize} isContentFilled mainAriaLabel="Screen">
        <div className="ferry-screen">
          <CurrentScreen />
        </div>
      </Page>
      <StatusBar />
      <Dialogs />
      <Notifications />
    </>
  );
}

function CurrentScreen(): ReactNode {
  const route = useFerry((s) => s.route);
  const Screen = LAZY_SCREENS[route];
  return (
    <Suspense fallback={<ScreenLoading />}>
      <Screen />
    </Suspense>
  );
}

/*
 * Every screen is a chunk of its own, so the shell (navigation, top bar) is painted as soon as the
 * entry chunk runs (issue 16: console ready): the editors (CodeMirror, also in Connect's cluster
 * file editor), the Gantt, the curves (uPlot), the tables and the run view are most of the bundle.
 * The first screen's chunk is asked for before the first render (preloadScreen, from main.tsx), so
 * it arrives while the shell renders; the others when first opened.
 */
const SCREEN_MODULES: Readonly<Record<Route, () => Promise<{ default: ComponentType }>>> = {
  connect: () => import('../screens/connect/ConnectScreen.js').then((m) => ({ default: m.ConnectScreen })),
  inventory: () => import('../screens/inventory/InventoryScreen.js').then((m) => ({ default: m.InventoryScreen })),
  constraints: () => import('../screens/constraints/ConstraintsScreen.js').then((m) => ({ default: m.ConstraintsScreen })),
  plan: () => import('../screens/plan/PlanScreen.js'),
  execution: () => import('../screens/execution/ExecutionScreen.js'),
  history: () => import('../screens/history/HistoryScreen.js'),
};

/** Each screen's module, asked for once: the preload and React.lazy share the same promise. */
const screenModules = new Map<Route, Promise<{ default: ComponentType }>>();

function screenModule(route: Route): Promise<{ default: ComponentType }> {
  let loading = screenModules.get(route);
  if (loading === undefined) {
    loading = SCREEN_MODULES[route]();
    screenModules.set(route, loading);
  }
  return loading;
}

/** Starts loading a screen's chunk (the one the page opens on) before anything asks to render it. */
export function preloadScreen(route: Route): void {
  // a failed load is React.lazy's to report, when the screen renders
  screenModule(route).catch(() => undefined);
}

function ScreenLoading(): ReactNode {
  return (
    <div className="ferry-screen-loading" role="status">
      Loading…
    </div>
  );
}

const LAZY_SCREENS: Readonly<Record<Route, ComponentType>> = {
  connect: lazy(() => screenModule('connect')),
  inventory: lazy(() => screenModule('inventory')),
  constraints: lazy(() => screenModule('constraints')),
  plan: lazy(() => screenModule('plan')),
  execution: lazy(() => screenModule('execution')),
  history: lazy(() => screenModule('history')),
};

/*
 * The command palette and the password dialog are chunks too, loaded when first shown: with
 * their modal, menu, search and form components (and focus-trap) they would weigh on every launch.
 */
let paletteModule: Promise<PaletteModule> | undefined;
const loadPalette = (): Promise<PaletteModule> => (paletteModule ??= import('./CommandPalette.js'));
const CommandPalette = lazy(() => loadPalette().then((m) => ({ default: m.CommandPalette })));

/**
 * The palette's chunk is fetched once the page is idle after its first screen (Ctrl-K then opens
 * at once), never before the first paint. Browsers without requestIdleCallback wait a few seconds.
 */
function preloadPaletteWhenIdle(): () => void {
  const preload = (): void => void loadPalette().catch(() => undefined); // a failed load is React.lazy's to report
  if (typeof window.requestIdleCallback === 'function') {
    const id = window.requestIdleCallback(preload, { timeout: 10_000 });
    return () => window.cancelIdleCallback(id);
  }
  const timer = window.setTimeout(preload, 3000);
  return () => window.clearTimeout(timer);
}
const PasswordDialog = lazy(() => import('../screens/connect/PasswordDialog.js').then((m) => ({ default: m.PasswordDialog })));

function Dialogs(): ReactNode {
  const paletteOpen = useFerry((s) => s.paletteOpen);
  const passwordAsked = useFerry((s) => s.passwordRequests.length > 0);
  // one boundary each: the one loading never hides the other
  return (
    <>
      <Suspense fallback={null}>{paletteOpen ? <CommandPalette /> : null}</Suspense>
      <Suspense fallback={null}>{passwordAsked ? <PasswordDialog /> : null}</Suspense>
    </>
  );
}

/** The id of the masthead's navigation toggle (focus goes back to it when Escape closes the navigation). */
export const NAV_TOGGLE_ID = 'ferry-nav-toggle';
const SIDEBAR_ID = 'ferry-sidebar';

/** The navigation's state, shared by the masthead's toggle and the sidebar. */
export interface Navigation {
  /** Whether the window is narrow: PatternFly's Page decides (below its xl breakpoint, 1200 px of page). */
  readonly narrow: boolean;
  readonly open: boolean;
  toggle(): void;
  /** A screen was chosen (a link): on a narrow window the navigation gets out of the way. */
  chosen(): void;
  close(): void;
  /** Page's onPageResize: Page measures its own width and says whether it is in its mobile view. */
  onPageResize(event: unknown, size: { readonly mobileView: boolean }): void;
}

/**
 * The sidebar's open state, one for each width (as PatternFly's managed sidebar keeps it): on a
 * wide window it sits beside the content, open until the operator folds it; on a narrow one it
 * lies over the content, starts closed, and closes once a screen is chosen, on Escape, or on a
 * click outside it. The narrow decision is Page's own (the one its CSS follows), so the state and
 * the layout never disagree; jsdom tests set it through the page's measured width.
 */
function useNavigation(): Navigation {
  const [narrow, setNarrow] = useState(false);
  const [openWide, setOpenWide] = useState(true);
  const [openNarrow, setOpenNarrow] = useState(false);
  const open = narrow ? openNarrow : openWide;
  const route = useFerry((s) => s.route);

  const onPageResize = useCallback((_event: unknown, size: { readonly mobileView: boolean }) => setNarrow(size.mobileView), []);
  const toggle = useCallback(() => (narrow ? setOpenNarrow((o) => !o) : setOpenWide((o) => !o)), [narrow]);
  const close = useCallback(() => (narrow ? setOpenNarrow(false) : setOpenWide(false)), [narrow]);
  const chosen = useCallback(() => {
    if (narrow) setOpenNarrow(false);
  }, [narrow]);

  // a narrow window starts with the navigation closed each time it becomes narrow
  useEffect(() => {
    if (!narrow) setOpenNarrow(false);
  }, [narrow]);
  // a screen reached another way (g + letter, the palette) closes the narrow navigation too
  useEffect(() => setOpenNarrow(false), [route]);
  useCloseOnOutsidePointer(narrow && open, close);

  return { narrow, open, toggle, chosen, close, onPageResize };
}

/** While the narrow navigation lies over the content, a press outside it (and its toggle) closes it. */
function useCloseOnOutsidePointer(active: boolean, close: () => void): void {
  useEffect(() => {
    if (!active) return undefined;
    const onPointerDown = (e: PointerEvent): void => {
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest(`#${SIDEBAR_ID}, #${NAV_TOGGLE_ID}`)) return;
      close();
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [active, close]);
}

function Sidebar({ navigation }: { readonly navigation: Navigation }): ReactNode {
  const route = useFerry((s) => s.route);
  const { open, narrow, chosen, close } = navigation;
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || !narrow || !open) return;
    close();
    document.getElementById(NAV_TOGGLE_ID)?.focus();
  };
  return (
    // closed, its links are out of the tab order as well as out of sight (PatternFly only hides them)
    <PageSidebar id={SIDEBAR_ID} isSidebarOpen={open} inert={!open} onKeyDown={onKeyDown}>
      <PageSidebarBody>
        <Nav aria-label="Screens" onSelect={chosen}>
          <NavList>
            {SCREENS.map((s) => (
              <NavItem key={s.route} itemId={s.route} to={`#/${s.route}`} isActive={route === s.route}>
                {s.title}
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
}

function TopBar({ navigation }: { readonly navigation: Navigation }): ReactNode {
  const source = useFerry((s) => s.source);
  const connection = useFerry((s) => s.connection);
  const readAt = useFerry((s) => s.readAt);
  const theme = useFerry((s) => s.theme);
  const toggleTheme = useFerry((s) => s.toggleTheme);
  const setPaletteOpen = useFerry((s) => s.setPaletteOpen);
  return (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton id={NAV_TOGGLE_ID} aria-label="Global navigation" aria-controls={SIDEBAR_ID} isSidebarOpen={navigation.open} onSidebarToggle={navigation.toggle}>
            <BarsIcon />
          </PageToggleButton>
        </MastheadToggle>
        <MastheadBrand>
          <span className="ferry-brand">Ferry</span>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarItem>
              <span className="ferry-topbar__cluster" aria-label="Cluster in use">
                {source.kind === 'file' ? `file ${shown(source.fileName)}` : shown(source.clusterId)}
              </span>
            </ToolbarItem>
            <ToolbarItem>
              <ConnectionLabel state={connection} />
            </ToolbarItem>
            <ToolbarItem>{source.kind === 'file' ? <span>what-if on a file</span> : <Ago at={readAt} />}</ToolbarItem>
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <Button variant="plain" onClick={() => setPaletteOpen(true)} aria-keyshortcuts="Control+K">
                Commands (Ctrl-K)
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Switch id="ferry-theme" label="Dark theme" isChecked={theme === 'dark'} onChange={() => toggleTheme()} />
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
}

function StatusBar(): ReactNode {
  const tasks = useFerry((s) => s.tasks);
  const navigate = useFerry((s) => s.navigate);
  return (
    <footer className="ferry-statusbar" aria-label="Background work">
      {tasks.length === 0 ? (
        <span className="ferry-statusbar__idle">No background work</span>
      ) : (
        tasks.map((t) => (
          <Button key={t.id} variant="link" isInline onClick={() => navigate(t.route)} icon={<InProgressIcon />}>
            {t.label}
            {t.progress !== undefined ? ` ${Math.round(t.progress * 100)}%` : ''}
          </Button>
        ))
      )}
    </footer>
  );
}

function Notifications(): ReactNode {
  const notifications = useFerry((s) => s.notifications);
  const dismiss = useFerry((s) => s.dismiss);
  return <Toasts notifications={notifications} onDismiss={dismiss} />;
}
