#!/usr/bin/env bash
# Installs this package into an n8n user folder the way n8n installs a community
# package, so its nodes load as n8n-nodes-whatsapp-crm.<node> (the type names that
# exported workflows contain):
#
#   bash scripts/pack-and-install.sh <N8N_USER_FOLDER>     (dist/ must be built: npm run build)
#
# Mirrors n8n 2.41.1 (community-packages.service.ts, downloadPackage): `npm pack`, unpack
# into <folder>/.n8n/nodes/node_modules/<name>, delete devDependencies, peerDependencies
# and optionalDependencies from its package.json, `npm install --install-strategy=shallow
# --ignore-scripts` inside it. n8n-workflow is thus not installed beside the package; its
# require('n8n-workflow') falls through to NODE_PATH, which n8n points at its own
# node_modules at start-up, so the package shares n8n's classes. Keep the user folder out
# of any tree that has a node_modules/n8n-workflow on the way up (e.g. not inside this repo).
# Prints the installed package's directory. Replaces an earlier install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
folder="${1:?usage: pack-and-install.sh <N8N_USER_FOLDER>}"
mkdir -p "$folder"
folder="$(cd "$folder" && pwd)"
name="$(node -p "require('$here/package.json').name")"
version="$(node -p "require('$here/package.json').version")"
[ -d "$here/dist" ] || { echo "dist/ is missing: run npm run build first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$here" && npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n1)"

nodes="$folder/.n8n/nodes"
dest="$nodes/node_modules/$name"
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$work/$tarball" -C "$dest" --strip-components=1
node -e '
  const fs = require("fs"); const file = process.argv[1];
  const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
' "$dest/package.json"
(cd "$dest" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow \
  --ignore-scripts=true --package-lock=false --prefer-offline --loglevel=error >&2)

# n8n keeps the list of installed community packages here.
node -e '
  const fs = require("fs"); const [file, name, version] = process.argv.slice(1);
  let pkg = { name: "installed-nodes", private: true, dependencies: {} };
  try { pkg = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
  pkg.dependencies = { ...(pkg.dependencies || {}), [name]: version };
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
' "$nodes/package.json" "$name" "$version"
echo "$dest"
