#!/usr/bin/env python3
"""An SMTP server for tests (aiosmtpd, Debian's python3-aiosmtpd), on
127.0.0.1 only.

With --cert/--key it offers STARTTLS and requires it before MAIL; with
--user/--password it requires AUTH (only over TLS). Recipients matching
--reject (a substring) get "550 5.1.1 mailbox unavailable"; --tempfail N
answers the first N transactions with 451. Every accepted message is parsed
with Python's own email package (not amparo's code) and logged as one JSON
line to --log: envelope, decoded headers, and the decoded text and html parts.
"""
import argparse
import asyncio
import email
import email.header
import email.policy
import json
import os
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--reject", default="")
    p.add_argument("--tempfail", type=int, default=0)
    args = p.parse_args()
    lock = threading.Lock()
    state = {"transactions": 0}

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.reject and args.reject in address:
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            with lock:
                state["transactions"] += 1
                if state["transactions"] <= args.tempfail:
                    return "451 4.3.0 try again later"
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            parts = {}
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    parts[part.get_content_subtype()] = part.get_content()
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "subject": str(msg["Subject"]),
                "from": str(msg["From"]),
                "to": str(msg["To"]),
                "message_id": str(msg["Message-ID"]),
                "content_type": msg.get_content_type(),
                "content_language": str(msg.get("Content-Language", "")),
                "text": parts.get("plain", ""),
                "html": parts.get("html", ""),
                "defects": [str(d) for d in msg.defects],
            }
            with lock, open(args.log, "a") as log:
                log.write(json.dumps(record) + "\n")
            return "250 2.0.0 queued"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False)

    kwargs = {}
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.user:
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(args.cert))
    # Port 0 is not supported by Controller's readiness check: pick a free one.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
