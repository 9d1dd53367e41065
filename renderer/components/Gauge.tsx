import type { ReactNode } from 'react';

import { amount, capacityText, formatNumber } from './text.js';

export interface GaugeProps {
  /** The resource id (`cpu`, `mem`…). */
  readonly resource: string;
  readonly used: number;
  readonly capacity: number;
  /** The overbooking ratio on this node (1 when none): capacity × ratio is what may be used. */
  readonly ratio?: number;
}

/**
 * A resource gauge: a meter (accessible value, not colour alone: the figures are written next to
 * it) of what the running VMs use against what the node may give, with the overbook ratio shown.
 */
export function Gauge({ resource, used, capacity, ratio = 1 }: GaugeProps): ReactNode {
  const allowed = capacity * ratio;
  const share = allowed > 0 ? used / allowed : used > 0 ? Infinity : 0;
  const level = share > 1 ? 'over' : share >= 0.85 ? 'high' : 'ok';
  const percent = Number.isFinite(share) ? Math.round(share * 100) : 100;
  const figures = `${amount(resource, used)} of ${capacityText(resource, capacity)}${ratio !== 1 ? ` ×${formatNumber(ratio)} = ${amount(resource, allowed)}` : ''}`;
  return (
    <div className={`ferry-gauge ferry-gauge--${level}`}>
      <div className="ferry-gauge__label">
        <span className="ferry-gauge__resource">{resource}</span>
        <span className="ferry-gauge__figures">
          {figures} ({percent}%{level === 'over' ? ', over capacity' : ''})
        </span>
      </div>
      <div
        className="ferry-gauge__track"
        role="meter"
        aria-label={`${resource} use`}
        aria-valuemin={0}
        aria-valuemax={allowed}
        aria-valuenow={Math.min(used, allowed)}
        aria-valuetext={`${figures} (${percent}%)`}
      >
        <div className="ferry-gauge__bar" style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
    </div>
  );
}
