#!/usr/bin/env python3
"""verifier.py — a loopback stand-in for what moto's server does not check, in front of it.

* Every request that carries SigV4 (S3 REST, DynamoDB's JSON API) is verified with botocore's own
  signer (moto[server] installs botocore) against the secret of its access key: a wrong signature
  is answered 403 SignatureDoesNotMatch, an unknown key 403 InvalidAccessKeyId, as AWS does; a
  good one is forwarded unchanged to moto (`--upstream`).
* STS (a form POST with `Action=`) is served here: AssumeRoleWithWebIdentity must be unsigned and
  carry the expected role and token; AssumeRole must be signed by a known key (verified the same
  way) and carry the expected role (and external id when one is expected). Each answers fresh
  temporary credentials, which this server then accepts.
* `--deny KEY` keys are known, and refused s3:GetObject on state objects with AccessDenied (an
  IAM policy that lets them list the bucket and nothing more).

Every request is logged as one JSON line (`--log`): method, path, the names of the signed
headers, the SSE-C headers, the access key id, and what was decided.
"""
import argparse, json, secrets, sys, threading, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", required=True)
ap.add_argument("--portfile", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--key", action="append", default=[], help="ACCESS_KEY_ID=SECRET")
ap.add_argument("--deny", action="append", default=[], help="ACCESS_KEY_ID=SECRET refused GetObject")
ap.add_argument("--web-identity", action="append", default=[], help="ROLE_ARN=TOKEN")
ap.add_argument("--assume", action="append", default=[], help="ROLE_ARN[=EXTERNAL_ID]")
args = ap.parse_args()

KEYS = dict(k.split("=", 1) for k in args.key + args.deny)
DENIED = {k.split("=", 1)[0] for k in args.deny}
TOKENS = {}  # temporary access key id -> session token
WEB = dict(w.split("=", 1) for w in args.web_identity)
ASSUME = {a.split("=", 1)[0]: (a.split("=", 1)[1] if "=" in a else None) for a in args.assume}
LOCK = threading.Lock()


def log(entry):
    with LOCK, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def verify(method, raw_path, headers, body):
    """None when the SigV4 signature is right, else (status, code)."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return (403, "MissingAuthenticationToken")
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, date, region, service, _ = fields["Credential"].split("/")
    if key_id not in KEYS:
        return (403, "InvalidAccessKeyId")
    if key_id in TOKENS and headers.get("x-amz-security-token") != TOKENS[key_id]:
        return (403, "InvalidToken")
    signed = fields["SignedHeaders"].split(";")
    req = AWSRequest(method=method, url=f"http://{headers['host']}{raw_path}", data=body,
                     headers={h: headers[h] for h in signed if h in headers})
    req.context["timestamp"] = headers.get("x-amz-date", "")
    cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = cls(Credentials(key_id, KEYS[key_id], TOKENS.get(key_id)), service, region)
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if expected != fields["Signature"]:
        return (403, "SignatureDoesNotMatch")
    return None


def xml_error(code, message):
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>verifier</RequestId></Error>'.encode()


def sts_error(code, message):
    return f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>verifier</RequestId></ErrorResponse>'.encode()


def issue(action, role):
    key_id = "ASIA" + secrets.token_hex(8).upper()
    secret, token = secrets.token_urlsafe(30), secrets.token_urlsafe(60)
    KEYS[key_id], TOKENS[key_id] = secret, token
    return key_id, (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
                    f'<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>'
                    f'<SessionToken>{token}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>'
                    f'<AssumedRoleUser><Arn>{role}/session</Arn><AssumedRoleId>AROA:session</AssumedRoleId></AssumedRoleUser>'
                    f'</{action}Result></{action}Response>').encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype="application/xml", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        auth = headers.get("authorization", "")
        key_id = auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else None
        entry = {"method": self.command, "path": self.path, "key": key_id,
                 "signed": auth.split("SignedHeaders=", 1)[1].split(",", 1)[0] if "SignedHeaders=" in auth else None,
                 "sse": {k: v for k, v in headers.items() if k.startswith("x-amz-server-side-encryption-customer")}}
        form = urllib.parse.parse_qs(body.decode(errors="replace")) if headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else {}
        action = form.get("Action", [None])[0]
        if action:
            entry["action"] = action
            return self.sts(action, form, headers, body, entry)
        bad = verify(self.command, self.path, headers, body)
        if bad:
            entry["decision"] = bad[1]
            log(entry)
            if "x-amz-target" in headers:
                return self.answer(400, json.dumps({"__type": f"com.amazon.coral.service#{bad[1]}Exception", "message": bad[1]}).encode(), "application/x-amz-json-1.0")
            return self.answer(bad[0], xml_error(bad[1], "checked by tests/servers/s3/verifier.py"))
        is_state = self.command in ("GET", "HEAD") and "tfstate" in self.path.split("?")[0].split("/", 2)[-1]
        if key_id in DENIED and is_state:
            entry["decision"] = "AccessDenied"
            log(entry)
            return self.answer(403, xml_error("AccessDenied", "User is not authorized to perform: s3:GetObject"))
        entry["decision"] = "forwarded"
        log(entry)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        req = urllib.request.Request(args.upstream + self.path, data=body if body or self.command in ("POST", "PUT") else None,
                                     method=self.command, headers=fwd)
        try:
            with urllib.request.urlopen(req) as r:
                status, data, rh = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, data, rh = e.code, e.read(), e.headers
        keep = [(k, v) for k, v in rh.items() if k.lower() not in ("content-length", "content-type", "connection", "transfer-encoding", "date", "server")]
        self.answer(status, data, rh.get("content-type", "application/octet-stream"), keep)

    def sts(self, action, form, headers, body, entry):
        one = lambda k: form.get(k, [None])[0]
        role = one("RoleArn")
        if action == "AssumeRoleWithWebIdentity":
            if "authorization" in headers:
                entry["decision"] = "signed web identity request"
                log(entry)
                return self.answer(400, sts_error("InvalidRequest", "AssumeRoleWithWebIdentity is not signed"))
            if WEB.get(role) != one("WebIdentityToken") or not one("RoleSessionName"):
                entry["decision"] = "InvalidIdentityToken"
                log(entry)
                return self.answer(400, sts_error("InvalidIdentityToken", "Incorrect token audience"))
        elif action == "AssumeRole":
            bad = verify("POST", self.path, headers, body)
            if bad:
                entry["decision"] = bad[1]
                log(entry)
                return self.answer(403, sts_error(bad[1], "checked by tests/servers/s3/verifier.py"))
            if role not in ASSUME or (ASSUME[role] is not None and ASSUME[role] != one("ExternalId")):
                entry["decision"] = "AccessDenied"
                log(entry)
                return self.answer(403, sts_error("AccessDenied", f"User: {entry['key']} is not authorized to perform: sts:AssumeRole on resource: {role}"))
        else:
            return self.answer(400, sts_error("InvalidAction", action))
        key_id, xml = issue(action, role)
        entry["decision"] = f"issued {key_id}"
        log(entry)
        self.answer(200, xml, "text/xml")

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(args.portfile + ".tmp", args.portfile)
# Stops when the parent that started it goes away (its stdin closes).
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
