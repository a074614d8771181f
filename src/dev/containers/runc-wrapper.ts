/**
 * The capability-filtering runc wrapper. Some VMs run containers with a capability bounding set
 * that lacks a capability Docker and Kubernetes grant (CAP_SYS_RESOURCE here), so `runc` fails
 * with "unable to apply caps: operation not permitted" for privileged containers (kind's node,
 * kube-proxy). The wrapper drops, from the OCI spec runc is about to use, every capability the
 * wrapper's own bounding set lacks, then execs the real runc. Registered as dockerd's default
 * runtime and as containerd's runc inside the kind node.
 */

/** Linux capability names by bit number (capability.h), for reading /proc/self/status's CapBnd. */
const CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
];

/**
 * The wrapper as a bash script (needs bash and jq) that execs `realRunc`. For `create`/`run` it
 * edits the bundle's config.json (`process.capabilities`), for `exec` the `--process` file.
 */
export function capabilityFilteringRunc(realRunc: string): string {
  return `#!/bin/bash
# mooring: runc wrapper that drops capabilities missing from this machine's bounding set.
set -u
names=(${CAPABILITIES.join(" ")})
bnd=$((16#$(awk '/^CapBnd/{print $2}' /proc/self/status)))
missing=""
for i in "\${!names[@]}"; do
  if (( ((bnd >> i) & 1) == 0 )); then missing="$missing\\"CAP_\${names[$i]}\\","; fi
done
if [ -n "$missing" ]; then
  missing="[\${missing%,}]"
  args=("$@"); cmd=""; bundle="."; process=""
  for ((i = 0; i < \${#args[@]}; i++)); do
    case "\${args[$i]}" in
      create|run|exec) [ -z "$cmd" ] && cmd="\${args[$i]}" ;;
      --bundle|-b) bundle="\${args[$((i + 1))]}" ;;
      --bundle=*) bundle="\${args[$i]#--bundle=}" ;;
      --process|-p) process="\${args[$((i + 1))]}" ;;
      --process=*) process="\${args[$i]#--process=}" ;;
    esac
  done
  drop='with_entries(.value |= map(select(. as $c | $m | index($c) | not)))'
  filter() { jq --argjson m "$missing" "$2" "$1" > "$1.mooring" && mv "$1.mooring" "$1"; }
  case "$cmd" in
    create|run) filter "$bundle/config.json" "if .process.capabilities then .process.capabilities |= $drop else . end" ;;
    exec) [ -n "$process" ] && filter "$process" "if .capabilities then .capabilities |= $drop else . end" ;;
  esac
fi
exec ${realRunc} "$@"
`;
}
