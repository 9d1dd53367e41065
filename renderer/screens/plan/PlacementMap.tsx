import { type ReactNode, memo } from 'react';

import { shown } from '../../components/text.js';
import type { Placement } from '../../plan-view/plan-model.js';
import { formatMemory } from '../../../src/text/memory.js';

/**
 * Before and after: each host a box, its VMs blocks sized by memory; the VMs the plan moves are
 * highlighted in both. Hosts the selected step touches are outlined. On a big cluster the digest
 * keeps only the hosts the plan changes (5,000 boxes twice would stop the page), and says so.
 */

export interface PlacementMapProps {
  readonly before: Placement;
  readonly after: Placement;
  readonly moved: ReadonlySet<string>;
  /** Hosts left out of the map because the plan does not change them (a big cluster). */
  readonly unchangedHosts: number;
  readonly highlightHosts: ReadonlySet<string>;
}

/** Beyond this many VMs a host shows a count instead (a 30,000-VM what-if stays readable). */
const MAX_BLOCKS = 120;
const BOX_WIDTH = 140;

export const PlacementMap = memo(function PlacementMap({ before, after, moved, unchangedHosts, highlightHosts }: PlacementMapProps): ReactNode {
  return (
    <>
      {unchangedHosts > 0 ? <p className="ferry-muted">{`The ${before.length} hosts the plan changes; the other ${unchangedHosts} keep their VMs.`}</p> : null}
      <div className="ferry-compare">
        <HostBoxes title="Before" placement={before} moved={moved} highlightHosts={highlightHosts} />
        <HostBoxes title="After" placement={after} moved={moved} highlightHosts={highlightHosts} />
      </div>
    </>
  );
});

function HostBoxes({ title, placement, moved, highlightHosts }: { readonly title: string; readonly placement: Placement; readonly moved: ReadonlySet<string>; readonly highlightHosts: ReadonlySet<string> }): ReactNode {
  return (
    <section aria-label={`Placement ${title.toLowerCase()}`}>
      <h3>{title}</h3>
      <div className="ferry-hosts">
        {placement.map((host, i) => {
          const used = host.vms.reduce((sum, vm) => sum + vm.memoryMiB, 0);
          const scale = host.memoryCapacityMiB > 0 ? BOX_WIDTH / host.memoryCapacityMiB : 0;
          const blocks = host.vms.slice(0, MAX_BLOCKS);
          return (
            <div key={i} className={`ferry-host${host.online ? '' : ' offline'}${highlightHosts.has(host.name) ? ' selected' : ''}`} aria-label={`${shown(host.name)}: ${host.vms.length} VMs, ${formatMemory(used)} of ${formatMemory(host.memoryCapacityMiB)}${host.online ? '' : ', offline'}`}>
              <div className="ferry-host-name" title={shown(host.name)}>
                {shown(host.name)}
              </div>
              <div className="ferry-muted" style={{ fontSize: '0.75rem' }}>
                {host.online ? `${host.vms.length} VMs · ${formatMemory(used)}` : 'offline'}
              </div>
              <div className="ferry-vms">
                {blocks.map((vm) => (
                  <span key={vm.name} className={`ferry-vm${moved.has(vm.name) ? ' moved' : ''}`} style={{ width: Math.max(4, Math.round(vm.memoryMiB * scale)) }} title={`${shown(vm.name)} (${formatMemory(vm.memoryMiB)})${moved.has(vm.name) ? ', moved' : ''}`} />
                ))}
                {host.vms.length > MAX_BLOCKS ? <span className="ferry-muted">+{host.vms.length - MAX_BLOCKS} more</span> : null}
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
}
