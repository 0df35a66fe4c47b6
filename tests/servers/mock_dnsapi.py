#!/usr/bin/env python3
"""mock_dnsapi - local stand-ins for the Cloudflare v4, deSEC and PowerDNS
HTTP APIs, for tests/e2e/provider_http.sh (and the roll tests).

    mock_dnsapi.py --mode cloudflare|desec|powerdns --zone example.org \
        --token-file F --port-file F --log F [--page-size N] [--min-ttl N]

Listens on 127.0.0.1, port chosen by the kernel and written to --port-file
once the socket listens.  Every API request is appended to --log as one
line "METHOD PATH?QUERY STATUS" (control requests are not), so tests can
assert exactly which calls were made - e.g. that no DELETE touched a record
that matches the current key.

Paths, methods, status codes and JSON shapes follow the providers'
published API documentation:
  cloudflare  /client/v4/zones?name=, /client/v4/zones/ID/dns_records
              (GET with type/name/page/per_page, POST, DELETE /ID); the
              {"success", "errors": [{"code", "message"}], "result",
              "result_info": {"page", "per_page", "count", "total_count",
              "total_pages"}} envelope; 81058 for an identical record,
              81044 for a record that does not exist, 9109 for a bad token,
              10000 for no authentication.  TLSA comes back with "data"
              {usage, selector, matching_type, certificate} and a
              tab-separated "content".
  desec       /api/v1/domains/D/, /api/v1/domains/D/rrsets/SUB/TYPE/ (GET;
              "..." is the apex), /api/v1/domains/D/rrsets/ (bulk PATCH
              and PUT: empty records delete the RRset); "Authorization:
              Token T"; 401 {"detail": "Invalid token."}; 400 field errors
              such as [{"ttl": ["Ensure this value is greater than or equal
              to 3600."]}] below minimum_ttl; 429 {"detail": "Request was
              throttled. ..."} with Retry-After.
  powerdns    /api/v1/servers/localhost/zones/ZONE. (GET with rrsets,
              rrset_name, rrset_type; PATCH with changetype REPLACE or
              DELETE, 204 No Content); X-API-Key; 401 with a plain-text
              "Unauthorized" body; 404/422 {"error": "..."}.

Fidelity limits (what the real services do that this does not):
  - one zone (cloudflare: zone id 023e105f4ecef8ad9ca31a8372d0c353);
    no other record types are validated beyond TLSA;
  - Cloudflare: per_page is capped at --page-size (default 2) to force
    pagination, where the real API allows up to 5,000,000; rate limits are
    only what a test injects; TTL must be 1 or 60-86400 (error 9021), no
    plan-dependent minimum; no batch endpoint, no PUT/PATCH of records;
  - deSEC: no individual-RRset PUT/PATCH, no POST, no token policies;
    record content is checked only as "U S M HEX";
  - PowerDNS: no comments, no EXTEND/PRUNE, no serial bumps, names are
    compared case-insensitively; the zone kind is always Native;
  - HTTP/1.1 without TLS.
Faults are injected through POST /_control/faults with a JSON list that
applies to the next API requests in order, one entry each:
  {"status": 429, "retry_after": "1"}   (or an HTTP date, or no header)
  {"status": 500} / {"status": 503}
  {"slow": SECONDS}                      (sleep, then answer normally)
  {"garbage": "malformed"}               (200 with a body that is not JSON)
  {"garbage": "oversized"}               (200 with 5 MiB of JSON)
An entry with "method": "DELETE" (say) waits for the next request with that
method; Cloudflare error bodies take "code" and "message", e.g.
  {"status": 400, "code": 81057, "message": "Record already exists.",
   "method": "POST"}
  {"status": 404, "code": 81044, "message": "Record does not exist.",
   "method": "DELETE"}
Other control paths: POST /_control/seed {"owner": NAME, "records": [...],
"ttl": N} to preload an RRset; GET /_control/state; POST /_control/token
{"token": T} to change the accepted token.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CF_ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.mode = args.mode
        self.zone = args.zone.rstrip(".").lower()
        self.page_size = args.page_size
        self.min_ttl = args.min_ttl
        with open(args.token_file) as f:
            self.token = f.read().strip()
        self.faults = []
        self.next_id = 1
        # owner (lower case, no trailing dot) -> {"ttl": N, "records": [(id, "u s m hex")]}
        self.rrsets = {}
        self.log = args.log

    def new_id(self):
        self.next_id += 1
        return "%032x" % (0x5eed0000 + self.next_id)

    def add(self, owner, ttl, text):
        s = self.rrsets.setdefault(owner, {"ttl": ttl, "records": []})
        s["ttl"] = ttl
        s["records"].append((self.new_id(), text))

    def set(self, owner, ttl, texts):
        if not texts:
            self.rrsets.pop(owner, None)
            return
        self.rrsets[owner] = {"ttl": ttl,
                              "records": [(self.new_id(), t) for t in texts]}


def canon_tlsa(text):
    """'U S M HEX' in canonical form, or None."""
    parts = text.split()
    if len(parts) < 4:
        return None
    try:
        u, s, m = (int(x) for x in parts[:3])
        data = "".join(parts[3:]).lower()
        bytes.fromhex(data)
    except ValueError:
        return None
    if not all(0 <= x <= 255 for x in (u, s, m)) or not data:
        return None
    return "%d %d %d %s" % (u, s, m, data)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *a):
        pass

    # -- plumbing
    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return ValueError

    def send(self, status, obj=None, text=None, headers=()):
        if obj is not None:
            data = json.dumps(obj).encode()
            ctype = "application/json"
        else:
            data = (text or "").encode()
            ctype = "text/plain"
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        try:
            self.end_headers()
            if status != 204:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up (a timeout test): not a protocol error
            self.close_connection = True
        st = self.state
        if not self.path.startswith("/_control"):
            with st.lock, open(st.log, "a") as f:
                f.write("%s %s %d\n" % (self.command, self.path, status))

    def handle_any(self):
        st = self.state
        if self.path.startswith("/_control/"):
            return self.control()
        fault = None
        with st.lock:
            for i, f in enumerate(st.faults):
                if f.get("method", self.command) == self.command:
                    fault = st.faults.pop(i)
                    break
        if fault:
            if "slow" in fault:
                time.sleep(fault["slow"])
                self.close_connection = True
            elif "garbage" in fault:
                self.body_json()
                if fault["garbage"] == "oversized":
                    return self.send(200, text='{"result": "' +
                                     "x" * (5 * 1024 * 1024) + '"}')
                return self.send(200, text='{"success": true, "result": [')
            elif "status" in fault:
                self.body_json()
                hdrs = []
                if "retry_after" in fault:
                    hdrs.append(("Retry-After", fault["retry_after"]))
                return self.fault(fault, hdrs)
        getattr(self, "api_" + st.mode)()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def fault(self, fault, hdrs):
        mode = self.state.mode
        status = fault["status"]
        if mode == "cloudflare":
            code = fault.get("code", 971 if status == 429 else 10013)
            msg = fault.get("message", "Please wait and consider throttling "
                            "your request speed" if status == 429 else
                            "Internal server error")
            obj = {"success": False, "errors": [{"code": code, "message": msg}],
                   "messages": [], "result": None}
        elif mode == "desec":
            obj = {"detail": "Request was throttled. Expected available in 1 "
                   "second." if status == 429 else "Server Error (%d)" % status}
        else:
            obj = {"error": "Internal Server Error"}
        self.send(status, obj, headers=hdrs)

    def control(self):
        st = self.state
        body = self.body_json()
        with st.lock:
            if self.path == "/_control/faults":
                st.faults.extend(body)
            elif self.path == "/_control/seed":
                st.set(body["owner"].rstrip(".").lower(), body.get("ttl", 300),
                       [canon_tlsa(t) for t in body["records"]])
            elif self.path == "/_control/token":
                st.token = body["token"]
            elif self.path != "/_control/state":
                return self.send(404, {"error": "no such control"})
            state = {o: {"ttl": s["ttl"], "records": [t for _, t in s["records"]]}
                     for o, s in st.rrsets.items()}
        self.send(200, state)

    # -- Cloudflare v4
    def cf(self, status, result=None, errors=(), info=None):
        obj = {"success": not errors, "errors": [{"code": c, "message": m}
                                                 for c, m in errors],
               "messages": [], "result": result}
        if info is not None:
            obj["result_info"] = info
        self.send(status, obj)

    def cf_record(self, owner, ttl, rid, text):
        u, s, m, data = text.split()
        return {"id": rid, "zone_id": CF_ZONE_ID, "zone_name": self.state.zone,
                "name": owner, "type": "TLSA", "content": "\t".join(text.split()),
                "data": {"usage": int(u), "selector": int(s),
                         "matching_type": int(m), "certificate": data},
                "proxiable": False, "proxied": False, "ttl": ttl,
                "locked": False, "meta": {"auto_added": False}}

    def api_cloudflare(self):
        st = self.state
        auth = self.headers.get("Authorization")
        if auth is None:
            return self.cf(403, errors=[(10000, "Authentication error")])
        if auth != "Bearer " + st.token:
            return self.cf(403, errors=[(9109, "Invalid access token")])
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        p = url.path.split("/")
        if p[:3] != ["", "client", "v4"] or len(p) < 4 or p[3] != "zones":
            return self.cf(404, errors=[(7000, "No route for that URI")])
        if len(p) == 4 and self.command == "GET":
            zones = [{"id": CF_ZONE_ID, "name": st.zone, "status": "active"}]
            if q.get("name", st.zone) != st.zone:
                zones = []
            return self.cf(200, zones, info={"page": 1, "per_page": 20,
                           "count": len(zones), "total_count": len(zones),
                           "total_pages": 1})
        if len(p) < 6 or p[5] != "dns_records":
            return self.cf(404, errors=[(7000, "No route for that URI")])
        if p[4] != CF_ZONE_ID:
            return self.cf(404, errors=[(7003, "Could not route to /zones/%s"
                                         "/dns_records, perhaps your object "
                                         "identifier is invalid?" % p[4])])
        with st.lock:
            if len(p) == 6 and self.command == "GET":
                return self.cf_list(q)
            if len(p) == 6 and self.command == "POST":
                return self.cf_create(self.body_json())
            if len(p) == 7 and self.command == "DELETE":
                return self.cf_delete(p[6])
        self.cf(405, errors=[(10405, "Method not allowed")])

    def cf_list(self, q):
        st = self.state
        rows = []
        for owner, s in sorted(st.rrsets.items()):
            if "name" in q and owner != q["name"].lower():
                continue
            if q.get("type", "TLSA") != "TLSA":
                continue
            rows += [self.cf_record(owner, s["ttl"], rid, t)
                     for rid, t in s["records"]]
        per = max(1, min(int(q.get("per_page", 100)), st.page_size))
        page = max(1, int(q.get("page", 1)))
        pages = max(1, (len(rows) + per - 1) // per)
        chunk = rows[(page - 1) * per:page * per]
        self.cf(200, chunk, info={"page": page, "per_page": per,
                                  "count": len(chunk), "total_count": len(rows),
                                  "total_pages": pages})

    def cf_create(self, body):
        st = self.state
        if not isinstance(body, dict) or body.get("type") != "TLSA":
            return self.cf(400, errors=[(9005, "Content for TLSA record is "
                                         "invalid.")])
        d = body.get("data") or {}
        text = canon_tlsa("%s %s %s %s" % (d.get("usage"), d.get("selector"),
                                           d.get("matching_type"),
                                           d.get("certificate")))
        name = str(body.get("name", "")).lower().rstrip(".")
        ttl = body.get("ttl", 1)
        if text is None:
            return self.cf(400, errors=[(9005, "Content for TLSA record is "
                                         "invalid.")])
        if not (name == st.zone or name.endswith("." + st.zone)):
            return self.cf(400, errors=[(9007, "Content for name is invalid")])
        if not (ttl == 1 or 60 <= ttl <= 86400):
            return self.cf(400, errors=[(9021, "Invalid TTL. Must be between "
                                         "60 and 86400 seconds, or 1 for "
                                         "Automatic.")])
        s = st.rrsets.get(name)
        if s and any(t == text for _, t in s["records"]):
            return self.cf(400, errors=[(81058, "An identical record already "
                                         "exists.")])
        st.add(name, ttl, text)
        rid = st.rrsets[name]["records"][-1][0]
        self.cf(200, self.cf_record(name, ttl, rid, text))

    def cf_delete(self, rid):
        for owner, s in list(self.state.rrsets.items()):
            for i, (r, _) in enumerate(s["records"]):
                if r == rid:
                    del s["records"][i]
                    if not s["records"]:
                        del self.state.rrsets[owner]
                    return self.cf(200, {"id": rid})
        self.cf(404, errors=[(81044, "Record does not exist.")])

    # -- deSEC
    def api_desec(self):
        st = self.state
        if self.headers.get("Authorization") != "Token " + st.token:
            return self.send(401, {"detail": "Invalid token."})
        p = urllib.parse.urlsplit(self.path).path.split("/")
        if p[:4] != ["", "api", "v1", "domains"] or len(p) < 6:
            return self.send(404, {"detail": "Not found."})
        if p[4] != st.zone:
            return self.send(404, {"detail": "Not found."})
        with st.lock:
            if len(p) == 6 and self.command == "GET":
                return self.send(200, {"name": st.zone,
                                       "minimum_ttl": st.min_ttl,
                                       "created": "2024-01-01T00:00:00Z",
                                       "published": "2024-01-01T00:00:00Z",
                                       "touched": "2024-01-01T00:00:00Z"})
            if p[5] == "rrsets" and len(p) == 9 and self.command == "GET":
                return self.desec_get(p[6], p[7])
            if p[5] == "rrsets" and len(p) == 7 and self.command in ("PATCH",
                                                                     "PUT"):
                return self.desec_bulk(self.body_json())
        self.send(405, {"detail": "Method \"%s\" not allowed." % self.command})

    def desec_obj(self, sub, owner, s):
        return {"created": "2024-01-01T00:00:00Z", "domain": self.state.zone,
                "subname": sub, "name": owner + ".", "type": "TLSA",
                "ttl": s["ttl"], "records": [t for _, t in s["records"]],
                "touched": "2024-01-01T00:00:00Z"}

    def desec_owner(self, sub):
        return (sub + "." + self.state.zone) if sub else self.state.zone

    def desec_get(self, sub, rtype):
        sub = "" if sub == "..." else sub.lower()
        s = self.state.rrsets.get(self.desec_owner(sub))
        if rtype != "TLSA" or s is None:
            return self.send(404, {"detail": "Not found."})
        self.send(200, self.desec_obj(sub, self.desec_owner(sub), s))

    def desec_bulk(self, body):
        st = self.state
        if not isinstance(body, list):
            return self.send(400, {"non_field_errors": ["Expected a list of "
                                   "items but got type \"dict\"."]})
        errors, ok = [], True
        for item in body:
            err = {}
            if not isinstance(item, dict) or item.get("type") != "TLSA":
                err["type"] = ["This field is required."]
            elif not isinstance(item.get("ttl"), int) and item.get("records"):
                err["ttl"] = ["This field is required."]
            elif item.get("records") and item["ttl"] < st.min_ttl:
                err["ttl"] = ["Ensure this value is greater than or equal to "
                              "%d." % st.min_ttl]
            elif any(canon_tlsa(t) is None for t in item.get("records", [])):
                err["records"] = ["Record content malformed."]
            errors.append(err)
            ok = ok and not err
        if not ok:
            return self.send(400, errors)
        out = []
        for item in body:
            sub = item.get("subname", "").lower()
            owner = self.desec_owner(sub)
            st.set(owner, item.get("ttl", 3600),
                   [canon_tlsa(t) for t in item.get("records", [])])
            if owner in st.rrsets:
                out.append(self.desec_obj(sub, owner, st.rrsets[owner]))
        self.send(200, out)

    # -- PowerDNS
    def api_powerdns(self):
        st = self.state
        if self.headers.get("X-API-Key") != st.token:
            return self.send(401, text="Unauthorized")
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        p = [urllib.parse.unquote(x) for x in url.path.split("/")]
        if p[:4] != ["", "api", "v1", "servers"] or len(p) < 5:
            return self.send(404, {"error": "Not Found"})
        if p[4] != "localhost":
            return self.send(404, {"error": "Not Found"})
        if len(p) != 7 or p[5] != "zones":
            return self.send(404, {"error": "Not Found"})
        if p[6].lower() != st.zone + ".":
            return self.send(404, {"error": "Could not find domain '%s'"
                                   % p[6]})
        with st.lock:
            if self.command == "GET":
                return self.pdns_get(q)
            if self.command == "PATCH":
                return self.pdns_patch(self.body_json())
        self.send(405, {"error": "Method Not Allowed"})

    def pdns_get(self, q):
        st = self.state
        rrsets = []
        if q.get("rrsets", "true") != "false":
            for owner, s in sorted(st.rrsets.items()):
                if "rrset_name" in q and q["rrset_name"].lower() != owner + ".":
                    continue
                if q.get("rrset_type", "TLSA") != "TLSA":
                    continue
                rrsets.append({"name": owner + ".", "type": "TLSA",
                               "ttl": s["ttl"], "comments": [],
                               "records": [{"content": t, "disabled": False}
                                           for _, t in s["records"]]})
        self.send(200, {"id": st.zone + ".", "name": st.zone + ".",
                        "kind": "Native", "serial": 1, "dnssec": False,
                        "url": "/api/v1/servers/localhost/zones/%s." % st.zone,
                        "rrsets": rrsets})

    def pdns_patch(self, body):
        st = self.state
        if not isinstance(body, dict) or not isinstance(body.get("rrsets"),
                                                        list):
            return self.send(422, {"error": "No rrsets given in request"})
        for s in body["rrsets"]:
            name = str(s.get("name", ""))
            if not name.endswith("."):
                return self.send(422, {"error": "DNS Name '%s' is not "
                                       "canonical" % name})
            owner = name[:-1].lower()
            if not (owner == st.zone or owner.endswith("." + st.zone)):
                return self.send(422, {"error": "RRset %s IN %s: Name is out "
                                       "of zone" % (name, s.get("type"))})
            ct = s.get("changetype")
            if ct == "REPLACE":
                if not isinstance(s.get("ttl"), int):
                    return self.send(422, {"error": "Key 'ttl' not present "
                                           "or not an Integer"})
                texts = [canon_tlsa(r.get("content", "")) for r in
                         s.get("records", [])]
                if None in texts:
                    return self.send(422, {"error": "Record %s/TLSA '...': "
                                           "Parsing record content failed"
                                           % name})
            elif ct != "DELETE":
                return self.send(422, {"error": "Changetype not understood"})
        for s in body["rrsets"]:
            owner = s["name"][:-1].lower()
            if s["changetype"] == "DELETE":
                st.rrsets.pop(owner, None)
            else:
                st.set(owner, s["ttl"], [canon_tlsa(r["content"]) for r in
                                         s.get("records", [])])
        self.send(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (size cap, timeout) is expected;
        # anything else is a bug in the mock and is reported.
        if isinstance(sys.exc_info()[1], (BrokenPipeError,
                                          ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", required=True,
                    choices=["cloudflare", "desec", "powerdns"])
    ap.add_argument("--zone", default="example.org")
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--page-size", type=int, default=2)
    ap.add_argument("--min-ttl", type=int, default=3600)
    args = ap.parse_args()
    Handler.state = State(args)
    srv = Server(("127.0.0.1", 0), Handler)
    open(args.log, "a").close()
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
