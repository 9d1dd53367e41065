/** Real hypervisors: libvirt/KVM hosts over SSH, behind Ferry's provider ports. */
export { type ClusterConfig, ClusterConfigError, DEFAULTS, type HostConfig, parseClusterConfig, readClusterConfig } from './config.js';
export { type HostCheck, LIBVIRT_PREFIX, type LibvirtCluster, type LibvirtClusterOptions, type TrustResult, checkHosts, libvirtClusterId, openLibvirtCluster, trustHost } from './cluster.js';
export { fingerprint } from './known-hosts.js';
