import {
  Alert,
  AlertActionCloseButton,
  AlertGroup,
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  Switch,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { InProgressIcon } from '@patternfly/react-icons';
import { type ReactNode, Suspense, lazy, useEffect } from 'react';

import { Ago } from '../components/Ago.js';
import { ConnectionLabel } from '../components/ConnectionLabel.js';
import { shown } from '../components/text.js';
import { ConnectScreen } from '../screens/connect/ConnectScreen.js';
import { PasswordDialog } from '../screens/connect/PasswordDialog.js';
import { InventoryScreen } from '../screens/inventory/InventoryScreen.js';
import { useFerry, useFerryStore } from '../store/index.js';
import { type Route, applyTheme } from '../store/ui.js';
import { CommandPalette } from './CommandPalette.js';
import { SCREENS } from './commands.js';
import { useShortcuts } from './shortcuts.js';

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
    return () => {
      window.removeEventListener('hashchange', onHash);
      stopFeed();
    };
  }, [store]);
  useShortcuts();

  return (
    <>
      <Page masthead={<TopBar />} sidebar={<Sidebar />} isContentFilled mainAriaLabel="Screen">
        <div className="ferry-screen">
          <CurrentScreen />
        </div>
      </Page>
      <StatusBar />
      <CommandPalette />
      <PasswordDialog />
      <Notifications />
    </>
  );
}

function CurrentScreen(): ReactNode {
  const route = useFerry((s) => s.route);
  return <Suspense fallback={<ScreenLoading />}>{SCREEN_OF[route]()}</Suspense>;
}

/*
 * The screens an operator reaches after the first one load on demand: the editor (CodeMirror),
 * the Gantt, the curves (uPlot) and the run view are most of the bundle, and the first paint
 * should not wait for them to be parsed.
 */
const ConstraintsScreen = lazy(() => import('../screens/constraints/ConstraintsScreen.js').then((m) => ({ default: m.ConstraintsScreen })));
const PlanScreen = lazy(() => import('../screens/plan/PlanScreen.js'));
const ExecutionScreen = lazy(() => import('../screens/execution/ExecutionScreen.js'));
const HistoryScreen = lazy(() => import('../screens/history/HistoryScreen.js'));

function ScreenLoading(): ReactNode {
  return (
    <div className="ferry-screen-loading" role="status">
      Loading…
    </div>
  );
}

const SCREEN_OF: Readonly<Record<Route, () => ReactNode>> = {
  connect: () => <ConnectScreen />,
  inventory: () => <InventoryScreen />,
  constraints: () => <ConstraintsScreen />,
  plan: () => <PlanScreen />,
  execution: () => <ExecutionScreen />,
  history: () => <HistoryScreen />,
};

function Sidebar(): ReactNode {
  const route = useFerry((s) => s.route);
  return (
    <PageSidebar isSidebarOpen>
      <PageSidebarBody>
        <Nav aria-label="Screens">
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

function TopBar(): ReactNode {
  const source = useFerry((s) => s.source);
  const connection = useFerry((s) => s.connection);
  const readAt = useFerry((s) => s.readAt);
  const theme = useFerry((s) => s.theme);
  const toggleTheme = useFerry((s) => s.toggleTheme);
  const setPaletteOpen = useFerry((s) => s.setPaletteOpen);
  return (
    <Masthead>
      <MastheadMain>
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

const NOTIFICATION_TIMEOUT_MS = 8000;

function Notifications(): ReactNode {
  const notifications = useFerry((s) => s.notifications);
  const dismiss = useFerry((s) => s.dismiss);
  return (
    <AlertGroup isToast isLiveRegion>
      {notifications.map((n) => (
        <Alert
          key={n.id}
          variant={n.variant}
          title={shown(n.title)}
          timeout={n.variant === 'danger' ? false : NOTIFICATION_TIMEOUT_MS}
          onTimeout={() => dismiss(n.id)}
          actionClose={<AlertActionCloseButton onClose={() => dismiss(n.id)} />}
        >
          {n.detail === undefined ? null : shown(n.detail)}
        </Alert>
      ))}
    </AlertGroup>
  );
}
