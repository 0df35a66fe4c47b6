# bench/survey-world/60-survey-bench.sh - the world of bench/survey, a
# private lab world (DANEOPS_LAB_WORLD=bench/survey-world lab/lab start DIR),
# sourced with the lab_* functions; owned by the survey work.
#
# Zone bench.test (signed, one zone so Knot signs it in seconds):
#   shared    sNNNNN.bench.test MX 10 mxNN.bench.test: $SURVEY_BENCH_SHARED
#             domains (10000) over $SURVEY_BENCH_HOSTS hosts (32) at
#             127.0.8.1..N, as hosting looks;
#   distinct  eNNNNN.bench.test MX 10 mx.eNNNNN.bench.test at an address of
#             its own in 127.1.0.0/16: $SURVEY_BENCH_DISTINCT domains (2000).
# Every host has TLSA 3 1 1 of the server key plus a next key's record, at
# _2525._tcp (the scenarios use port 2525).  One nginx (mail module) on the
# wildcard address serves them all: 0.0.0.0:2525 SMTP with STARTTLS, and
# 0.0.0.0:4465 the same with TLS from the first byte, for openssl s_time
# (the lab's Postfix holds port 25 on its own addresses, so a wildcard
# listener cannot share 25).  The kernel treats all of 127/8 as local on
# lo, so no address needs adding.  $SURVEY_BENCH_KEY: rsa (default) or
# ecdsa.  Lists: $LAB_BENCH_SHARED, $LAB_BENCH_DISTINCT.

bench_world_main() {
	local d=$LAB_DIR/bench.d n=${SURVEY_BENCH_SHARED:-10000}
	local h=${SURVEY_BENCH_HOSTS:-32} x=${SURVEY_BENCH_DISTINCT:-2000}
	local key=${SURVEY_BENCH_KEY:-rsa} rec next i name
	[ "$h" -le 250 ] && [ "$x" -le 62500 ] || die "bench world: too many hosts"
	mkdir -p "$d"
	lab_cert bench-mx "$key" "lab-int-$key" mx.bench.test
	rec=$(lab_tlsa 3 1 1 "$LAB_BENCH_MX_CERT")
	next=$(lab_tlsa 3 1 1 "$LAB_PKI/mx1-next.key")
	awk -v n="$n" -v h="$h" -v x="$x" -v rec="$rec" -v nxt="$next" \
		-v sl="$d/shared" -v dl="$d/distinct" 'BEGIN {
		for (i = 1; i <= h; i++) {
			printf "mx%02d A 127.0.8.%d\n", i, i
			printf "_2525._tcp.mx%02d TLSA %s\n_2525._tcp.mx%02d TLSA %s\n", i, rec, i, nxt
		}
		for (i = 1; i <= n; i++) {
			printf "s%05d MX 10 mx%02d\n", i, (i - 1) % h + 1
			printf "s%05d.bench.test\n", i >sl
		}
		for (i = 1; i <= x; i++) {
			printf "e%05d MX 10 mx.e%05d\n", i, i
			printf "mx.e%05d A 127.1.%d.%d\n", i, int((i - 1) / 250), (i - 1) % 250 + 1
			printf "_2525._tcp.mx.e%05d TLSA %s\n_2525._tcp.mx.e%05d TLSA %s\n", i, rec, i, nxt
			printf "e%05d.bench.test\n", i >dl
		}
	}' >"$d/bench.test.in"
	lab_zone bench.test signed "$d/bench.test.in"
	cat >"$d/nginx.conf" <<-CONF
		load_module /usr/lib/nginx/modules/ngx_mail_module.so;
		user root;
		worker_processes ${SURVEY_BENCH_WORKERS:-2};
		worker_rlimit_nofile 16384;
		daemon off;
		pid $d/nginx.pid;
		error_log $LAB_LOGS/bench-nginx.log warn;
		events { worker_connections 8192; }
		mail {
			server_name mx.bench.test;
			auth_http 127.0.0.1:9/never-asked;
			smtp_auth none;
			ssl_certificate $LAB_BENCH_MX_CHAIN;
			ssl_certificate_key $LAB_BENCH_MX_KEY;
			ssl_protocols TLSv1.2 TLSv1.3;
			ssl_session_cache off;
			ssl_session_tickets off;
			server { listen 2525 backlog=4096; protocol smtp; starttls on; }
			server { listen 4465 ssl backlog=4096; protocol smtp; }
		}
	CONF
	lab_service 127.0.8.254 - nginx -c "$d/nginx.conf"
	export_var LAB_BENCH_SHARED "$d/shared"
	export_var LAB_BENCH_DISTINCT "$d/distinct"
	export_var LAB_BENCH_KEY "$key"
}

bench_world_main
