#!/usr/bin/env bash
# make_test_pki.sh DIR [CLIENT_CN...] — a throw-away test PKI made at test
# time with openssl: DIR/ca.pem (a self-signed CA) and DIR/server.pem +
# DIR/server.key, a server certificate for 127.0.0.1 and localhost signed by
# that CA; for each CLIENT_CN a client certificate DIR/clients/CN.pem + .key
# signed by the same CA. Nothing is kept in the repository; every run gets
# fresh keys.
set -euo pipefail
dir=${1:?usage: make_test_pki.sh DIR [CLIENT_CN...]}
shift
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=amparo test CA" \
  -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr \
  2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.pem 2>/dev/null
if (($#)); then
  mkdir -p clients
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
  for cn in "$@"; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "clients/$cn.key" \
      -out "clients/$cn.csr" 2>/dev/null
    openssl x509 -req -in "clients/$cn.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile client.ext -out "clients/$cn.pem" 2>/dev/null
  done
fi
echo ok
