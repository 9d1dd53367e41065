/**
 * What the console's "New cluster file" starts from: a libvirt cluster file that the config parser
 * accepts as it is (one example host, on a documentation address), every setting with its default.
 */
export const STARTER_CLUSTER_YAML = `# A libvirt/KVM cluster: its hosts over SSH (see the README, "Real hypervisors").
# Paths only: key files are named by their path, passwords are asked when needed (askPassword).
name: lab
user: root                      # else ~/.ssh/config's User, else your login
# identityFile: ./id_ed25519    # else ~/.ssh/config's IdentityFile, else ~/.ssh/id_*; then the SSH agent
# knownHosts: ./known_hosts     # else ~/.ssh/known_hosts
# askPassword: true             # log in with a password, asked once per user@host
cpuOvercommit: 4                # vCPUs per logical CPU
memoryOvercommit: 1             # memory is never overcommitted unless said here
connectTimeoutSeconds: 10       # per host
commandTimeoutSeconds: 30
hosts:
  - { name: hv1, address: 192.0.2.10, rack: r1 }
`;
