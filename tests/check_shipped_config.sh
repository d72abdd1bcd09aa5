#!/usr/bin/env bash
# amparod --check on the shipped config/amparod.yaml: accepted (exit 0) once
# its deployment key exists — here a temporary one in place of the systemd
# credential path — and its rules and directory are there (the source tree's
# in place of /etc/amparo); a broken copy is refused with key paths and exit
# 78, and so is each thing the daemon would fail to start without: an
# unknown duty officer, an unreadable key file, a malformed tokens file, an
# HTTPS key that does not belong to its certificate.
set -euo pipefail
amparod=${1:?usage: check_shipped_config.sh AMPAROD SOURCE_DIR}
root=${2:?usage: check_shipped_config.sh AMPAROD SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 32 /dev/urandom > "$work/deployment.key"
sed -e "s|/run/credentials/amparod.service/deployment.key|$work/deployment.key|" \
  -e "s|^  dir: /etc/amparo/rules|  dir: $root/rules|" \
  -e "s|^  dir: /etc/amparo/directory|  dir: $root/config/directory|" \
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
# refused PATTERN SED-EXPR...: a copy edited by SED-EXPR fails with 78 and PATTERN.
refused() {
  local pattern=$1
  shift
  sed "$@" "$work/amparod.yaml" > "$work/bad.yaml"
  set +e
  out=$("$amparod" --check --config "$work/bad.yaml" 2>&1)
  rc=$?
  set -e
  echo "$out"
  [[ $rc -eq 78 ]] || { echo "expected exit 78 for $pattern, got $rc"; exit 1; }
  grep -q "$pattern" <<<"$out" || { echo "$pattern missing"; exit 1; }
}
refused "directory.unrouted" -e 's|^  unrouted: duty-officer|  unrouted: nobody-at-all|'
refused "privacy.deployment_key_file" -e "s|$work/deployment.key|$work/missing.key|"
echo "not a token line at all" > "$work/tokens"
refused "http.ack_tokens_file" -e "s|^  # ack_tokens_file: .*|  ack_tokens_file: $work/tokens|"
# HTTPS with a certificate and a key that is not its own.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=a -days 1 -keyout "$work/a.key" \
  -out "$work/a.crt" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/b.key" 2>/dev/null
refused "http.tls.key_file" -e "/^http:/,/^logging:/s|^  # tls:|  tls:|" \
  -e "s|^  #   cert_file: /etc/amparo/tls/https.crt|    cert_file: $work/a.crt|" \
  -e "s|^  #   key_file: /run/credentials/amparod.service/https.key|    key_file: $work/b.key|"
refused "directory.iso_codes_dir" -e "s|^  iso_codes_dir: .*|  iso_codes_dir: $work/no-iso-codes|"
refused "ingest.authority_topic" -e "s|^  authority_topic: match|  authority_topic: off|"
echo "shipped config accepted; broken copies refused with exit 78"
