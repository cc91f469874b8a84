#!/bin/sh
# Point-in-time recovery drill for PostgreSQL (docs/data-protection.md):
# a throwaway server with WAL archiving, a base backup, two rounds of
# audited writes with a signed audit checkpoint after each, then recovery
# to a moment between them. The recovered database must verify against
# the first checkpoint, fail against the second (that history was undone
# on purpose), and hold the first round's writes and none of the second's.
#
# Usage: scripts/pitr-drill.sh [path to the drive binary]
# Needs the PostgreSQL 15 server binaries; run as root it runs the server
# as the postgres user.
set -eu
DRIVE=${1:-bin/drive}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PITR_PORT:-55439}
WORK=$(mktemp -d /tmp/drive-pitr.XXXXXX)
RUNAS=""
if [ "$(id -u)" = 0 ]; then RUNAS="runuser -u postgres --"; chown postgres "$WORK"; fi
pg() { $RUNAS "$@"; }
cleanup() { pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; pg "$PGBIN/pg_ctl" -D "$WORK/recovered" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
[ -n "${PITR_KEEP:-}" ] && trap - EXIT
URL="postgres://drive@localhost:$PORT/drive?sslmode=disable&host=$WORK"
say() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

pg mkdir -p "$WORK/wal"
pg "$PGBIN/initdb" -D "$WORK/data" -U drive --auth=trust >/dev/null
cat >> "$WORK/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $WORK/wal/%f && cp %p $WORK/wal/%f'
archive_timeout = 1
CONF
pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
pg "$PGBIN/createdb" -h "$WORK" -p "$PORT" -U drive drive
"$DRIVE" migrate --db "$URL" >/dev/null
"$DRIVE" audit keygen --private "$WORK/audit.key" --public "$WORK/audit.pub" >/dev/null
say "base backup"
pg "$PGBIN/pg_basebackup" -h "$WORK" -p "$PORT" -U drive -D "$WORK/base" -X none -c fast
say "first round of writes"
"$DRIVE" site add --db "$URL" --code AAA --name "Site before" --region R >/dev/null
"$DRIVE" audit checkpoint --db "$URL" --key "$WORK/audit.key" --out "$WORK/first.json" >/dev/null
sleep 2
TARGET=$(date -u +'%Y-%m-%d %H:%M:%S.%6N+00')
sleep 2
say "second round of writes (after the target $TARGET)"
"$DRIVE" site add --db "$URL" --code BBB --name "Site after" --region R >/dev/null
"$DRIVE" audit checkpoint --db "$URL" --key "$WORK/audit.key" --out "$WORK/second.json" >/dev/null
sleep 3 # archive_timeout switches the segment, so the archive holds it all
pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null

say "recovering to $TARGET"
pg cp -a "$WORK/base" "$WORK/recovered"
cat >> "$WORK/recovered/postgresql.conf" <<CONF
archive_mode = off
restore_command = 'cp $WORK/wal/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
pg touch "$WORK/recovered/recovery.signal"
START=$(date +%s)
pg "$PGBIN/pg_ctl" -D "$WORK/recovered" -l "$WORK/recovered.log" -w -t 120 start >/dev/null
# The server answers (read-only) while it is still replaying: a check made
# then would read the base backup half replayed. Wait for the promotion.
n=0
until [ "$(pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U drive -d drive -Atc 'SELECT pg_is_in_recovery()')" = f ]; do
	n=$((n + 1)); [ $n -lt 240 ] || { echo "FAIL: recovery did not finish" >&2; exit 1; }
	sleep 0.5
done
say "recovered in $(( $(date +%s) - START )) s"

"$DRIVE" audit verify --db "$URL" --checkpoint "$WORK/first.json" --public-key "$WORK/audit.pub"
if "$DRIVE" audit verify --db "$URL" --checkpoint "$WORK/second.json" --public-key "$WORK/audit.pub" >/dev/null 2>&1; then
	echo "FAIL: the recovered log still reaches the second checkpoint" >&2; exit 1
fi
say "as expected, the recovered log does not reach the second checkpoint"
SITES=$("$DRIVE" site list --db "$URL")
echo "$SITES" | grep -q AAA || { echo "FAIL: the first round's site is missing" >&2; exit 1; }
if echo "$SITES" | grep -q BBB; then echo "FAIL: the second round's site survived recovery" >&2; exit 1; fi
say "PASS: recovered to the target, with the first round and without the second"
