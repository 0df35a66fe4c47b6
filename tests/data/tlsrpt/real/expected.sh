#!/bin/sh
# tests/data/tlsrpt/real/expected.sh - the expected totals of each report,
# computed with jq from the JSON itself (not with daneops), into expected.
# One line per report, tab-separated:
#   FILE ORGANIZATION POLICIES SUCCESSFUL FAILED DETAIL-SESSIONS DETAILS MX-HOSTS
# FAILED is the sum of the summaries' total-failure-session-count,
# DETAIL-SESSIONS the sum of failed-session-count over failure-details (the
# two differ in mailru-*), MX-HOSTS the distinct non-empty
# receiving-mx-hostname values ("-" when none).
set -eu
cd "$(dirname "$0")"
q='[."organization-name", (.policies | length | tostring),
  ([.policies[].summary."total-successful-session-count"] | add | tostring),
  ([.policies[].summary."total-failure-session-count"] | add | tostring),
  ([.policies[]."failure-details" // [] | .[]."failed-session-count"] | add // 0 | tostring),
  ([.policies[]."failure-details" // [] | .[]] | length | tostring),
  ([.policies[]."failure-details" // [] | .[]."receiving-mx-hostname" // empty
    | select(. != "")] | unique | if length == 0 then "-" else join(",") end)
 ] | join("\t")'
for f in *.json *.eml; do
	case $f in
	*.eml) json=$(sed -n '/^H4sI/,/^$/p' "$f" | base64 -d | gunzip) ;;
	*) json=$(cat "$f") ;;
	esac
	printf '%s\t%s\n' "$f" "$(printf '%s' "$json" | jq -r "$q")"
done >expected
