import { Button, Card, CardBody, CardTitle, EmptyState, EmptyStateBody, Label, PageSection, TextInput, Title } from '@patternfly/react-core';
import { CheckCircleIcon, ExclamationTriangleIcon, SyncAltIcon } from '@patternfly/react-icons';
import { type ReactNode, useState } from 'react';

import { Ago } from '../../components/Ago.js';
import { ConnectionLabel } from '../../components/ConnectionLabel.js';
import { InstanceFileButton } from '../../components/InstanceFileButton.js';
import { shown } from '../../components/text.js';
import type { HostCheck } from '../../store/cluster.js';
import { useFerry } from '../../store/index.js';
import { ClusterFileEditor } from './ClusterFileEditor.js';

/** Providers reached over SSH (host keys to confirm arrive with the libvirt provider). */
const SSH_PROVIDERS = new Set(['libvirt']);

/**
 * The clusters Ferry knows (the demo always), which one is in use, a connection test (a fresh
 * read), and what the last read said host by host: an unreachable host is shown with its error.
 */
export function ConnectScreen(): ReactNode {
  return (
    <PageSection aria-labelledby="connect-title">
      <Title headingLevel="h1" id="connect-title">
        Connect
      </Title>
      <ClusterList />
      <HostErrors />
      <SshClusters />
      <ClusterFileEditor />
    </PageSection>
  );
}

function ClusterList(): ReactNode {
  const clusters = useFerry((s) => s.clusters);
  const clustersError = useFerry((s) => s.clustersError);
  const source = useFerry((s) => s.source);
  const clusterId = useFerry((s) => s.clusterId);
  const connection = useFerry((s) => s.connection);
  const clusterError = useFerry((s) => s.clusterError);
  const selectCluster = useFerry((s) => s.selectCluster);
  const refresh = useFerry((s) => s.refresh);
  const closeInstanceFile = useFerry((s) => s.closeInstanceFile);
  // the cluster in use was read by this console: its row says so even before the list catches up
  const storeReadAt = useFerry((s) => s.readAt);
  const inventory = useFerry((s) => s.inventory);
  return (
    <Card isPlain>
      <CardTitle>
        <Title headingLevel="h2">Clusters</Title>
      </CardTitle>
      <CardBody>
        {clustersError ? <p className="ferry-error">The clusters cannot be listed: {clustersError}</p> : null}
        <table className="ferry-table" aria-label="Clusters">
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">Provider</th>
              <th scope="col">Nodes</th>
              <th scope="col">VMs</th>
              <th scope="col">Last read</th>
              <th scope="col">Held by</th>
              <th scope="col">
                <span className="pf-v6-screen-reader">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clusters.map((c) => {
              const inUse = source.kind === 'cluster' && c.clusterId === clusterId;
              const own = inUse && storeReadAt !== null && (c.readAt === null || storeReadAt > c.readAt);
              const readAt = own ? storeReadAt : c.readAt;
              const nodes = own && inventory ? inventory.model.mapping.nodeCount() : c.nodes;
              const vms = own && inventory ? inventory.model.mapping.vmCount() : c.vms;
              return (
                <tr key={c.clusterId}>
                  <th scope="row">
                    {shown(c.label)} {inUse ? <Label color="blue">in use</Label> : null}
                  </th>
                  <td>{shown(c.provider)}</td>
                  <td className="ferry-num">{nodes}</td>
                  <td className="ferry-num">{vms}</td>
                  <td>
                    <Ago at={readAt} />
                  </td>
                  <td>{c.heldBy === null ? 'free' : `run ${shown(c.heldBy)}`}</td>
                  <td>
                    {inUse ? (
                      <Button variant="secondary" icon={<SyncAltIcon />} onClick={() => void refresh()} aria-describedby={`cluster-${c.clusterId}`}>
                        Test connection
                      </Button>
                    ) : (
                      <Button variant="primary" onClick={() => void selectCluster(c.clusterId)}>
                        Use this cluster
                      </Button>
                    )}
                    <span id={`cluster-${c.clusterId}`} hidden>
                      {shown(c.label)}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="ferry-inline">
          <span>
            In use: {source.kind === 'file' ? `instance file ${shown(source.fileName)}` : shown(clusterId)} <ConnectionLabel state={connection} />
          </span>
          {source.kind === 'file' ? (
            <Button variant="link" onClick={() => void closeInstanceFile()}>
              Back to {shown(clusterId)}
            </Button>
          ) : null}
          <InstanceFileButton />
        </div>
        {clusterError ? (
          <p className="ferry-error" role="alert">
            <ExclamationTriangleIcon /> The cluster cannot be read: {clusterError}
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}

function HostErrors(): ReactNode {
  const hosts = useFerry((s) => s.hosts);
  const source = useFerry((s) => s.source);
  if (source.kind === 'file') return null;
  const unreachable = hosts.filter((h) => !h.reachable);
  return (
    <Card isPlain>
      <CardTitle>
        <Title headingLevel="h2">Hosts</Title>
      </CardTitle>
      <CardBody>
        {hosts.length === 0 ? (
          <p>No read yet.</p>
        ) : unreachable.length === 0 ? (
          <p>
            <CheckCircleIcon className="ferry-ok" /> All {hosts.length} hosts answered the last read.
          </p>
        ) : (
          <table className="ferry-table" aria-label="Unreachable hosts">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Error</th>
                <th scope="col">Read</th>
              </tr>
            </thead>
            <tbody>
              {unreachable.map((h) => (
                <tr key={h.name}>
                  <th scope="row">
                    <ExclamationTriangleIcon className="ferry-warn" /> {shown(h.name)} unreachable
                  </th>
                  <td>{shown(h.error ?? 'no answer')}</td>
                  <td>
                    <Ago at={h.readAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </CardBody>
    </Card>
  );
}

function SshClusters(): ReactNode {
  const clusters = useFerry((s) => s.clusters);
  const ssh = clusters.filter((c) => SSH_PROVIDERS.has(c.provider));
  return (
    <Card isPlain>
      <CardTitle>
        <Title headingLevel="h2">SSH clusters and host keys</Title>
      </CardTitle>
      <CardBody>
        {ssh.length === 0 ? (
          <EmptyState variant="xs" titleText="No SSH clusters configured" headingLevel="h3">
            <EmptyStateBody>Add a libvirt cluster file below, or write a new one: its hosts appear here with their host-key fingerprints to confirm.</EmptyStateBody>
          </EmptyState>
        ) : (
          ssh.map((c) => <SshCluster key={c.clusterId} clusterId={c.clusterId} label={c.label} />)
        )}
        <AddClusterFile />
        <NewClusterFileButton />
      </CardBody>
    </Card>
  );
}

function AddClusterFile(): ReactNode {
  const addClusterFile = useFerry((s) => s.addClusterFile);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="ferry-inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim() === '') return;
        setBusy(true);
        void addClusterFile(path.trim()).then((added) => {
          setBusy(false);
          if (added) setPath('');
        });
      }}
    >
      <TextInput aria-label="libvirt cluster file" placeholder="/etc/ferry/lab.yaml" value={path} onChange={(_e, v) => setPath(v)} />
      <Button type="submit" variant="secondary" isLoading={busy} isDisabled={busy || path.trim() === ''}>
        Add cluster file
      </Button>
    </form>
  );
}

function NewClusterFileButton(): ReactNode {
  const newClusterFile = useFerry((s) => s.newClusterFile);
  const editing = useFerry((s) => s.clusterFile !== null);
  return (
    <Button variant="link" onClick={newClusterFile} isDisabled={editing}>
      New cluster file
    </Button>
  );
}

function SshCluster({ clusterId, label }: { readonly clusterId: string; readonly label: string }): ReactNode {
  const checks = useFerry((s) => s.hostChecks[clusterId]);
  const testHosts = useFerry((s) => s.testHosts);
  const editClusterFile = useFerry((s) => s.editClusterFile);
  const editing = useFerry((s) => s.clusterFile !== null);
  const trustHostKey = useFerry((s) => s.trustHostKey);
  const [busy, setBusy] = useState(false);
  const titleId = `ssh-${clusterId}`;
  return (
    <section aria-labelledby={titleId} className="ferry-ssh">
      <div className="ferry-inline">
        <Title headingLevel="h3" size="md" id={titleId}>
          {shown(label)}
        </Title>
        <Button
          variant="secondary"
          size="sm"
          isLoading={busy}
          onClick={() => {
            setBusy(true);
            void testHosts(clusterId).finally(() => setBusy(false));
          }}
        >
          Check hosts
        </Button>
        <Button variant="secondary" size="sm" isDisabled={editing} aria-describedby={titleId} onClick={() => void editClusterFile(clusterId)}>
          Edit cluster file
        </Button>
      </div>
      {checks === undefined ? (
        <p className="ferry-muted">Not checked yet: Check hosts connects to each over SSH and shows any host key to confirm.</p>
      ) : (
        <table className="ferry-table" aria-label={`Hosts of ${shown(label)}`}>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Connection</th>
              <th scope="col">Host key</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((h) => (
              <tr key={h.host}>
                <th scope="row">{shown(h.host)}</th>
                <td>
                  {h.reachable ? (
                    <span>
                      <CheckCircleIcon className="ferry-ok" /> reachable ({Math.round(h.elapsedMs)} ms)
                    </span>
                  ) : (
                    <span className="ferry-error">
                      <ExclamationTriangleIcon /> unreachable: {shown(h.error ?? 'no answer')}
                    </span>
                  )}
                </td>
                <td>
                  <HostKey clusterId={clusterId} check={h} onTrust={(fingerprint) => trustHostKey(clusterId, h.host, fingerprint)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A new key is trusted only by an explicit confirmation of its fingerprint; a changed key never from here. */
function HostKey({ clusterId, check, onTrust }: { readonly clusterId: string; readonly check: HostCheck; readonly onTrust: (fingerprint: string) => Promise<boolean> }): ReactNode {
  if (check.hostKeyChanged)
    return (
      <span className="ferry-error">
        <ExclamationTriangleIcon /> key changed since it was trusted: refused (check the host, then edit known_hosts yourself)
      </span>
    );
  if (!check.unknownHostKey) return <span>{check.reachable ? 'known' : 'not seen'}</span>;
  const fingerprintId = `fp-${clusterId}-${check.host}`;
  return (
    <span className="ferry-inline">
      <span>
        new {shown(check.unknownHostKey.keyType)} key <code id={fingerprintId}>{shown(check.unknownHostKey.fingerprint)}</code>
      </span>
      <Button variant="warning" size="sm" aria-describedby={fingerprintId} onClick={() => void onTrust(check.unknownHostKey?.fingerprint ?? '')}>
        Trust this key
      </Button>
    </span>
  );
}
