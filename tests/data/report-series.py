#!/usr/bin/env python3
"""tests/data/report-series.py DIR - write five TLS reports (RFC 8460 JSON)
as DIR/r0.json .. r4.json for tests/e2e/report_html.sh and
report_metrics.sh: three days, the policy types tlsa, sts and
no-policy-found, several result types and MX hosts, and one sender that
writes HTML, quotes and a control character into its fields."""
import json, sys
d = sys.argv[1]
def rep(org, rid, day, policies):
    return {"organization-name": org, "report-id": rid, "contact-info": "tlsrpt@" + org,
            "date-range": {"start-datetime": "2026-11-%02dT00:00:00Z" % day,
                           "end-datetime": "2026-11-%02dT23:59:59Z" % day},
            "policies": policies}
def pol(t, mx, ok, fails):
    p = {"policy": {"policy-type": t, "policy-domain": "example.org"},
         "summary": {"total-successful-session-count": ok,
                     "total-failure-session-count": sum(f[2] for f in fails)}}
    if t == "sts":
        p["policy"]["policy-string"] = ["version: STSv1", "mode: enforce",
                                        "mx: mx1.example.org", "max_age: 86400"]
        p["policy"]["mx-host"] = ["mx1.example.org"]
    elif t == "tlsa":
        p["policy"]["policy-string"] = ["3 1 1 00"]
        p["policy"]["mx-host"] = mx
    if fails:
        p["failure-details"] = [{"result-type": r, "sending-mta-ip": "192.0.2.1",
                                 "receiving-mx-hostname": h, "failed-session-count": n}
                                for (r, h, n) in fails]
    return p
reports = [
    rep("google.com", "g-27", 27, [pol("sts", None, 300, [("certificate-expired", "mx1.example.org", 5)])]),
    rep("google.com", "g-28", 28, [pol("sts", None, 280, [])]),
    rep("microsoft.com", "m-27", 27, [pol("tlsa", "mx1.example.org", 50,
        [("tlsa-invalid", "mx1.example.org", 7), ("dnssec-invalid", "mx2.example.org", 2)])]),
    rep("yahoo.com", "y-29", 29, [pol("no-policy-found", None, 12,
        [("starttls-not-supported", "mx2.example.org", 1)])]),
    rep("evil.test", "e-29", 29, [pol("tlsa", "<script>alert(1)</script>", 1,
        [("tlsa-invalid", "<b>x&y</b>'\"\u0007", 3)])]),
]
for i, r in enumerate(reports):
    json.dump(r, open("%s/r%d.json" % (d, i), "w"))
