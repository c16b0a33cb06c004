#!/usr/bin/env bash
# Sets up everything the demo and the tests need on a Debian 12 machine, as root: Debian packages,
# the unprivileged desktop user that runs Sway and the panel, its sudoers drop-in for cexbar's LXC
# helper, the npm packages (node-gtk builds from source), node-gtk's TypeScript types, the build
# and the helper's root-owned copy.
# Every install step is skipped when it is already done; a second run only rebuilds (about 15 s).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

DESKTOP_USER=${CEXBAR_TEST_USER:-cexbar}

if [ "$(id -u)" -ne 0 ]; then
  say "run me as root: I install Debian packages and create the desktop user '$DESKTOP_USER'"
  exit 1
fi

# Debian 12's own nodejs is 18: cexbar (package.json's engines) needs 20.19 or newer, which
# Debian does not ship. Stop before installing anything rather than fail later in npm ci.
NODE_NEEDED=20.19
node_help="install Node.js $NODE_NEEDED or newer first (Node.js 20 or 22 from NodeSource's \
Debian packages, https://github.com/nodesource/distributions, or from https://nodejs.org)"
if ! node_version=$(node --version 2>/dev/null); then
  say "node is not on PATH: $node_help"
  exit 1
fi
IFS=. read -r node_major node_minor _ <<<"${node_version#v}"
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  say "node $node_version is too old for cexbar: $node_help"
  exit 1
fi

# What the panel needs at run time, what node-gtk needs to build, and the real parts the tests
# and the demo start (Sway, grim, LXC, nested Weston, Cage and Xwayland with X clients to connect
# to it, wl-clipboard, sudo; acl for sessions of idmapped containers, notify-send).
PACKAGES=(
  sway grim weston cage xwayland x11-utils wl-clipboard wtype acl
  lxc busybox-static uidmap sudo dbus libnotify-bin
  gir1.2-gtk-3.0 gir1.2-gtklayershell-0.1 libharfbuzz-gobject0 fonts-dejavu-core
  build-essential pkg-config python3 libgirepository1.0-dev libcairo2-dev
)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
fi

# Sway refuses to run as root, and the panel runs as the desktop user: tests and the demo use
# this one.
if ! getent passwd "$DESKTOP_USER" >/dev/null; then
  say "creating the desktop user '$DESKTOP_USER'"
  useradd --create-home --shell /bin/bash "$DESKTOP_USER"
fi

# Idmapped test containers (as LXCex's: lxc.idmap = u 0 200000 65536) need root's own range.
for ids in /etc/subuid /etc/subgid; do
  grep -qx 'root:200000:65536' "$ids" 2>/dev/null || echo 'root:200000:65536' >>"$ids"
done

# The panel runs exactly one program through `sudo -n`: cexbar's LXC helper; nothing else.
sudoers=/etc/sudoers.d/cexbar-$DESKTOP_USER
wanted_sudoers=$(sed "s/^@USER@/$DESKTOP_USER/" runit/sudoers.in)
if [ ! -f "$sudoers" ] || [ "$(cat "$sudoers")" != "$wanted_sudoers" ]; then
  say "writing $sudoers"
  tmp=$(mktemp)
  printf '%s\n' "$wanted_sudoers" >"$tmp"
  chmod 0440 "$tmp"
  visudo -cqf "$tmp"
  mv "$tmp" "$sudoers"
fi

# npm packages; node-gtk has no prebuilt binary here and builds against /usr's headers (.npmrc).
lock_sum=$(sha256sum package-lock.json package.json | sha256sum | cut -c1-16)
if [ ! -f node_modules/.cexbar-installed ] || [ "$(cat node_modules/.cexbar-installed)" != "$lock_sum" ]; then
  say "installing npm packages (node-gtk builds from source, about 2 minutes)"
  JOBS=2 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >node_modules/.cexbar-installed
fi

if [ ! -f types/gi/node-gtk.d.ts ]; then
  say "generating node-gtk's TypeScript types"
  types_log=$(mktemp)
  if ! NO_AT_BRIDGE=1 npx node-gtk generate-types Gtk-3.0 Gdk-3.0 GtkLayerShell-0.1 \
    --outdir types/gi >"$types_log" 2>&1; then
    cat "$types_log" >&2
    exit 1
  fi
  rm -f "$types_log"
fi

say "building"
# A clean build: a test file deleted from test/ must not live on as compiled code in dist/.
rm -rf dist
npx tsc -p tsconfig.json

# The helper root runs for the panel, as a root-owned copy of the build; the tests' and the
# demo's LXC sandboxes (folders in /run/cexbar-test-lxc) allowlisted for it.
bash scripts/install-helper.sh --allow-test-lxc

# The desktop user runs the built panel. A checkout under root's home (mode 0700) is out of its
# reach, so the app is then staged in a folder it can read; tests and the demo find that folder
# in dist/app-dir.
if setpriv --reuid="$DESKTOP_USER" --regid="$DESKTOP_USER" --init-groups \
  test -r "$PWD/dist/src/cli/main.js"; then
  app_dir=$PWD
else
  # One folder per checkout, so that two clones do not overwrite each other's copy.
  app_dir=/var/tmp/cexbar-app-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)
  say "$PWD is not readable by '$DESKTOP_USER': staging the app in $app_dir"
  rm -rf "$app_dir"
  mkdir -p "$app_dir"
  cp -a dist node_modules ui assets bin package.json "$app_dir"/
  chmod -R a+rX "$app_dir"
fi
echo "$app_dir" >dist/app-dir
say "ready (the desktop user '$DESKTOP_USER' runs the panel from $app_dir)"
