#!/usr/bin/env bash
# Installs cexbar's LXC helper, the one program the desktop user may run as root through sudo, as
# a root-owned copy: /usr/local/libexec/cexbar/cexbar-lxc-helper (mode 0755, in root-owned
# folders), run by the root-owned node found on PATH. Root never runs code from the checkout or
# node_modules, which the user may be able to change. Run it as root after a build; again after
# each update. With --allow-test-lxc it also lists the tests' and the demo's LXC sandboxes
# (folders in /run/cexbar-test-lxc) in /etc/cexbar/lxc-paths.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'install-helper: %s\n' "$*" >&2; }

HELPER_DIR=/usr/local/libexec/cexbar
HELPER=$HELPER_DIR/cexbar-lxc-helper
SOURCE=dist/src/privileged/lxc-helper.js
TEST_LXC_PARENT=/run/cexbar-test-lxc

if [ "$(id -u)" -ne 0 ]; then
  say "run me as root: I install $HELPER owned by root"
  exit 1
fi
if [ ! -f "$SOURCE" ]; then
  say "$SOURCE is missing: build first (npm run build)"
  exit 1
fi

# The shebang names the real node; a node that someone else could replace would hand them root.
node=$(readlink -f "$(command -v node)")
for path in "$node" "$(dirname "$node")"; do
  if [ "$(stat -c %u "$path")" != 0 ] || [ $((0$(stat -c %a "$path") & 022)) -ne 0 ]; then
    say "$path must be owned by root and writable by no one else: not installing"
    exit 1
  fi
done

install -d -o root -g root -m 0755 /usr/local/libexec "$HELPER_DIR" /etc/cexbar
tmp=$(mktemp "$HELPER_DIR/.cexbar-lxc-helper.XXXXXX")
{
  printf '#!%s\n' "$node"
  sed -e '1{/^#!/d}' -e '/^\/\/# sourceMappingURL=/d' "$SOURCE"
} >"$tmp"
chown root:root "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$HELPER"

if [ "${1:-}" = --allow-test-lxc ]; then
  # A folder only root can write, on a tmpfs: the sandboxes' names never reach the disk.
  install -d -o root -g root -m 0755 "$TEST_LXC_PARENT"
  allowlist=/etc/cexbar/lxc-paths
  if ! grep -qxF "$TEST_LXC_PARENT/*" "$allowlist" 2>/dev/null; then
    say "allowing the tests' LXC paths ($TEST_LXC_PARENT/*) in $allowlist"
    printf '%s\n' "$TEST_LXC_PARENT/*" >>"$allowlist"
  fi
  chown root:root "$allowlist"
  chmod 0644 "$allowlist"
fi
