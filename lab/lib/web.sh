# lab/lib/web.sh - nginx on 127.0.2.1:443 (www.dane.test) and the extra
# daemons of lab/world.d (lab_service).

LAB_WWW_ADDR=127.0.2.1

# nginx_config: prefix, pid, logs and temp paths all under DIR/nginx, so
# nothing of the machine's nginx (/etc/nginx, /var/lib/nginx) is used.
nginx_config() {
	local d=$LAB_DIR/nginx t
	mkdir -p "$d/tmp"
	for t in body proxy fastcgi uwsgi scgi; do mkdir -p "$d/tmp/$t"; done
	cat >"$d/nginx.conf" <<-EOF
		# nginx for the daneops lab $LAB_DIR (generated).
		daemon on;
		# root: the lab DIR may sit in a 0700 directory nobody else can enter.
		user root;
		worker_processes 1;
		pid $LAB_RUN/nginx.pid;
		error_log $LAB_LOGS/nginx-error.log info;
		events { worker_connections 64; }
		http {
		    access_log $LAB_LOGS/nginx-access.log;
		    client_body_temp_path $d/tmp/body;
		    proxy_temp_path $d/tmp/proxy;
		    fastcgi_temp_path $d/tmp/fastcgi;
		    uwsgi_temp_path $d/tmp/uwsgi;
		    scgi_temp_path $d/tmp/scgi;
		    server {
		        listen $LAB_WWW_ADDR:443 ssl;
		        server_name www.dane.test;
		        ssl_certificate $LAB_WWW_CHAIN;
		        ssl_certificate_key $LAB_WWW_KEY;
		        ssl_protocols TLSv1.2 TLSv1.3;
		        location / {
		            default_type text/plain;
		            return 200 "daneops lab: www.dane.test\n";
		        }
		    }
		$(nginx_servers)
		}
	EOF
	export_var LAB_NGINX_CONF "$d/nginx.conf"
}

WEB_SERVERS=()	# "NAME|CHAIN|KEY|FILE" where FILE holds the server's directives

# lab_https NAME CHAIN KEY DIRECTIVES: one more nginx server on
# $LAB_WWW_ADDR:443 for the TLS server name NAME (SNI), presenting CHAIN
# with KEY; DIRECTIVES (nginx syntax, e.g. location blocks) go inside its
# server block as given.  NAME needs an address record pointing at
# $LAB_WWW_ADDR in some lab zone.
lab_https() {
	[ $# -eq 4 ] || die "usage: lab_https NAME CHAIN KEY DIRECTIVES"
	local file
	mkdir -p "$LAB_DIR/nginx/servers"
	file=$LAB_DIR/nginx/servers/${#WEB_SERVERS[@]}.conf
	printf '%s\n' "$4" >"$file"
	WEB_SERVERS+=("$1|$2|$3|$file")
}

# nginx_servers: the server blocks of lab_https, for nginx_config.
nginx_servers() {
	local s name chain key file
	for s in "${WEB_SERVERS[@]}"; do
		IFS='|' read -r name chain key file <<<"$s"
		printf '    server {\n        listen %s:443 ssl;\n        server_name %s;\n' \
			"$LAB_WWW_ADDR" "$name"
		printf '        ssl_certificate %s;\n        ssl_certificate_key %s;\n' "$chain" "$key"
		printf '        ssl_protocols TLSv1.2 TLSv1.3;\n'
		sed 's/^/        /' "$file"
		printf '    }\n'
	done
}

nginx_start() {
	local d=$LAB_DIR/nginx log=$LAB_LOGS/nginx-error.log
	port_free nginx "$LAB_WWW_ADDR" 443
	lab_addr "$LAB_WWW_ADDR"
	# -e: the compiled-in error log (stderr here) is used before the config is read.
	ns nginx -p "$d" -c "$d/nginx.conf" -e "$log" >>"$log" 2>&1 ||
		die "nginx failed to start: $(tail -1 "$log") - see $log"
	register nginx "$LAB_RUN/nginx.pid" "$log" nginx "$LAB_WWW_ADDR:443"
	wait_listen nginx "$LAB_WWW_ADDR" 443 "$LAB_RUN/nginx.pid" "$log"
}

SERVICES=()	# "ADDR|PORT|FILE" where FILE holds the command, NUL-separated

# lab_service ADDR PORT CMD...: an extra daemon in the namespace, started
# after the standard ones (so DNS works for it) with its own pid file and
# log, stopped on stop.  It must stay in the foreground; the lab waits until
# ADDR:PORT listens (TCP or UDP).  PORT "-" skips that wait.
lab_service() {
	[ $# -ge 3 ] || die "usage: lab_service ADDR PORT CMD..."
	local addr=${1#[} port=$2 file
	addr=${addr%]}
	shift 2
	case $port in - | [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9]) ;;
	*) die "lab_service $addr: bad port '$port'" ;;
	esac
	case $addr in ::1 | 127.*.*.*) ;; *) die "lab_service: $addr is not in 127.0.0.0/8 or ::1" ;; esac
	mkdir -p "$LAB_RUN/services"
	file=$LAB_RUN/services/${#SERVICES[@]}.cmd
	printf '%s\0' "$@" >"$file"
	SERVICES+=("$addr|$port|$file")
}

# services_start: every lab_service, in the order they were declared; all
# are started before any is waited for (they start in parallel).
services_start() {
	local s addr port file name cmd pidfile log
	for s in "${SERVICES[@]}"; do
		IFS='|' read -r addr port file <<<"$s"
		mapfile -d '' -t cmd <"$file"
		name=svc-$addr-$port
		name=${name//:/_}
		pidfile=$LAB_RUN/$name.pid
		log=$LAB_LOGS/$name.log
		[ "$port" = - ] || port_free "service '${cmd[*]}'" "$addr" "$port"
		lab_addr "$addr"
		# setsid: its own session, so no terminal hangup reaches it; the
		# shell writes its own pid, then becomes the command (same pid).
		# shellcheck disable=SC2016 # $$ and $0 are for that shell
		(cd "$LAB_DIR" && LAB_SERVICE_ADDR=$addr LAB_SERVICE_PORT=$port \
			ns setsid --fork sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${cmd[@]}" \
			</dev/null >>"$log" 2>&1)
		for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.02; done
		register "$name" "$pidfile" "$log" "$(basename "${cmd[0]}" | cut -c1-15)" "$addr:$port"
	done
	for s in "${SERVICES[@]}"; do
		IFS='|' read -r addr port file <<<"$s"
		[ "$port" != - ] || continue
		mapfile -d '' -t cmd <"$file"
		name=svc-$addr-$port
		name=${name//:/_}
		wait_listen "service '${cmd[*]}'" "$addr" "$port" "$LAB_RUN/$name.pid" "$LAB_LOGS/$name.log"
	done
}
