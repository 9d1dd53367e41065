#!/usr/bin/env bash
# Ferry's test bed: real hypervisor hosts on this machine (scripts/testbed/README.md).
#
#   testbed.sh up [--hosts N] [--vms M]   build N hosts (default 3) with M tiny guests each (default 2);
#                                         prints the path of the cluster's YAML file
#   testbed.sh down                       stop everything it started (by PID) and remove it all
#   testbed.sh status                     hosts, their PIDs and domains
#   testbed.sh exec HOST CMD...           run CMD inside HOST's namespaces (e.g. virsh list --all)
#   testbed.sh dirty-vm HOST NAME [MiB/s] start a guest whose live migration never converges
#   testbed.sh fault HOST KIND            link-down | link-up | kill-sshd | start-sshd |
#                                         restart-libvirtd | rekey | trust-key | garbage-virsh |
#                                         real-virsh
#   testbed.sh power HOST off|on          a host's power (the cluster file's power commands)
# Global options, before the command: --home DIR (else $FERRY_HOME, else the default data
# directory) and --net K (1-254, else $TESTBED_NET, else 60): test bed K uses 10.99.K.0/24 and
# its own bridge and namespace names, so several test beds can stand side by side.
#
# Each host is a network namespace (+ mount and UTS namespaces) with its own sshd and libvirtd and
# QEMU guests under TCG (no /dev/kvm here), on a private bridge. Safety: the unreachable route for
# the whole test range is added before anything else, so no test traffic can ever leave the machine.
# Everything lives in the data directory ($FERRY_HOME, as main/node/data-dir.ts resolves it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SELF=$HERE/$(basename "$0")
while [ $# -gt 0 ]; do
  case "$1" in
    --home) [ -n "${2:-}" ] || { echo "testbed: error: --home needs a folder" >&2; exit 2; }; FERRY_HOME=$2; shift 2 ;;
    --net) TESTBED_NET=${2:-}; shift 2 ;;
    *) break ;;
  esac
done
NET=${TESTBED_NET:-60}
[[ "$NET" =~ ^[0-9]+$ ]] && [ "$NET" -ge 1 ] && [ "$NET" -le 254 ] || { echo "testbed: error: --net takes 1 to 254, not '$NET'" >&2; exit 2; }
RANGE=10.99.0.0/16          # never routed off this machine
SUBNET=10.99.$NET           # this test bed's /24 inside it
BRIDGE=ferrybr$NET
NS_PREFIX=ferry$NET-        # network namespaces ferry60-hv1 ...
VETH_PREFIX=fy$NET-         # root-side veth ends fy60-hv1 ...

data_dir() {
  if [ -n "${FERRY_HOME:-}" ] && [ -n "${FERRY_HOME// /}" ]; then realpath -m "$FERRY_HOME"; return; fi
  case "${XDG_DATA_HOME:-}" in
    /*) echo "$XDG_DATA_HOME/ferry" ;;
    *) echo "${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.local/share/ferry" ;;
  esac
}
DATA=$(data_dir)
T=$DATA/testbed                        # everything the test bed owns, removed by down
# libvirt's QEMU capabilities cache, kept between test beds (TESTBED_CACHE: one shared by several)
CACHE=${TESTBED_CACHE:-$DATA/testbed-cache}
CLUSTER_YAML=$DATA/clusters/testbed.yaml
CLUSTER_KEY=$DATA/clusters/testbed.key
CLUSTER_KNOWN=$DATA/clusters/testbed.known_hosts

say() { echo "testbed: $*" >&2; }
die() { echo "testbed: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

require_tools() {
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, mounts)"
  local missing=()
  for t in ip nsenter unshare ssh-keygen /usr/sbin/sshd /usr/sbin/libvirtd virsh qemu-system-x86_64 as ld; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]} (Debian: openssh-server libvirt-daemon-system libvirt-clients qemu-system-x86 binutils iproute2)"
}

host_ip() { echo "$SUBNET.$((10 + $1))"; }
host_dir() { echo "$T/hv$1"; }
host_count() { [ -f "$T/hosts" ] && cat "$T/hosts" || echo 0; }
host_index() {  # hv2 -> 2
  local n=${1#hv}
  [[ "$n" =~ ^[0-9]+$ ]] && [ -d "$T/hv$n" ] || die "no host '$1' in the test bed (hosts: $(ls "$T" 2>/dev/null | grep '^hv' | tr '\n' ' '))"
  echo "$n"
}
pid_of() { cat "$(host_dir "$1")/$2.pid" 2>/dev/null || true; }

# PIDs are only killed when they are still the process the test bed started (a PID can be reused).
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$T/"; }

# Runs a command inside host N's namespaces: those of its libvirtd, else of its sshd.
in_host() {
  local n=$1; shift
  local pid; pid=$(pid_of "$n" libvirtd)
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || pid=$(pid_of "$n" sshd)
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || die "host hv$n has neither libvirtd nor sshd running"
  nsenter -t "$pid" -m -u -n "$@"
}

wait_libvirtd() {
  local n=$1 i
  for i in $(seq 1 200); do
    in_host "$n" virsh -q -c qemu:///system version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "libvirtd on hv$n did not answer within 20 s (log: $(host_dir "$n")/fs/var/log/libvirt/libvirtd.log)"
}

start_libvirtd() {  # inside the host's namespaces (entered through its sshd)
  local n=$1 d; d=$(host_dir "$n")
  rm -f "$d/libvirtd.pid"
  nsenter -t "$(pid_of "$n" sshd)" -m -u -n /usr/sbin/libvirtd --listen --daemon --pid-file "$d/libvirtd.pid"
  for _ in $(seq 1 50); do [ -s "$d/libvirtd.pid" ] && break; sleep 0.1; done
  [ -s "$d/libvirtd.pid" ] || die "libvirtd on hv$n wrote no PID file"
  echo "hv$n libvirtd $(cat "$d/libvirtd.pid")" >>"$T/pids"
}

start_sshd() {  # inside the host's namespaces (entered through its libvirtd)
  local n=$1 d; d=$(host_dir "$n")
  if [ -s "$d/sshd.pid" ] && ours "$(cat "$d/sshd.pid")"; then return 0; fi
  rm -f "$d/sshd.pid"
  nsenter -t "$(pid_of "$n" libvirtd)" -m -u -n /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
  for _ in $(seq 1 50); do [ -s "$d/sshd.pid" ] && break; sleep 0.1; done
  [ -s "$d/sshd.pid" ] || die "sshd on hv$n wrote no PID file"
  echo "hv$n sshd $(cat "$d/sshd.pid")" >>"$T/pids"
}

# ---------------------------------------------------------------------------------------------- up

write_host_files() {
  local n=$1 hosts=$2 d ip; d=$(host_dir "$n"); ip=$(host_ip "$n")
  mkdir -p "$d/fs/etc" "$d/fs/root/.ssh" "$d/fs/var/lib/libvirt" "$d/fs/var/log/libvirt" \
    "$d/fs/var/cache/libvirt" "$d/fs/usr/local/bin"
  cp -a /etc/libvirt "$d/fs/etc/"
  rm -rf "$d/fs/etc/libvirt/qemu/networks/autostart"   # no dnsmasq: the default network cannot start
  cat >>"$d/fs/etc/libvirt/qemu.conf" <<EOF
# Ferry test bed host hv$n
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
stdio_handler = "file"
migration_address = "$ip"
migration_host = "$ip"
EOF
  cat >>"$d/fs/etc/libvirt/libvirtd.conf" <<EOF
# Ferry test bed host hv$n: its own identity (migration refuses "the same host" otherwise)
host_uuid = "00000000-0000-4000-8000-0000000000$(printf %02d "$n")"
listen_tls = 0
listen_tcp = 1
listen_addr = "$ip"
auth_tcp = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  ssh-keygen -q -t ed25519 -N '' -C "hv$n" -f "$d/hostkey_ed25519" </dev/null
  cat >"$d/sshd_config" <<EOF
ListenAddress $ip
Port 22
HostKey $d/hostkey_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile /root/.ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
EOF
  # the hosts reach each other with the cluster's key (peer-to-peer migration over qemu+ssh)
  cp "$CLUSTER_KEY" "$d/fs/root/.ssh/id_ed25519"
  cp "$CLUSTER_KEY.pub" "$d/fs/root/.ssh/authorized_keys"
  cat >"$d/init.sh" <<EOF
#!/bin/sh
# runs inside hv$n's new mount and UTS namespaces
set -e
hostname hv$n
mount -t tmpfs tmpfs /run
mkdir -p /run/sshd /run/libvirt
for p in etc/libvirt var/lib/libvirt var/log/libvirt var/cache/libvirt root/.ssh usr/local/bin; do
  # a fresh machine may have no /root/.ssh (or /var/cache/libvirt): a bind mount needs its mount point
  [ -d "/\$p" ] || mkdir -p -m 700 "/\$p"
  mount --bind "$d/fs/\$p" "/\$p"
done
mount --bind "$d/hosts" /etc/hosts
mount --bind "$d/resolv.conf" /etc/resolv.conf
/usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
EOF
  chmod +x "$d/init.sh"
  # names resolve locally: a DNS lookup of the host's own name otherwise costs libvirtd 4 s per start
  { echo "127.0.0.1 localhost"; for m in $(seq 1 "$hosts"); do echo "$(host_ip "$m") hv$m"; done; } >"$d/hosts"
  echo "options timeout:1 attempts:1" >"$d/resolv.conf"
}

write_guest_xml() {  # name vcpus MiB
  cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>$3</memory><currentMemory unit='MiB'>$3</currentMemory>
  <vcpu>$2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices>
</domain>
EOF
}

build_network() {  # host namespaces last: a failure before leaves nothing half-wired
  local hosts=$1 n ns ip
  ip link add "$BRIDGE" type bridge
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for n in $(seq 1 "$hosts"); do
    ns=${NS_PREFIX}hv$n; ip=$(host_ip "$n")
    ip netns add "$ns"
    # a fixed MAC: a host rebuilt with the same address must not meet a stale neighbour entry
    ip link add "${VETH_PREFIX}hv$n" type veth peer name eth0 netns "$ns" address "02:99:$(printf %02x "$NET"):00:00:$(printf %02x "$n")"
    ip neigh flush dev "$BRIDGE" to "$ip" 2>/dev/null || true
    ip link set "${VETH_PREFIX}hv$n" master "$BRIDGE" up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
}

start_host() {
  local n=$1 d; d=$(host_dir "$n")
  ip netns exec "${NS_PREFIX}hv$n" unshare --mount --uts --propagation private "$d/init.sh"
  for _ in $(seq 1 50); do [ -s "$d/sshd.pid" ] && break; sleep 0.1; done
  [ -s "$d/sshd.pid" ] || die "sshd on hv$n did not start (log: $d/sshd.log)"
  echo "hv$n sshd $(cat "$d/sshd.pid")" >>"$T/pids"
  start_libvirtd "$n"
}

seed_caps_cache() {  # copies libvirt's own cache; libvirt re-validates it against qemu and itself
  local n=$1
  [ -d "$CACHE/qemu/capabilities" ] || return 0
  mkdir -p "$(host_dir "$n")/fs/var/cache/libvirt"
  cp -a "$CACHE/qemu" "$(host_dir "$n")/fs/var/cache/libvirt/"
}

keep_caps_cache() {
  local src; src=$(host_dir 1)/fs/var/cache/libvirt/qemu
  [ -d "$src/capabilities" ] || return 0
  # replaced whole, by a rename, so a test bed seeding from it at the same time never sees half
  local tmp="$CACHE.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"; cp -a "$src" "$tmp/"
  rm -rf "$CACHE"; mv -T "$tmp" "$CACHE" 2>/dev/null || rm -rf "$tmp"
}

up() {
  local hosts=3 vms=2
  while [ $# -gt 0 ]; do
    case "$1" in
      --hosts) hosts=${2:-}; shift 2 ;;
      --vms) vms=${2:-}; shift 2 ;;
      *) die "unknown option '$1' (usage: up [--hosts N] [--vms M])" ;;
    esac
  done
  [[ "$hosts" =~ ^[1-9]$ ]] || die "--hosts takes 1 to 9, not '$hosts'"
  [[ "$vms" =~ ^[0-9]$ ]] || die "--vms takes 0 to 9, not '$vms'"
  require_tools
  # safety first: nothing in the test range may leave this machine, even half built
  ip route replace unreachable "$RANGE"
  local t0; t0=$(now)
  down_quiet
  mkdir -p "$T" "$DATA/clusters"; chmod 700 "$DATA"
  echo "$hosts" >"$T/hosts"; : >"$T/pids"

  rm -f "$CLUSTER_KEY" "$CLUSTER_KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C ferry-testbed -f "$CLUSTER_KEY" </dev/null
  local n
  for n in $(seq 1 "$hosts"); do write_host_files "$n" "$hosts"; done
  : >"$CLUSTER_KNOWN"
  for n in $(seq 1 "$hosts"); do
    echo "$(host_ip "$n") $(cut -d' ' -f1,2 "$(host_dir "$n")/hostkey_ed25519.pub")" >>"$CLUSTER_KNOWN"
  done
  for n in $(seq 1 "$hosts"); do cp "$CLUSTER_KNOWN" "$(host_dir "$n")/fs/root/.ssh/known_hosts"; done
  write_cluster_yaml "$hosts"

  say "files in $(since "$t0") s"
  build_network "$hosts"
  say "network in $(since "$t0") s"
  # the first host probes QEMU (8 s cold) unless the cache is seeded; the others copy its result
  seed_caps_cache 1
  start_host 1
  local tp; tp=$(now)
  wait_libvirtd 1
  in_host 1 virsh -q -c qemu:///system capabilities >/dev/null
  say "hv1: libvirtd ready, QEMU capabilities in $(since "$tp") s"
  keep_caps_cache
  for n in $(seq 2 "$hosts"); do seed_caps_cache "$n"; start_host "$n"; done
  for n in $(seq 2 "$hosts"); do wait_libvirtd "$n"; done
  say "hosts in $(since "$t0") s"

  local jobs=()
  for n in $(seq 1 "$hosts"); do start_guests "$n" "$vms" & jobs+=($!); done
  for j in "${jobs[@]}"; do wait "$j" || die "guests failed to start (see above)"; done
  say "up: $hosts hosts, $vms guests each, in $(since "$t0") s"
  echo "$CLUSTER_YAML"
}

start_guests() {  # host count; the hosts start theirs in parallel
  local n=$1 vms=$2 v x
  for v in $(seq 1 "$vms"); do
    x=$(host_dir "$n")/vm$n$v.xml
    # two shapes, so an inventory that mixes fields up shows it
    if [ $((v % 2)) -eq 1 ]; then write_guest_xml "vm$n$v" 1 64 >"$x"; else write_guest_xml "vm$n$v" 2 96 >"$x"; fi
    in_host "$n" virsh -q -c qemu:///system define "$x" >/dev/null
    in_host "$n" virsh -q -c qemu:///system start "vm$n$v" >/dev/null
  done
}

write_cluster_yaml() {
  local hosts=$1 n
  {
    echo "# Ferry's test bed (scripts/testbed/testbed.sh up): $hosts hosts in network namespaces on $BRIDGE"
    echo "hosts:"
    for n in $(seq 1 "$hosts"); do
      cat <<EOF
  - name: hv$n
    address: $(host_ip "$n")
    port: 22
    user: root
    identityFile: $CLUSTER_KEY
    knownHosts: $CLUSTER_KNOWN
    rack: r$(( (n + 1) / 2 ))
    power:
      off: { local: "$SELF --home $DATA --net $NET power hv$n off" }
      on: { local: "$SELF --home $DATA --net $NET power hv$n on" }
EOF
    done
  } >"$CLUSTER_YAML"
}

# -------------------------------------------------------------------------------------------- down

kill_recorded() {  # every PID the test bed recorded or that lives in one of its namespaces
  local pids=() p ns
  if [ -f "$T/pids" ]; then
    while read -r _ _ p; do ours "$p" && pids+=("$p"); done <"$T/pids"
  fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}hv" || true); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$p"); done
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 30); do
    local alive=()
    for p in "${pids[@]}"; do
      [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && alive+=("$p")
    done
    [ ${#alive[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

down_quiet() {
  kill_recorded
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}hv" || true); do ip netns del "$ns"; done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^${VETH_PREFIX}hv" || true); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$T" "$CLUSTER_YAML" "$CLUSTER_KEY" "$CLUSTER_KEY.pub" "$CLUSTER_KNOWN"
}

down() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local t0; t0=$(now)
  down_quiet
  # the safety route goes last, and only when no other test network still uses the range
  if ! ip -4 route show | grep -v '^unreachable' | grep -q '^10\.99\.'; then
    ip route del unreachable "$RANGE" 2>/dev/null || true
  fi
  say "down in $(since "$t0") s"
}

# ------------------------------------------------------------------------------------ the rest

status() {
  local hosts n; hosts=$(host_count)
  [ "$hosts" -gt 0 ] || { echo "no test bed"; return 0; }
  echo "cluster: $CLUSTER_YAML"
  for n in $(seq 1 "$hosts"); do
    echo "hv$n $(host_ip "$n") sshd=$(pid_of "$n" sshd) libvirtd=$(pid_of "$n" libvirtd)"
    in_host "$n" virsh -q -c qemu:///system list --all 2>&1 | sed 's/^/  /' || true
  done
}

dirty_vm() {
  local n; n=$(host_index "${1:-}"); local name=${2:-}; local speed=${3:-2}
  [[ "$name" =~ ^[a-z][a-z0-9-]*$ ]] || die "dirty-vm HOST NAME [MiB/s]: NAME must be lower-case letters, digits, '-'"
  [[ "$speed" =~ ^[0-9]+$ ]] || die "dirty-vm: bandwidth must be a whole number of MiB/s"
  if [ ! -f "$T/dirty32.img" ]; then
    as --32 -o "$T/dirty32.o" "$HERE/dirty32.S"
    ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$T/dirty32.img" "$T/dirty32.o"
    truncate -s 1474560 "$T/dirty32.img"
  fi
  local x; x=$(host_dir "$n")/$name.xml
  cat >"$x" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory><currentMemory unit='MiB'>64</currentMemory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='fd'/></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='floppy'><source file='$T/dirty32.img'/><target dev='fda' bus='fdc'/><readonly/></disk>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
  in_host "$n" virsh -q -c qemu:///system define "$x" >/dev/null
  in_host "$n" virsh -q -c qemu:///system start "$name" >/dev/null
  # a slow link for this guest only: any migration that does not pass its own bandwidth uses this
  in_host "$n" virsh -q -c qemu:///system migrate-setspeed "$name" "$speed" >/dev/null
  say "hv$n: $name rewrites 48 MiB forever; its migrations are capped at $speed MiB/s"
}

fault() {
  local n; n=$(host_index "${1:-}"); local kind=${2:-} d; d=$(host_dir "$n")
  case "$kind" in
    link-down) ip link set "${VETH_PREFIX}hv$n" down ;;
    link-up) ip link set "${VETH_PREFIX}hv$n" up ;;
    kill-sshd) local p; p=$(pid_of "$n" sshd); ours "$p" && kill -TERM "$p" ;;
    start-sshd) start_sshd "$n" ;;
    restart-libvirtd)
      local p; p=$(pid_of "$n" libvirtd)
      ours "$p" && kill -TERM "$p"
      for _ in $(seq 1 50); do { [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status"; } || break; sleep 0.1; done
      start_libvirtd "$n"; wait_libvirtd "$n" ;;
    rekey)  # a host that was reinstalled: same address, new key; sshd reloads on SIGHUP
      rm -f "$d/hostkey_ed25519" "$d/hostkey_ed25519.pub"
      ssh-keygen -q -t ed25519 -N '' -C "hv$n" -f "$d/hostkey_ed25519" </dev/null
      kill -HUP "$(pid_of "$n" sshd)"; sleep 0.3 ;;
    trust-key)  # the operator accepted the new key: Ferry's known_hosts and the other hosts' (p2p)
      local line; line="$(host_ip "$n") $(cut -d' ' -f1,2 "$d/hostkey_ed25519.pub")"
      local f m
      for f in "$CLUSTER_KNOWN" $(for m in $(seq 1 "$(host_count)"); do echo "$(host_dir "$m")/fs/root/.ssh/known_hosts"; done); do
        { grep -v "^$(host_ip "$n") " "$f" || true; echo "$line"; } >"$f.new" && mv "$f.new" "$f"
      done ;;
    garbage-virsh)  # found first on the host's PATH (/usr/local/bin is per host)
      cat >"$d/fs/usr/local/bin/virsh" <<'EOF'
#!/bin/sh
# a broken virsh: exit status 0, output that is no virsh output at all
echo '<<< segmentation fault at 0xdeadbeef >>>'
head -c 300 /dev/urandom | base64
EOF
      chmod +x "$d/fs/usr/local/bin/virsh" ;;
    real-virsh) rm -f "$d/fs/usr/local/bin/virsh" ;;
    *) die "fault HOST KIND: KIND is link-down, link-up, kill-sshd, start-sshd, restart-libvirtd, rekey, trust-key, garbage-virsh or real-virsh" ;;
  esac
}

power() {  # off: every process of the host dies, as in a power cut; on: it boots again
  local n; n=$(host_index "${1:-}"); local d; d=$(host_dir "$n")
  case "${2:-}" in
    off)
      local pids; pids=$(ip netns pids "${NS_PREFIX}hv$n")
      [ -z "$pids" ] || kill -KILL $pids
      rm -f "$d/sshd.pid" "$d/libvirtd.pid"
      say "hv$n powered off" ;;
    on)
      if [ -s "$d/sshd.pid" ] && kill -0 "$(cat "$d/sshd.pid")" 2>/dev/null; then say "hv$n is already on"; return 0; fi
      start_host "$n"; wait_libvirtd "$n"
      say "hv$n powered on" ;;
    *) die "power HOST off|on" ;;
  esac
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  exec) n=$(host_index "${1:-}"); shift; in_host "$n" "$@" ;;
  dirty-vm) dirty_vm "$@" ;;
  fault) fault "$@" ;;
  power) power "$@" ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
