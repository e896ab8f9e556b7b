#!/bin/sh
# A throwaway PostgreSQL cluster for mutation runs: `scratch_pg.sh start PORT DIR` or `stop DIR`.
#
# Mutation runs create and drop a migrated schema per test in thousands of forked children;
# on the shared server the checkpoints that follow (tens of thousands of relation files to
# sync) stalled an unrelated test run's queries for minutes. This cluster has its own port
# and directory and no fsync: nothing in it outlives the run.
set -eu
action=$1
bindir=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner() {
	# initdb and postgres refuse to run as root: run them as the postgres account instead.
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
start)
	port=$2 dir=$3
	# A new cluster every run: one stopped with -m immediate would replay its WAL first.
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --no-sync >/dev/null
	options="-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
	options="$options -c full_page_writes=off -c synchronous_commit=off -c max_connections=300"
	as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w start -o "$options" >/dev/null
	as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres test 2>/dev/null || true
	;;
stop)
	as_owner "$bindir/pg_ctl" -D "$2" -m immediate stop >/dev/null
	rm -rf "$2"
	;;
*)
	echo "usage: $0 start PORT DIR | stop DIR" >&2
	exit 2
	;;
esac
