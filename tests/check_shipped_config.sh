#!/usr/bin/env bash
# amparod --check on the shipped config/amparod.yaml: accepted (exit 0) once
# its deployment key exists — here a temporary one in place of the systemd
# credential path — and a broken copy is refused with key paths and exit 78.
set -euo pipefail
amparod=${1:?usage: check_shipped_config.sh AMPAROD SOURCE_DIR}
root=${2:?usage: check_shipped_config.sh AMPAROD SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 32 /dev/urandom > "$work/deployment.key"
sed "s|/run/credentials/amparod.service/deployment.key|$work/deployment.key|" \
  "$root/config/amparod.yaml" > "$work/amparod.yaml"
"$amparod" --check --config "$work/amparod.yaml"

# Two mistakes: both must be reported, with their key paths, and exit 78.
sed -e 's|^  keep_alive: 30s|  keep_alive: 0s|' -e 's|^  durability: process|  durability: sometimes|' \
  "$work/amparod.yaml" > "$work/broken.yaml"
set +e
out=$("$amparod" --check --config "$work/broken.yaml" 2>&1)
rc=$?
set -e
echo "$out"
[[ $rc -eq 78 ]] || { echo "expected exit 78, got $rc"; exit 1; }
grep -q "broker.keep_alive" <<<"$out" || { echo "keep_alive error missing"; exit 1; }
grep -q "store.durability" <<<"$out" || { echo "durability error missing"; exit 1; }
echo "shipped config accepted; broken copy refused with exit 78"
