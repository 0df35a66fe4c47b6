#!/bin/sh
# tests/data/tlsrpt/mkfixtures.sh - write the TLS report fixtures.
#
# Messages shaped like the reports large senders publish (RFC 8460 section
# 5.3; Google's and Microsoft's forms as documented publicly), written from
# scratch for the domain example.org, plus broken ones.  Deterministic
# (gzip -n), so running it again changes nothing; the committed files are
# its output.  The gzip bomb is not here: tests/e2e/report.sh makes it at
# test time.
set -eu
cd "$(dirname "$0")"

# json ORG ID DAY POLICIES: one report.
json() {
	printf '{"organization-name":"%s","date-range":{"start-datetime":"%sT00:00:00Z","end-datetime":"%sT23:59:59Z"},"contact-info":"tlsrpt@%s","report-id":"%s","policies":[%s]}\n' \
		"$1" "$3" "$3" "$(echo "$1" | tr -d '.' | tr 'A-Z ' 'a-z-').example" "$2" "$4"
}

# Google: tlsa policy with mx-host-pattern, no failures.
GOOGLE_POL='{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"],"policy-domain":"example.org","mx-host-pattern":["mail.example.org"]},"summary":{"total-successful-session-count":120,"total-failure-session-count":0}}'
json "Google Inc." "2026-11-26T00:00:00Z_example.org" 2026-11-26 "$GOOGLE_POL" >google.json

# Microsoft: "mx-host" as a string, failure details without sending-mta-ip.
MS_POL='{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"],"policy-domain":"example.org","mx-host":"mail.example.org"},"summary":{"total-successful-session-count":40,"total-failure-session-count":4},"failure-details":[{"result-type":"tlsa-invalid","receiving-mx-hostname":"mail.example.org","receiving-ip":"192.0.2.25","failed-session-count":3},{"result-type":"certificate-revoked-by-magic","receiving-mx-hostname":"mail.example.org","failed-session-count":1,"additional-information":"an unregistered result type, kept as is"}]}'
json "Microsoft Corporation" "133456789012345678+example.org" 2026-11-26 "$MS_POL" >microsoft.json
json "Microsoft Corporation" "133456789099999999+example.org" 2026-11-27 "$MS_POL" >microsoft2.json

# A second policy domain, sts, from a small sender; sent as a bare body.
SMALL_POL='{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: *.example.net","max_age: 86400"],"policy-domain":"example.net","mx-host":["*.example.net"]},"summary":{"total-successful-session-count":7,"total-failure-session-count":2},"failure-details":[{"result-type":"starttls-not-supported","sending-mta-ip":"198.51.100.7","receiving-mx-hostname":"mx1.example.net","receiving-ip":"203.0.113.5","failed-session-count":2}]}'
json "Mail Example" "small-2026-11-26" 2026-11-26 "$SMALL_POL" >small.json

gzip -n -9 -c google.json >google.json.gz
gzip -n -9 -c microsoft.json >microsoft.json.gz
gzip -n -9 -c small.json >small.json.gz

b64() { base64 -w 76 "$1"; }

# Google: multipart/report; report-type=tlsrpt, text part, tlsrpt+gzip.
{
cat <<'H'
Return-Path: <noreply-smtp-tls-reporting@google.com>
From: noreply-smtp-tls-reporting@google.com
To: tls-reports@example.org
Subject: Report Domain: example.org Submitter: google.com Report-ID: <2026.11.26T00.00.00Z+example.org@google.com>
Date: Fri, 27 Nov 2026 07:59:59 -0800
Message-ID: <000000000000a1b2c3@google.com>
TLS-Report-Domain: example.org
TLS-Report-Submitter: google.com
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000b0d5ff"; report-type=tlsrpt

--000000000000b0d5ff
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes

This is an aggregate TLS report from google.com

--000000000000b0d5ff
Content-Type: application/tlsrpt+gzip; 
	name="google.com!example.org!1795651200!1795737599!001.json.gz"
Content-Disposition: attachment; 
	filename="google.com!example.org!1795651200!1795737599!001.json.gz"
Content-Transfer-Encoding: base64

H
b64 google.json.gz
printf '\n--000000000000b0d5ff--\n'
} >google.eml

# Microsoft: multipart/report with application/tlsrpt+gzip.
ms_mail() {	# JSON.GZ-OR-JSON TYPE ENCODING
	cat <<H
From: "TLS Report" <tlsrpt-noreply@microsoft.com>
To: tls-reports@example.org
Subject: Report Domain: example.org Submitter: microsoft.com Report-ID: <133456789012345678+example.org>
Date: Fri, 27 Nov 2026 10:00:00 +0000
Message-ID: <ms-133456789012345678@microsoft.com>
TLS-Report-Domain: example.org
TLS-Report-Submitter: microsoft.com
MIME-Version: 1.0
Content-Type: multipart/report; report-type="tlsrpt"; boundary="_ms_boundary_"

--_ms_boundary_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

This is a TLS report from Microsoft.

--_ms_boundary_
Content-Type: $2; name="microsoft.com!example.org!1795651200!1795737599.json$([ "$3" = base64 ] && echo .gz)"
Content-Disposition: attachment; filename="microsoft.com!example.org!1795651200!1795737599.json$([ "$3" = base64 ] && echo .gz)"
Content-Transfer-Encoding: $3

H
	if [ "$3" = base64 ]; then b64 "$1"; else cat "$1"; fi
	printf '\n--_ms_boundary_--\n'
}
ms_mail microsoft.json.gz application/tlsrpt+gzip base64 >microsoft.eml
ms_mail microsoft.json application/tlsrpt+json 7bit >microsoft-json.eml

# The gzip as the whole body of a single-part message.
{
cat <<'H'
From: reports@mail.example
To: tls-reports@example.org
Subject: Report Domain: example.net Submitter: mail.example Report-ID: <small-2026-11-26>
Date: Fri, 27 Nov 2026 01:00:00 +0000
MIME-Version: 1.0
Content-Type: application/gzip; name="mail.example!example.net!1795651200!1795737599.json.gz"
Content-Transfer-Encoding: base64

H
b64 small.json.gz
} >bare-gzip.eml

# application/octet-stream attachment named *.json.gz in multipart/mixed.
octet() {	# GZ-FILE
	cat <<'H'
From: reports@mail.example
To: tls-reports@example.org
Subject: TLS report
Date: Fri, 27 Nov 2026 02:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XyZ"

--XyZ
Content-Type: text/plain

See attachment.
--XyZ
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="report.json.gz"
Content-Transfer-Encoding: base64

H
	b64 "$1"
	printf -- '--XyZ--\n'
}
gzip -n -9 -c microsoft2.json >microsoft2.json.gz
octet microsoft2.json.gz >octet-stream.eml

# Broken ones.
printf '{"organization-name":"Broken","date-range":{"start-datetime":"2026-11-26T00:00:00Z"' >malformed.json
ms_mail malformed.json application/tlsrpt+json 7bit >malformed-json.eml
# Valid JSON, wrong type of a required field.
sed 's/"total-successful-session-count":40/"total-successful-session-count":"40"/' \
	microsoft.json >wrongtype.json
# gzip magic and header, then garbage.
{ head -c 10 microsoft.json.gz; printf 'this is not deflate data at all, just text'; } >bad.gz
ms_mail bad.gz application/tlsrpt+gzip base64 >bad-gzip.eml
# The Google message cut off in the middle of its base64.
head -c "$(($(wc -c <google.eml) - 120))" google.eml >truncated.eml
# No report at all.
cat >no-report.eml <<'H'
From: spammer@bad.example
To: tls-reports@example.org
Subject: cheap watches

Buy now.
H
rm -f malformed.json bad.gz microsoft2.json.gz
