# lab/lib/common.sh - paths, errors, the network namespace and daemon
# bookkeeping shared by every part of the lab (sourced by lab/lab).
#
# Every daemon the lab starts is recorded in $LAB_DIR/run/daemons, one line
#   NAME PIDFILE LOGFILE COMM LISTEN...
# so that stop and status handle them all the same way, in reverse order.

# shellcheck disable=SC2034 # the variables here are used by the other parts

# Fixed lab addresses (the interface other engineers rely on).
LAB_AUTH=127.0.0.53
LAB_RESOLVER=127.0.0.54
LAB_TSIG_NAME=daneops-lab.
LAB_TSIG_ALG=hmac-sha256

# die MESSAGE: one clear line on stderr; during start also undo what was done.
# A die in a subshell (say inside "$(lab_tlsa ...)") asks the main shell to
# do the same with SIGUSR1, as the subshell's exit status may be ignored.
die() {
	echo "lab: $*" >&2
	if [ "${LAB_STARTING:-0}" = 1 ]; then
		if [ "$BASHPID" != "$LAB_MAIN_PID" ]; then
			kill -USR1 "$LAB_MAIN_PID" 2>/dev/null || true
			exit 1
		fi
		LAB_STARTING=0
		teardown >/dev/null 2>&1 || true
	fi
	exit 1
}

# on_err LINE CMD: an unexpected failure under set -e, named by file and line.
on_err() {
	local status=$? src=${BASH_SOURCE[1]:-lab} line=$1 cmd=$2
	src=${src#"$LAB_TOP/"}
	trap - ERR
	die "failed at ${src}:${line} (exit $status): ${cmd} - logs in ${LAB_DIR:-DIR}/log"
}

# note MESSAGE: a time-stamped line in the start log (not on the terminal).
note() {
	printf '%s %s\n' "$(date +%T.%3N)" "$*" >>"$LAB_LOGS/start.log"
}

# run_logged LOGFILE CMD...: run a chatty tool, keep its output for later.
run_logged() {
	local log=$1; shift
	"$@" >>"$log" 2>&1
}

# lab_paths DIR: fix LAB_DIR (absolute) and everything derived from it.
# The namespace name is derived from the real path so that several labs can
# run at once and stop finds the namespace again without any state.
lab_paths() {
	local dir=$1
	[ -n "$dir" ] || die "no DIR given"
	LAB_DIR=$(realpath -m -- "$dir")
	LAB_NETNS=daneops-$(printf '%s' "$LAB_DIR" | sha256sum | cut -c1-10)
	LAB_RUN=$LAB_DIR/run
	LAB_LOGS=$LAB_DIR/log
	LAB_PKI=$LAB_DIR/pki
	LAB_DNS=$LAB_DIR/dns
	LAB_DAEMONS=$LAB_RUN/daemons
	LAB_NETNS_ETC=/etc/netns/$LAB_NETNS
}

netns_exists() { [ -e "/run/netns/$LAB_NETNS" ]; }

# ns CMD...: run CMD inside the lab's namespace.
# fd 9 is the DIR lock: daemons must not inherit (and hold) it.
ns() { ip netns exec "$LAB_NETNS" "$@" 9>&-; }

# netns_create: a namespace with nothing but loopback, so nothing can leave
# the machine: without any route, a packet to an Internet address fails at
# once with "network unreachable".
netns_create() {
	ip netns add "$LAB_NETNS" 2>>"$LAB_LOGS/start.log" ||
		die "cannot create network namespace $LAB_NETNS (root? iproute2?)"
	ns ip link set lo up
	ns ip -6 -o addr show dev lo | grep -q ' ::1/' ||
		die "no ::1 in the namespace (IPv6 disabled in this kernel?); mx1.dane.test needs [::1]:25"
	# resolv.conf for programs run in the namespace (ip netns exec bind-mounts
	# it over /etc/resolv.conf there only).  trust-ad: glibc passes the AD bit
	# on, which posttls-finger and the Postfix smtp client need for DANE.
	mkdir -p "$LAB_NETNS_ETC"
	printf 'nameserver %s\noptions edns0 trust-ad\n' "$LAB_RESOLVER" \
		>"$LAB_NETNS_ETC/resolv.conf"
	local got
	got=$(ns cat /etc/resolv.conf 2>/dev/null || true)
	case $got in
	*"nameserver $LAB_RESOLVER"*) ;;
	*) die "ip netns exec does not bind-mount $LAB_NETNS_ETC/resolv.conf over /etc/resolv.conf" ;;
	esac
}

# lab_addr ADDR: make ADDR (127.0.0.0/8 or ::1 only) a local address of lo.
# The kernel answers for all of 127/8 anyway, but Postfix insists that every
# inet_interfaces address is configured on an interface.
lab_addr() {
	local addr=${1#[}
	addr=${addr%]}
	case $addr in
	::1) return 0 ;;
	127.*.*.*) ;;
	*) die "address $1 is not in 127.0.0.0/8 or ::1 (the lab stays on loopback)" ;;
	esac
	[ "$addr" = 127.0.0.1 ] && return 0
	if ! ns ip -4 -o addr show dev lo | grep -qF " $addr/"; then
		ns ip addr add "$addr/32" dev lo
	fi
}

# port_free WHAT ADDR PORT: fail with one line if something already listens
# on ADDR:PORT (or on the wildcard address) inside the namespace.
port_free() {
	local what=$1 addr=${2#[} port=$3 line local_addr
	addr=${addr%]}
	while read -r line; do
		local_addr=$(awk '{print $5}' <<<"$line")
		local_addr=${local_addr%:*}
		local_addr=${local_addr#[}
		local_addr=${local_addr%]}
		local_addr=${local_addr%\%*}
		case $local_addr in
		"$addr" | '*' | 0.0.0.0 | ::)
			die "cannot start $what: $2:$port is already in use in netns $LAB_NETNS ($(grep -o 'users:.*' <<<"$line" || echo '?'))"
			;;
		esac
	done < <(ns ss -Hlntup "sport = :$port" 2>/dev/null || true)
}

# wait_listen WHAT ADDR PORT PIDFILE LOG: wait until ADDR:PORT listens.
wait_listen() {
	local what=$1 addr=${2#[} port=$3 pidfile=$4 log=$5 i
	addr=${addr%]}
	case $addr in *:*) addr="[$addr]" ;; esac
	for i in $(seq 1 100); do
		if [ -n "$(ns ss -Hlntu "src $addr:$port" 2>/dev/null)" ]; then
			return 0
		fi
		if [ "$i" -gt 5 ] && ! pid_alive "$(pid_of "$pidfile")"; then
			die "$what exited while starting - see $log"
		fi
		sleep 0.1
	done
	die "$what does not listen on $addr:$port after 10 s - see $log"
}

# register NAME PIDFILE LOG COMM LISTEN...: remember a started daemon.
register() {
	echo "$*" >>"$LAB_DAEMONS"
}

# pid_of PIDFILE: the pid recorded in it, or nothing.
pid_of() {
	local pid=
	if [ -r "$1" ]; then read -r pid <"$1" 2>/dev/null || true; fi
	case $pid in '' | *[!0-9]*) pid= ;; esac
	echo "$pid"
}

# pid_alive PID: running - a zombie waiting for a slow init to reap it is not.
pid_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# our_pid PID COMM: true if PID is alive and ours - in our namespace, or, if
# the namespace is gone already, at least the program we started (pid files
# can outlive a reboot and name somebody else's process).
our_pid() {
	local pid=$1 comm=$2
	pid_alive "$pid" || return 1
	if netns_exists; then
		[ "$(ip netns identify "$pid" 2>/dev/null)" = "$LAB_NETNS" ]
	else
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]
	fi
}

# kill_wait SECONDS PID...: SIGTERM, wait, then SIGKILL whatever is left.
kill_wait() {
	local secs=$1 pid left i; shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null || true
	for i in $(seq 1 $((secs * 20))); do
		left=()
		for pid in "$@"; do pid_alive "$pid" && left+=("$pid"); done
		[ ${#left[@]} -eq 0 ] && return 0
		sleep 0.05
	done
	kill -KILL "${left[@]}" 2>/dev/null || true
}

# teardown: stop exactly what start started.  Idempotent.
#   1. every registered daemon, newest first, by its pid file;
#   2. whatever else still lives in the namespace (lab exec leftovers,
#      children that escaped their master);
#   3. the namespace itself and its /etc/netns directory.
teardown() {
	local pidfile log comm rest pid
	if [ -f "$LAB_DAEMONS" ]; then
		while read -r _ pidfile log comm rest; do
			pid=$(pid_of "$pidfile")
			if our_pid "$pid" "$comm"; then
				kill_wait 10 "$pid"
			fi
		done < <(tac "$LAB_DAEMONS")
	fi
	if netns_exists; then
		local pids
		mapfile -t pids < <(ip netns pids "$LAB_NETNS" 2>/dev/null)
		kill_wait 5 "${pids[@]}"
		ip netns del "$LAB_NETNS" 2>/dev/null || true
	fi
	rm -rf "$LAB_NETNS_ETC"
	if netns_exists; then
		echo "lab: cannot delete network namespace $LAB_NETNS" >&2
		return 1
	fi
	[ -d "$LAB_RUN" ] && rm -f "$LAB_DAEMONS"
	return 0
}

# export_var NAME VALUE: set a variable and list it for DIR/env.
LAB_ENV_VARS=()
export_var() {
	printf -v "$1" '%s' "$2"
	export "${1?}"
	local v
	for v in "${LAB_ENV_VARS[@]}"; do [ "$v" = "$1" ] && return 0; done
	LAB_ENV_VARS+=("$1")
}

# write_env: DIR/env, one NAME=value per line (shell-quoted where needed).
write_env() {
	local v
	{
		echo "# daneops lab $LAB_DIR - source it (set -a; . env; set +a to export)"
		for v in "${LAB_ENV_VARS[@]}"; do
			printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$LAB_DIR/env.tmp"
	mv "$LAB_DIR/env.tmp" "$LAB_DIR/env"
}

# upper NAME: NAME as an environment variable fragment (mx1-ecdsa -> MX1_ECDSA,
# lab-int-rsa -> INT_RSA: the lab- prefix of the CA names is dropped).
upper() {
	local s=${1#lab-}
	s=${s^^}
	s=${s//[^A-Z0-9]/_}
	echo "$s"
}
