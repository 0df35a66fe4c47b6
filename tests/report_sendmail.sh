#!/bin/sh
# tests/report_sendmail.sh - a stand-in sendmail(1) for tests/e2e/report.sh.
#
# Records what "daneops report" hands to sendmail: the arguments in
# $REPORT_MAIL_DIR/N.args and the message in $REPORT_MAIL_DIR/N.msg (N
# counts up), then exits with $REPORT_MAIL_EXIT (default 0).
set -eu
dir=${REPORT_MAIL_DIR:?REPORT_MAIL_DIR must name a directory}
n=$(ls "$dir" | grep -c '\.msg$' || true)
n=$((n + 1))
printf '%s\n' "$*" >"$dir/$n.args"
cat >"$dir/$n.msg"
exit "${REPORT_MAIL_EXIT:-0}"
