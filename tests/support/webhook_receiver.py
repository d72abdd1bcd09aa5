#!/usr/bin/env python3
"""An HTTPS webhook receiver for tests, on 127.0.0.1 only.

It checks the Standard Webhooks signature with its own implementation
(hmac + hashlib + base64 from Python's standard library, not amparo's signer)
and appends one JSON line per request to --log:
  {"id", "timestamp", "verified", "status", "body"}.

Answers: --status CODE to every request (e.g. 410), else --fail-first N
requests answer 500 (with "Retry-After: --retry-after" when given), then 200.
A request whose signature does not verify gets 401. The bound port is written
to --port-file once the socket listens.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import ssl
import threading


def verify(secret, msg_id, timestamp, body, header):
    key = base64.b64decode(secret[len("whsec_"):])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    for sig in header.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--status", type=int, default=0)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--retry-after", default="")
    args = p.parse_args()
    lock = threading.Lock()
    state = {"requests": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            msg_id = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "")
            ok = verify(args.secret, msg_id, ts, body, self.headers.get("webhook-signature", ""))
            with lock:
                state["requests"] += 1
                n = state["requests"]
                if not ok:
                    status = 401
                elif args.status:
                    status = args.status
                elif n <= args.fail_first:
                    status = 500
                else:
                    status = 200
                with open(args.log, "a") as log:
                    log.write(json.dumps({"id": msg_id, "timestamp": ts, "verified": ok,
                                          "status": status, "body": body.decode()}) + "\n")
            self.send_response(status)
            if status == 500 and args.retry_after:
                self.send_header("Retry-After", args.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
