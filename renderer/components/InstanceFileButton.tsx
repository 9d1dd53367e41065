import { Button } from '@patternfly/react-core';
import { FolderOpenIcon } from '@patternfly/react-icons';
import { type ReactNode, useRef, useState } from 'react';

import { useFerryStore } from '../store/index.js';

/** A file's text; gzip (by its magic bytes, as the CLI reads instances) is inflated first. */
export async function readInstanceFile(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const inflated = file.stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(inflated).text();
  }
  return file.text();
}

/** "Open instance file…": a BtrPlace instance JSON (or .json.gz) becomes the cluster for what-ifs. */
export function InstanceFileButton(): ReactNode {
  const store = useFerryStore();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const open = async (file: File): Promise<void> => {
    setBusy(true);
    store.getState().startTask({ id: 'instance-file', label: `Opening ${file.name}`, route: 'inventory' });
    try {
      const text = await readInstanceFile(file);
      if (await store.getState().openInstanceFile(file.name, text)) store.getState().navigate('inventory');
    } catch (e) {
      store.getState().notify('danger', `${file.name} cannot be read`, e instanceof Error ? e.message : String(e));
    } finally {
      store.getState().endTask('instance-file');
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="secondary" icon={<FolderOpenIcon />} isLoading={busy} onClick={() => input.current?.click()}>
        Open instance file…
      </Button>
      <input
        ref={input}
        type="file"
        accept=".json,.gz,application/json,application/gzip"
        hidden
        aria-label="Instance file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void open(file);
        }}
      />
    </>
  );
}
