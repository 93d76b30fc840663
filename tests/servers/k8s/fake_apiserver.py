#!/usr/bin/env python3
"""fake_apiserver.py — (copied from the backend proofs k8s_fake_apiserver.py) a minimal loopback Kubernetes API server, just enough for
Terraform's `kubernetes` backend (internal/backend/remote-state/kubernetes):

  core/v1 Secrets                 /api/v1/namespaces/{ns}/secrets[/{name}]
  coordination.k8s.io/v1 Leases   /apis/coordination.k8s.io/v1/namespaces/{ns}/leases[/{name}]
  verbs: list (GET collection, labelSelector), get, create (POST), update (PUT, with
  resourceVersion conflict check), delete.   Also /version, /api, /apis (discovery stubs).
  --forbid NAME:PLURAL answers 403 to user NAME on PLURAL, as RBAC would (added for the action's tests).
  POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews answers whether the caller may do
  what the review asks: allowed unless --forbid NAME:PLURAL or --deny NAME:VERB:PLURAL says not
  (per-user rules, so a test can deny `update leases` alone). --client-ca may be repeated.

TLS with client-certificate authentication like a Minikube API server: the client cert must
chain to --client-ca; the user is the cert's CN (groups = O). Bearer tokens listed with
--token NAME=TOKEN are accepted too (for exec-plugin / token tests). No cert and no valid
token -> 401 Status. There is no authorization (RBAC): every authenticated user may do anything.

Every request is appended to --log as one JSON line: method, path, query, user, auth,
content-type, accept, request body (parsed JSON), response status (and, for errors,
the Status reason), the client's port (`conn`: one per connection) and the times its
connection was accepted, the request read and answered (`t_conn`, `t_in`, `t_out`, seconds
since the epoch: requests a client sends together overlap), for the benchmark's count of round
trips. The stored objects are written to --dump (JSON) after every change,
so a test can read exactly what Terraform stored without another client.

GET /__mark/<text> (no auth) only writes {"mark": text} to the log (phase markers for tests).

Usage:
  fake_apiserver.py --port 0 --portfile port.txt --cert server.crt --key server.key \\
      --client-ca ca.crt --log requests.jsonl --dump objects.json [--token ci=SECRET]
"""
import argparse, base64, json, re, ssl, threading, time, uuid, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--portfile")
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--client-ca", required=True, action="append")
ap.add_argument("--log", required=True)
ap.add_argument("--dump")
ap.add_argument("--exit-with-stdin", action="store_true",
                help="stop when standard input closes: the test that started it has ended, however it ended")
ap.add_argument("--token", action="append", default=[], help="NAME=TOKEN accepted as 'Authorization: Bearer TOKEN'")
ap.add_argument("--forbid", action="append", default=[], help="NAME:PLURAL -> 403 for user NAME on every verb of PLURAL (RBAC stand-in)")
ap.add_argument("--deny", action="append", default=[], help="NAME:VERB:PLURAL -> the access review of user NAME for VERB on PLURAL is denied")
args = ap.parse_args()
TOKENS = {t.split("=", 1)[1]: t.split("=", 1)[0] for t in args.token}
FORBID = {tuple(f.split(":", 1)) for f in args.forbid}
DENY = {tuple(d.split(":", 2)) for d in args.deny}
SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

mu = threading.RLock()
store = {}          # (plural, namespace, name) -> object
rv = [1000]         # global resourceVersion counter

RES = {  # (group-version path prefix, plural) -> (apiVersion, kind, listKind)
    ("api/v1", "secrets"): ("v1", "Secret", "SecretList"),
    ("apis/coordination.k8s.io/v1", "leases"): ("coordination.k8s.io/v1", "Lease", "LeaseList"),
}
PATH_RE = re.compile(r"^/(api/v1|apis/coordination\.k8s\.io/v1)/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?$")

def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def status(code, reason, message, name=None, kind=None):
    d = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": message, "reason": reason, "code": code}
    if name is not None:
        d["details"] = {"name": name, "kind": kind}
    return code, d

def parse_selector(sel):
    """Equality/set-based label selector -> list of predicates on a labels dict."""
    preds = []
    if not sel:
        return preds
    # split on commas that are not inside parentheses
    terms, depth, cur = [], 0, ""
    for ch in sel:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur); cur = ""
        else:
            cur += ch
    terms.append(cur)
    for t in (x.strip() for x in terms if x.strip()):
        m = re.match(r"^([^!=\s]+)\s+(in|notin)\s+\((.*)\)$", t)
        if m:
            k, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            preds.append((lambda L, k=k, vals=vals: L.get(k) in vals) if op == "in"
                         else (lambda L, k=k, vals=vals: L.get(k) not in vals))
        elif "!=" in t:
            k, v = t.split("!=", 1); preds.append(lambda L, k=k, v=v: L.get(k) != v)
        elif "==" in t:
            k, v = t.split("==", 1); preds.append(lambda L, k=k, v=v: L.get(k) == v)
        elif "=" in t:
            k, v = t.split("=", 1); preds.append(lambda L, k=k, v=v: L.get(k) == v)
        elif t.startswith("!"):
            preds.append(lambda L, k=t[1:]: k not in L)
        else:
            preds.append(lambda L, k=t: k in L)
    return preds

def dump():
    if not args.dump:
        return
    with open(args.dump, "w") as f:
        json.dump([store[k] for k in sorted(store)], f, indent=1)

def log(entry):
    with mu, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass

    def setup(self):
        self._t_conn = time.time()    # accepted: before the TLS handshake, which is done lazily
        super().setup()

    def _user(self):
        cert = self.connection.getpeercert()
        if cert:
            subj = {k: v for rdn in cert.get("subject", ()) for (k, v) in rdn}
            groups = [v for rdn in cert.get("subject", ()) for (k, v) in rdn if k == "organizationName"]
            return subj.get("commonName"), "client-cert", groups
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in TOKENS:
            return TOKENS[auth[7:]], "bearer-token", []
        return None, ("bearer-token(invalid)" if auth else "none"), []

    def _send(self, code, obj, entry):
        body = json.dumps(obj).encode()
        entry["status"] = code
        entry["conn"] = self.client_address[1]
        entry["t_conn"] = self._t_conn
        entry["t_in"] = self._t_in
        entry["t_out"] = time.time()
        if isinstance(obj, dict) and obj.get("kind") == "Status":
            entry["reason"] = obj.get("reason")
        else:
            entry["response"] = obj
        log(entry)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        self._t_in = time.time()
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if u.path.startswith("/__mark/"):       # test helper: phase marker in the log, no auth
            log({"mark": u.path[len("/__mark/"):]})
            self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers(); return
        user, how, groups = self._user()
        entry = {"method": self.command, "path": u.path, "query": q, "user": user, "auth": how,
                 "groups": groups, "content_type": self.headers.get("Content-Type"),
                 "accept": self.headers.get("Accept"), "user_agent": self.headers.get("User-Agent")}
        body = None
        if raw:
            try:
                body = json.loads(raw); entry["body"] = body
            except Exception:
                entry["body_raw"] = raw[:200].decode(errors="replace")
                return self._send(*status(415, "UnsupportedMediaType", "only JSON bodies are supported"), entry)
        if user is None:
            return self._send(*status(401, "Unauthorized", "Unauthorized"), entry)
        if u.path == "/version":
            return self._send(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fake"}, entry)
        if u.path in ("/api", "/apis"):
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"]} if u.path == "/api"
                              else {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}, entry)
        if u.path == SSAR_PATH and self.command == "POST":
            attrs = ((body or {}).get("spec") or {}).get("resourceAttributes") or {}
            verb, plural = attrs.get("verb"), attrs.get("resource")
            denied = (user, plural) in FORBID or (user, verb, plural) in DENY
            review = dict(body or {}, apiVersion="authorization.k8s.io/v1", kind="SelfSubjectAccessReview",
                          metadata={"creationTimestamp": None},
                          status={"allowed": not denied, **({"reason": ""} if denied else
                                  {"reason": f'RBAC: allowed by RoleBinding "fake" of Role "fake" to User "{user}"'})})
            return self._send(201, review, entry)
        m = PATH_RE.match(u.path)
        if not m or (m.group(1), m.group(3)) not in RES:
            return self._send(*status(404, "NotFound", f"the server could not find the requested resource ({u.path})"), entry)
        gv, ns, plural, name = m.groups()
        api_version, kind, list_kind = RES[(gv, plural)]
        if (user, plural) in FORBID:                                # the real API server's RBAC words
            verb = {"GET": "get" if name else "list", "POST": "create", "PUT": "update", "DELETE": "delete"}.get(self.command, "patch")
            group = "" if gv == "api/v1" else gv.split("/")[1]
            return self._send(*status(403, "Forbidden", f'{plural} is forbidden: User "{user}" cannot {verb} resource "{plural}" in API group "{group}" in the namespace "{ns}"', name, plural), entry)
        with mu:
            if name is None and self.command == "GET":                      # list
                preds = parse_selector(q.get("labelSelector", ""))
                items = [o for (p, n_, _), o in sorted(store.items())
                         if p == plural and n_ == ns and all(f(o["metadata"].get("labels") or {}) for f in preds)]
                return self._send(200, {"kind": list_kind, "apiVersion": api_version,
                                        "metadata": {"resourceVersion": str(rv[0])}, "items": items}, entry)
            if name is None and self.command == "POST":                     # create
                md = (body or {}).get("metadata") or {}
                nm = md.get("name")
                if not nm:
                    return self._send(*status(422, "Invalid", f"{kind} \"\" is invalid: metadata.name: Required value"), entry)
                if md.get("namespace") not in (None, "", ns):
                    return self._send(*status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"), entry)
                if (plural, ns, nm) in store:
                    return self._send(*status(409, "AlreadyExists", f"{plural} \"{nm}\" already exists", nm, plural), entry)
                obj = dict(body); obj["apiVersion"] = api_version; obj["kind"] = kind
                rv[0] += 1
                obj["metadata"] = dict(md, namespace=ns, uid=str(uuid.uuid4()), resourceVersion=str(rv[0]),
                                       creationTimestamp=now())
                obj["metadata"].pop("selfLink", None)
                if kind == "Secret":
                    obj.setdefault("type", "Opaque")
                    for k, v in (obj.get("data") or {}).items():
                        base64.b64decode(v, validate=True)   # must be base64, like the real API
                store[(plural, ns, nm)] = obj; dump()
                return self._send(201, obj, entry)
            key = (plural, ns, name)
            if self.command == "GET":
                if key not in store:
                    return self._send(*status(404, "NotFound", f"{plural} \"{name}\" not found", name, plural), entry)
                return self._send(200, store[key], entry)
            if self.command == "PUT":
                if key not in store:
                    return self._send(*status(404, "NotFound", f"{plural} \"{name}\" not found", name, plural), entry)
                cur = store[key]; md = (body or {}).get("metadata") or {}
                if md.get("resourceVersion") and md["resourceVersion"] != cur["metadata"]["resourceVersion"]:
                    return self._send(*status(409, "Conflict", f"Operation cannot be fulfilled on {plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", name, plural), entry)
                obj = dict(body); obj["apiVersion"] = api_version; obj["kind"] = kind
                rv[0] += 1
                obj["metadata"] = dict(md, namespace=ns, name=name, uid=cur["metadata"]["uid"],
                                       creationTimestamp=cur["metadata"]["creationTimestamp"], resourceVersion=str(rv[0]))
                if kind == "Secret":
                    obj.setdefault("type", "Opaque")
                    for k, v in (obj.get("data") or {}).items():
                        base64.b64decode(v, validate=True)
                store[key] = obj; dump()
                return self._send(200, obj, entry)
            if self.command == "DELETE":
                if key not in store:
                    return self._send(*status(404, "NotFound", f"{plural} \"{name}\" not found", name, plural), entry)
                obj = store.pop(key); dump()
                return self._send(200, obj, entry)
        return self._send(*status(405, "MethodNotAllowed", f"{self.command} not supported"), entry)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
for client_ca in args.client_ca:
    ctx.load_verify_locations(client_ca)
ctx.verify_mode = ssl.CERT_OPTIONAL        # client cert if offered (must chain to --client-ca); else token
ctx.set_alpn_protocols(["http/1.1"])       # no HTTP/2
srv = ThreadingHTTPServer(("127.0.0.1", args.port), H)
# The handshake happens in each connection's own thread, on its first read (as a real API server
# does it, concurrently), not in the accepting thread one connection after another.
srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
if args.portfile:
    open(args.portfile, "w").write(str(srv.server_address[1]))
print(f"fake kube-apiserver on https://127.0.0.1:{srv.server_address[1]}", flush=True)
if args.exit_with_stdin:
    import os, sys
    def watch():
        sys.stdin.buffer.read()  # until EOF: the parent closed the pipe, or died
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()
srv.serve_forever()
