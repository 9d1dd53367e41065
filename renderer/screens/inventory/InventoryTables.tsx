import { Button, Checkbox, Modal, ModalBody, ModalFooter, ModalHeader, SearchInput, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { type ReactNode, useMemo, useState } from 'react';

import { type Column, type SortState, VirtualTable } from '../../components/VirtualTable.js';
import { amount, shown } from '../../components/text.js';
import { drainText, keepApartText, neverMoveText, pinText } from './constraint-text.js';
import { NodeStateLabel, useWriteConstraint } from './parts.js';
import { type InventoryView, type NodeView, type VmRow, filterRows, sortRows } from './view.js';

/** Pin to… lists at most this many matching nodes (type to narrow). */
const PIN_LIST_MAX = 200;

function useSorted<R>(rows: readonly R[], columns: readonly Column<R>[], sort: SortState): readonly R[] {
  return useMemo(() => {
    const value = columns.find((c) => c.key === sort.key)?.value;
    return value ? sortRows(rows, value, sort.direction) : rows;
  }, [rows, columns, sort]);
}

/** Every VM: filter by name, host, rack or state; sort on any column; select to keep apart; never move; pin. */
export function VmTable({ view }: { readonly view: InventoryView }): ReactNode {
  const write = useWriteConstraint();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState>({ key: 'name', direction: 'asc' });
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [pinning, setPinning] = useState<VmRow | null>(null);

  // the sortable data columns do not change with the selection: a click on a checkbox must not re-sort 30,000 rows
  const dataColumns = useMemo<Column<VmRow>[]>(
    () => [
      { key: 'name', title: 'VM', width: 'minmax(8rem, 2fr)', value: (vm) => shown(vm.name) },
      { key: 'state', title: 'State', width: '6rem', value: (vm) => vm.state },
      { key: 'host', title: 'Host', width: 'minmax(6rem, 1fr)', value: (vm) => shown(vm.host) },
      { key: 'rack', title: 'Rack', width: '5rem', value: (vm) => shown(vm.rack) },
      ...view.resources.map((r, i) => ({ key: `rc-${r}`, title: r, width: '7rem', numeric: true, value: (vm: VmRow) => vm.amounts[i] ?? 0, render: (vm: VmRow) => amount(r, vm.amounts[i] ?? 0) })),
    ],
    [view.resources],
  );
  const columns = useMemo<Column<VmRow>[]>(() => {
    const toggle = (id: number, on: boolean): void =>
      setSelected((s) => {
        const next = new Set(s);
        if (on) next.add(id);
        else next.delete(id);
        return next;
      });
    return [
      {
        key: 'select',
        title: 'Select',
        width: '4.5rem',
        render: (vm) => <Checkbox id={`vm-select-${vm.id}`} aria-label={`Select ${shown(vm.name)}`} isChecked={selected.has(vm.id)} onChange={(_e, on) => toggle(vm.id, on)} />,
      },
      ...dataColumns,
      {
        key: 'actions',
        title: 'Actions',
        width: '13rem',
        render: (vm) => (
          <span className="ferry-actions">
            <Button variant="link" isInline onClick={() => write(neverMoveText(vm.name))}>
              Never move
            </Button>
            <Button variant="link" isInline onClick={() => setPinning(vm)}>
              Pin to…
            </Button>
          </span>
        ),
      },
    ];
  }, [dataColumns, selected, write]);

  const filtered = useMemo(() => filterRows(view.vms, query, (vm) => [vm.name, vm.host, vm.rack, vm.state]), [view.vms, query]);
  const rows = useSorted(filtered, dataColumns, sort);
  const selectedNames = view.vms.filter((vm) => selected.has(vm.id)).map((vm) => vm.name);

  return (
    <div className="ferry-tablepane">
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput aria-label="Filter VMs" placeholder="Filter by VM, host, rack or state" value={query} onChange={(_e, v) => setQuery(v)} onClear={() => setQuery('')} />
          </ToolbarItem>
          <ToolbarItem>
            <span aria-live="polite">
              {rows.length.toLocaleString('en-US')} of {view.vms.length.toLocaleString('en-US')} VMs
            </span>
          </ToolbarItem>
          <ToolbarItem>
            <Button
              variant="secondary"
              isDisabled={selectedNames.length < 2}
              onClick={() => {
                write(keepApartText(selectedNames));
                setSelected(new Set());
              }}
            >
              Keep apart
            </Button>
          </ToolbarItem>
          <ToolbarItem>{selectedNames.length > 0 ? <span>{selectedNames.length} selected</span> : null}</ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <VirtualTable label="VMs" columns={columns} rows={rows} rowKey={(vm) => vm.id} rowLabel={(vm) => shown(vm.name)} sort={sort} onSort={setSort} />
      {pinning ? (
        <PinDialog
          vm={pinning}
          nodes={view.nodes}
          onClose={() => setPinning(null)}
          onPin={(nodes) => {
            write(pinText(pinning.name, nodes));
            setPinning(null);
          }}
        />
      ) : null}
    </div>
  );
}

function PinDialog({ vm, nodes, onClose, onPin }: { readonly vm: VmRow; readonly nodes: readonly NodeView[]; readonly onClose: () => void; readonly onPin: (nodes: string[]) => void }): ReactNode {
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const matches = filterRows(nodes, query, (n) => [n.name, n.rack]).slice(0, PIN_LIST_MAX);
  return (
    <Modal isOpen onClose={onClose} variant="small" aria-labelledby="pin-title">
      <ModalHeader title={`Pin ${shown(vm.name)} to…`} labelId="pin-title" description="The VM may then only run on the nodes chosen (fence)." />
      <ModalBody>
        <SearchInput aria-label="Filter nodes" placeholder="Filter nodes" value={query} onChange={(_e, v) => setQuery(v)} onClear={() => setQuery('')} />
        <div className="ferry-pinlist" role="group" aria-label="Nodes">
          {matches.map((n) => (
            <Checkbox
              key={n.id}
              id={`pin-${n.id}`}
              label={`${shown(n.name)} (${shown(n.rack)})`}
              isChecked={chosen.includes(n.name)}
              onChange={(_e, on) => setChosen((c) => (on ? [...c, n.name] : c.filter((x) => x !== n.name)))}
            />
          ))}
        </div>
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" isDisabled={chosen.length === 0} onClick={() => onPin([...chosen])}>
          Pin
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** Every node with its use per resource, sortable and filterable, each with its drain action. */
export function NodeTable({ view }: { readonly view: InventoryView }): ReactNode {
  const write = useWriteConstraint();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState>({ key: 'name', direction: 'asc' });
  const columns = useMemo<Column<NodeView>[]>(
    () => [
      { key: 'name', title: 'Node', width: 'minmax(8rem, 2fr)', value: (n) => shown(n.name) },
      { key: 'rack', title: 'Rack', width: '5rem', value: (n) => shown(n.rack) },
      { key: 'state', title: 'State', width: '8rem', value: (n) => (n.reachable ? n.state : 'unreachable'), render: (n) => <NodeStateLabel node={n} /> },
      { key: 'vms', title: 'VMs', width: '4rem', numeric: true, value: (n) => n.vms.length },
      ...view.resources.map((r, i) => ({
        key: `rc-${r}`,
        title: `${r} use`,
        width: 'minmax(9rem, 1.5fr)',
        numeric: true,
        value: (n: NodeView) => {
          const use = n.resources[i];
          return use && use.capacity > 0 ? use.used / (use.capacity * use.ratio) : 0;
        },
        render: (n: NodeView) => {
          const use = n.resources[i];
          if (!use) return null;
          const allowed = use.capacity * use.ratio;
          return `${amount(r, use.used)} / ${amount(r, allowed)}${use.ratio !== 1 ? ` (×${use.ratio})` : ''}`;
        },
      })),
      {
        key: 'actions',
        title: 'Actions',
        width: '12rem',
        render: (n) => (
          <Button variant="link" isInline onClick={() => write(drainText(n.name))}>
            Drain for maintenance
          </Button>
        ),
      },
    ],
    [view.resources, write],
  );
  const filtered = useMemo(() => filterRows(view.nodes, query, (n) => [n.name, n.rack, n.state]), [view.nodes, query]);
  const rows = useSorted(filtered, columns, sort);
  return (
    <div className="ferry-tablepane">
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput aria-label="Filter nodes" placeholder="Filter by node, rack or state" value={query} onChange={(_e, v) => setQuery(v)} onClear={() => setQuery('')} />
          </ToolbarItem>
          <ToolbarItem>
            <span aria-live="polite">
              {rows.length.toLocaleString('en-US')} of {view.nodes.length.toLocaleString('en-US')} nodes
            </span>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <VirtualTable label="Nodes" columns={columns} rows={rows} rowKey={(n) => n.id} rowLabel={(n) => shown(n.name)} sort={sort} onSort={setSort} />
    </div>
  );
}
