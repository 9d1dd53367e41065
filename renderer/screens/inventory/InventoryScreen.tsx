import { Button, EmptyState, EmptyStateBody, PageSection, SearchInput, Tab, TabTitleText, Tabs, Title } from '@patternfly/react-core';
import { ExclamationTriangleIcon } from '@patternfly/react-icons';
import { type ReactNode, useMemo, useRef, useState } from 'react';

import { Gauge } from '../../components/Gauge.js';
import { InstanceFileButton } from '../../components/InstanceFileButton.js';
import { shown } from '../../components/text.js';
import { useFerry } from '../../store/index.js';
import { drainText } from './constraint-text.js';
import { NodeTable, VmTable } from './InventoryTables.js';
import { NodeStateLabel, useWriteConstraint } from './parts.js';
import { type InventoryView, type NodeView, inventoryView, overbookRatios } from './view.js';

/** Above this many nodes the map would be a wall of cards: the tables serve better. */
const MAP_MAX_NODES = 400;
/** VM names listed on a card before "and N more". */
const CARD_VMS = 12;

/** The cluster in use as a map grouped by rack and as sortable, filterable tables, with actions that write constraints. */
export function InventoryScreen(): ReactNode {
  const view = useInventoryView();
  const source = useFerry((s) => s.source);
  const connection = useFerry((s) => s.connection);
  const clusterError = useFerry((s) => s.clusterError);
  const [tab, setTab] = useState<string | number>(view && view.nodes.length > MAP_MAX_NODES ? 'vms' : 'map');
  return (
    <PageSection aria-labelledby="inventory-title">
      <div className="ferry-header">
        <Title headingLevel="h1" id="inventory-title">
          Inventory
        </Title>
        {view ? (
          <span>
            {source.kind === 'file' ? `instance file ${shown(source.fileName)}: ` : ''}
            {view.nodes.length.toLocaleString('en-US')} nodes, {view.vms.length.toLocaleString('en-US')} VMs
          </span>
        ) : null}
        <span className="ferry-header__end">
          <InstanceFileButton />
        </span>
      </div>
      {!view ? (
        <EmptyState titleText={connection === 'error' ? 'The cluster cannot be read' : 'Reading the cluster…'} headingLevel="h2">
          <EmptyStateBody>{clusterError ?? 'The inventory appears once the first read is in.'}</EmptyStateBody>
        </EmptyState>
      ) : (
        <Tabs activeKey={tab} onSelect={(_e, key) => setTab(key)} aria-label="Inventory views" mountOnEnter unmountOnExit>
          <Tab eventKey="map" title={<TabTitleText>Cluster map</TabTitleText>}>
            <ClusterMap view={view} />
          </Tab>
          <Tab eventKey="vms" title={<TabTitleText>VMs</TabTitleText>}>
            <VmTable view={view} />
          </Tab>
          <Tab eventKey="nodes" title={<TabTitleText>Nodes</TabTitleText>}>
            <NodeTable view={view} />
          </Tab>
        </Tabs>
      )}
    </PageSection>
  );
}

/** The inventory view, recomputed when the read or the overbook constraints in force change. */
export function useInventoryView(): InventoryView | null {
  const inventory = useFerry((s) => s.inventory);
  const hosts = useFerry((s) => s.hosts);
  const analysis = useFerry((s) => s.analysis);
  const active = useFerry((s) => s.activeConstraints);
  const disabled = useFerry((s) => s.disabled);
  const computed = useMemo(() => {
    const off = new Set(active.filter((c) => disabled.has(c.line)).map((c) => c.start));
    const fromScript = analysis ? analysis.constraints.filter((_c, i) => !off.has(analysis.origins[i]?.start ?? -1)) : [];
    return overbookRatios([...(inventory?.constraints ?? []), ...fromScript]);
  }, [inventory, analysis, active, disabled]);
  // most edits of the script change no ratio: the view (30,000 rows) is rebuilt only when one does
  const key = JSON.stringify([...computed].map(([node, perRc]) => [node, [...perRc]]));
  const kept = useRef<{ key: string; ratios: Map<number, Map<string, number>> }>({ key, ratios: computed });
  if (kept.current.key !== key) kept.current = { key, ratios: computed };
  const ratios = kept.current.ratios;
  return useMemo(() => (inventory ? inventoryView(inventory, hosts, ratios) : null), [inventory, hosts, ratios]);
}

function ClusterMap({ view }: { readonly view: InventoryView }): ReactNode {
  const [query, setQuery] = useState('');
  if (view.nodes.length > MAP_MAX_NODES) {
    return (
      <EmptyState titleText={`${view.nodes.length.toLocaleString('en-US')} nodes`} headingLevel="h2">
        <EmptyStateBody>The map shows clusters of up to {MAP_MAX_NODES} nodes; use the Nodes and VMs tables, which stay fast at any size.</EmptyStateBody>
      </EmptyState>
    );
  }
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (n: NodeView): boolean => words.every((w) => n.name.toLowerCase().includes(w) || n.rack.toLowerCase().includes(w) || n.vms.some((vm) => vm.toLowerCase().includes(w)));
  return (
    <div className="ferry-map">
      <SearchInput aria-label="Find a node or VM on the map" placeholder="Find a node or VM" value={query} onChange={(_e, v) => setQuery(v)} onClear={() => setQuery('')} />
      {view.racks.map((rack) => {
        const nodes = rack.nodes.filter(matches);
        if (nodes.length === 0) return null;
        return (
          <section key={rack.rack} className="ferry-rack" aria-label={`Rack ${shown(rack.rack)}`}>
            <Title headingLevel="h2" size="md">
              Rack {shown(rack.rack)} <span className="ferry-muted">({rack.nodes.length} nodes)</span>
            </Title>
            <div className="ferry-rack__nodes">
              {nodes.map((n) => (
                <NodeCard key={n.id} node={n} />
              ))}
            </div>
          </section>
        );
      })}
    </div>
  );
}

function NodeCard({ node }: { readonly node: NodeView }): ReactNode {
  const write = useWriteConstraint();
  const titleId = `node-${node.id}-title`;
  const extra = node.vms.length - CARD_VMS;
  return (
    <div role="group" aria-labelledby={titleId} className={`ferry-node${node.reachable ? '' : ' ferry-node--unreachable'}`}>
      <div className="ferry-node__head">
        <Title headingLevel="h3" size="md" id={titleId}>
          {shown(node.name)}
        </Title>
        <NodeStateLabel node={node} />
      </div>
      {node.error ? (
        <p className="ferry-error">
          <ExclamationTriangleIcon /> {shown(node.error)}
        </p>
      ) : null}
      {node.resources.map((r) => (
        <Gauge key={r.resource} resource={r.resource} used={r.used} capacity={r.capacity} ratio={r.ratio} />
      ))}
      <p className="ferry-node__vms">
        <span className="ferry-muted">{node.vms.length} VMs: </span>
        {node.vms.slice(0, CARD_VMS).map(shown).join(', ')}
        {extra > 0 ? ` and ${extra} more` : ''}
      </p>
      <Button variant="secondary" size="sm" onClick={() => write(drainText(node.name))}>
        Drain for maintenance
      </Button>
    </div>
  );
}
