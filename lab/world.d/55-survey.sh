# lab/world.d/55-survey.sh - a small hosting world for "daneops survey"
# (owned by the survey work; sourced by lab/lab start with the lab_*
# functions).  tests/e2e/survey.sh reads it back from $LAB_SURVEY_DOMAINS.
#
# Zone survey.test (signed): domains d001..d120.survey.test, each with one
# MX record naming one of four shared hosts mx1..mx4.survey.test (Postfix
# on 127.0.6.1-4, one RSA chain, TLSA 3 1 1 of its key), as hosting looks;
# and s01..s08.survey.test whose MX mx5.survey.test shares 127.0.6.1 with
# mx1 but publishes only a stale record (the next key's): the same address
# under another name and record set must be probed again, and fail.
# The bench's large world is bench/survey-world (a $DANEOPS_LAB_WORLD).

survey_world_main() {
	local d=$LAB_DIR/survey.d rec stale i n
	mkdir -p "$d"
	lab_cert survey-mx rsa lab-int-rsa mx1.survey.test mx2.survey.test \
		mx3.survey.test mx4.survey.test mx5.survey.test
	for i in 1 2 3 4; do
		lab_smtp "127.0.6.$i" "$LAB_SURVEY_MX_CHAIN" "$LAB_SURVEY_MX_KEY"
	done
	rec=$(lab_tlsa 3 1 1 "$LAB_SURVEY_MX_CERT")
	stale=$(lab_tlsa 3 1 1 "$LAB_PKI/mx2-next.key")
	: >"$d/domains"
	{
		for i in 1 2 3 4; do
			echo "mx$i A 127.0.6.$i"
			echo "_25._tcp.mx$i TLSA $rec"
			echo "_25._tcp.mx$i TLSA $stale"
		done
		echo "mx5 A 127.0.6.1"
		echo "_25._tcp.mx5 TLSA $stale"
		for i in $(seq 1 120); do
			n=$(printf 'd%03d' "$i")
			echo "$n MX 10 mx$(( (i - 1) % 4 + 1 ))"
			echo "$n.survey.test" >>"$d/domains"
		done
		for i in $(seq 1 8); do
			n=$(printf 's%02d' "$i")
			echo "$n MX 10 mx5"
			echo "$n.survey.test" >>"$d/domains"
		done
	} >"$d/survey.test.in"
	lab_zone survey.test signed "$d/survey.test.in"
	export_var LAB_SURVEY_DOMAINS "$d/domains"
}

survey_world_main
