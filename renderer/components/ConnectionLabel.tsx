import { Label } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationCircleIcon, InProgressIcon, OutlinedCircleIcon } from '@patternfly/react-icons';
import type { ReactNode } from 'react';

import type { ConnectionState } from '../store/cluster.js';

/** Status is never colour alone: icon, word and colour. */
export function ConnectionLabel({ state }: { readonly state: ConnectionState }): ReactNode {
  switch (state) {
    case 'connected':
      return (
        <Label color="green" icon={<CheckCircleIcon />}>
          connected
        </Label>
      );
    case 'connecting':
      return (
        <Label color="blue" icon={<InProgressIcon />}>
          reading
        </Label>
      );
    case 'error':
      return (
        <Label color="red" icon={<ExclamationCircleIcon />}>
          unreachable
        </Label>
      );
    case 'idle':
      return <Label icon={<OutlinedCircleIcon />}>not read</Label>;
  }
}

