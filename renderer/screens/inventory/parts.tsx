import { Label } from '@patternfly/react-core';
import { ExclamationTriangleIcon } from '@patternfly/react-icons';
import { type ReactNode, useCallback } from 'react';

import { useFerryStore } from '../../store/index.js';
import type { ScriptText } from './constraint-text.js';
import type { NodeView } from './view.js';

/** Writes a statement an action built, or says why it cannot. */
export function useWriteConstraint(): (built: ScriptText) => void {
  const store = useFerryStore();
  return useCallback(
    (built: ScriptText) => {
      if (built.ok) store.getState().appendConstraint(built.text);
      else store.getState().notify('warning', 'Nothing was added to the script', built.why);
    },
    [store],
  );
}

export function NodeStateLabel({ node }: { readonly node: NodeView }): ReactNode {
  if (!node.reachable)
    return (
      <Label color="red" icon={<ExclamationTriangleIcon />}>
        unreachable
      </Label>
    );
  return <Label color={node.state === 'online' ? 'green' : 'grey'}>{node.state}</Label>;
}
