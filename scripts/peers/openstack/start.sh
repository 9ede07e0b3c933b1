#!/usr/bin/env bash
# Start a real single-node OpenStack (Debian 12 / Zed libraries) by hand: no systemd, no
# containers, every listener on 127.0.0.1, every process in a session of its own whose
# "PID STARTTIME" goes to $RUN/pids/NAME.pid (stop.sh signals those sessions only).
#
#   Keystone, Placement (uWSGI) | Glance (file store) | Nova api/conductor/scheduler/compute
#   (compute_driver = fake.FakeDriver) | Cinder api/scheduler/volume (Cinder's in-tree
#   FakeLoggingVolumeDriver: real API, scheduler, manager, DB and RPC; no data path) | Swift
#   proxy/account/container/object (keystoneauth, slo, dlo, copy) | MariaDB (unix socket
#   only), RabbitMQ, memcached | a Neutron stub (empty lists) that nova-compute needs for
#   servers created with networks='none'.
#
# A start after a plain `stop` resumes the databases and objects that stop kept (servers come
# back ACTIVE but with power_state 0: the fake virt driver kept its guests in memory).
# Otherwise the schemas come from a snapshot (db.sql.gz + Swift rings) when one matches the installed
# package versions: $STATE/snapshot, then the committed scripts/peers/openstack/snapshot.
# Otherwise the migrations run (about a minute more) and a snapshot is saved to
# ${CN_OPENSTACK_SNAPSHOT_OUT:-$STATE/snapshot}.
#
# Then flavors and images are seeded, $STATE/clouds.yaml is written (clouds cn-admin and
# cn-demo) and, only when Nova, Placement and the Cinder scheduler really serve, the
# Keystone URL is printed on stdout. Progress goes to stderr. On failure everything started
# is stopped again and the tails of the logs that tell why are shown.
set -euo pipefail
set +m   # background jobs stay in our process group, so `setsid` below does not fork
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# OS_CLOUD, OS_AUTH_URL ... of the caller must not reach the helpers' openstacksdk.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^OS_' || true)

ETC=$RUN/etc
LOG=$RUN/log
PIDS=$RUN/pids
SOCK=$RUN/mysql.sock
X=$STATE/debs/x
PW=pass                                   # service users' password (loopback only)
KS=http://127.0.0.1:5000
T0=$(date +%s.%N)
ts() { printf '[openstack-peer %6.1fs] %s\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$*" >&2; }
dburl() { echo "mysql+pymysql://os:os@localhost/$1?unix_socket=$SOCK&charset=utf8mb4"; }

for f in usr/bin/nova-manage usr/share/nova-common/api-paste.ini; do
    [[ -f "$X/$f" ]] || { log "not installed ($X/$f missing): run scripts/peers/openstack.sh install"; exit 2; }
done
if [[ -f $RUN/ready ]] && bash "$HERE/stop.sh" --check 2>/dev/null; then
    log "already running"
    echo "$KEYSTONE_URL"
    exit 0
fi
# A previous run that died half-way may have left processes: stop them (by their PID files).
bash "$HERE/stop.sh" >/dev/null 2>&1 || true
busy=()
for np in "${PORTS[@]}"; do
    (exec 3<>"/dev/tcp/127.0.0.1/${np##*:}") 2>/dev/null && busy+=("$np")
done
if [[ ${#busy[@]} -gt 0 ]]; then
    log "ports already in use on 127.0.0.1: ${busy[*]} (another OpenStack peer, or other servers?)"
    exit 1
fi
rm -f "$RUN/ready"
mkdir -p "$ETC" "$LOG" "$PIDS"

failed() {
    local status=$?
    trap - ERR EXIT
    [[ $status -eq 0 ]] && return 0
    log "start FAILED (exit $status); stopping what was started. Logs: $LOG"
    for f in "$LOG"/*.log "$LOG"/*.out; do
        [[ -s "$f" ]] && grep -qiE 'error|critical|traceback' "$f" || continue
        printf '\n--- %s (last error lines)\n' "$f" >&2
        grep -iE 'error|critical|traceback' "$f" | tail -n 5 >&2
    done
    bash "$HERE/stop.sh" >&2 || true
    exit "$status"
}
trap failed EXIT

starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
bg() { # bg NAME CMD...: run CMD in a new session, output to $LOG/NAME.out, record its PID
    local name=$1; shift
    setsid "$@" </dev/null >>"$LOG/$name.out" 2>&1 &
    echo "$! $(starttime $!)" >"$PIDS/$name.pid"
}
pymain() { # pymain NAME MODULE ARGS...: what the service's console script would run
    local name=$1 mod=$2; shift 2
    bg "$name" "$SYSPY" -c "import sys; sys.argv[0] = '$name'; from $mod import main; sys.exit(main())" "$@"
}
alive() { local pid st; read -r pid st <"$PIDS/$1.pid"; [[ "$(starttime "$pid")" == "$st" ]]; }
wait_port() { # wait_port PORT SECONDS NAME: until 127.0.0.1:PORT accepts; fail early if NAME died
    local i
    for i in $(seq 1 $(($2 * 4))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        [[ -n "${3:-}" ]] && ! alive "$3" && { log "$3 exited; see $LOG/$3.out"; return 1; }
        sleep 0.25
    done
    log "port $1 did not open in $2 s"; return 1
}
sql() { mysql -S "$SOCK" -uroot -N -e "$1"; }

# ================================================================ infrastructure
ts "start mariadb, memcached, rabbitmq"
if [[ ! -d $RUN/mysql/mysql ]]; then
    mariadb-install-db --no-defaults --datadir="$RUN/mysql" --user=root \
        --auth-root-authentication-method=socket --skip-test-db >"$LOG/mariadb-install.out" 2>&1
fi
bg mariadb /usr/sbin/mariadbd --no-defaults --datadir="$RUN/mysql" --user=root --socket="$SOCK" \
    --pid-file="$RUN/mysql.pid" --skip-networking --skip-name-resolve --innodb-buffer-pool-size=128M \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-file-per-table=0 \
    --max-connections=500 --character-set-server=utf8mb4 --log-error="$LOG/mariadb.log"
bg memcached /usr/bin/memcached -u root -l 127.0.0.1 -p 11211 -m 64
mkdir -p "$RUN/rabbitmq"
echo '[].' >"$RUN/rabbitmq/enabled_plugins"
(
    export HOME=$RUN/rabbitmq RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 RABBITMQ_MNESIA_BASE=$RUN/rabbitmq/mnesia \
        RABBITMQ_LOG_BASE=$LOG/rabbitmq RABBITMQ_PID_FILE=$RUN/rabbitmq/rabbit.pid \
        RABBITMQ_ENABLED_PLUGINS_FILE=$RUN/rabbitmq/enabled_plugins ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    bg epmd /usr/bin/epmd -address 127.0.0.1
    sleep 0.3
    bg rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server
)

# ================================================================ configurations
authblock() { cat <<EOF
auth_url = $KS/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = RegionOne
EOF
}
authtoken() {
    printf '[keystone_authtoken]\nwww_authenticate_uri = %s\nmemcached_servers = 127.0.0.1:11211\n' $KS
    printf 'service_token_roles_required = true\n'
    authblock "$1"
}
mkdir -p "$ETC"/{keystone,placement,glance,nova,cinder,swift} "$RUN/keystone" \
    "$RUN"/glance/{images,staging,tasks,lock} "$RUN"/nova/{instances,lock} "$RUN"/cinder/{lock,volumes} \
    "$RUN/swift/devs/d1"

cat >"$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $LOG/keystone.log
[database]
connection = $(dburl keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $RUN/keystone/fernet-keys
[fernet_receipts]
key_repository = $RUN/keystone/fernet-receipts
[credential]
key_repository = $RUN/keystone/credential-keys
[cache]
# without a cache every token validation costs ~200 SQL queries (~0.5 s on 2 cores)
enabled = true
backend = oslo_cache.dict
EOF

{
    printf '[DEFAULT]\nlog_file = %s\n[placement_database]\nconnection = %s\n[api]\nauth_strategy = keystone\n' \
        "$LOG/placement.log" "$(dburl placement)"
    authtoken placement
} >"$ETC/placement/placement.conf"
printf 'from placement.wsgi import init_application\napplication = init_application()\n' >"$RUN/placement_wsgi.py"

cp "$X/usr/share/glance-common/glance-api-paste.ini" "$ETC/glance/"
{ cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
log_file = $LOG/glance-api.log
enabled_backends = fs:file
[database]
connection = $(dburl glance)
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $RUN/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $RUN/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $RUN/glance/tasks
[oslo_concurrency]
lock_path = $RUN/glance/lock
EOF
  authtoken glance; } >"$ETC/glance/glance-api.conf"

cp "$X/usr/share/nova-common/api-paste.ini" "$ETC/nova/"
{ cat <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/
my_ip = 127.0.0.1
host = fakehost
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
state_path = $RUN/nova
instances_path = $RUN/nova/instances
# SIGTERM: give up waiting for in-flight RPCs after 5 s (default 60 s)
graceful_shutdown_timeout = 5
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[api_database]
connection = $(dburl nova_api)
[database]
connection = $(dburl nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2
[oslo_concurrency]
lock_path = $RUN/nova/lock
[oslo_messaging_notifications]
driver = noop
[vnc]
enabled = false
[glance]
region_name = RegionOne
[cinder]
os_region_name = RegionOne
[neutron]
endpoint_override = http://127.0.0.1:9696
EOF
  authblock nova
  echo "[placement]"; authblock nova
  echo "[service_user]"; echo "send_service_user_token = true"; authblock nova
  authtoken nova; } >"$ETC/nova/nova.conf"
# nova-scheduler only: run its periodic tasks every second, so the host discovery above (every
# 2 s) really happens every 2 s instead of once per default 60 s periodic tick.
printf '[DEFAULT]\nperiodic_interval = 1\nperiodic_fuzzy_delay = 0\n' >"$ETC/nova/scheduler.conf"

cp "$X/usr/share/cinder-common/api-paste.ini" "$ETC/cinder/"
{ cat <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/
auth_strategy = keystone
my_ip = 127.0.0.1
host = fakehost
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
api_paste_config = $ETC/cinder/api-paste.ini
state_path = $RUN/cinder
enabled_backends = fake
default_volume_type = __DEFAULT__
glance_api_servers = http://127.0.0.1:9292
graceful_shutdown_timeout = 5
# re-publish backend capabilities every 5 s (default 60 s + up to 60 s random delay):
# the scheduler cannot place volumes until it has seen one report
periodic_interval = 5
periodic_fuzzy_delay = 0
backend_stats_polling_interval = 5
# the scheduler holds requests until every backend it knows from the DB has reported, for up
# to this long (default 60 s): a resumed cloud would wait the full minute
scheduler_driver_init_wait_time = 5
[database]
connection = $(dburl cinder)
[oslo_concurrency]
lock_path = $RUN/cinder/lock
[oslo_messaging_notifications]
driver = noop
[fake]
# in-tree fake backend used by cinder's own functional tests: logs calls, no storage
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
[nova]
EOF
  authblock cinder
  authtoken cinder; } >"$ETC/cinder/cinder.conf"

SW=$ETC/swift
printf '[swift-hash]\nswift_hash_path_suffix = cnpeer\nswift_hash_path_prefix = cnpeer\n' >"$SW/swift.conf"
printf '[storage-policy:0]\nname = Policy-0\ndefault = yes\n' >>"$SW/swift.conf"
for s in account:6202 container:6201 object:6200; do
    n=${s%%:*} p=${s##*:}
    cat >"$SW/$n-server.conf" <<EOF
[DEFAULT]
devices = $RUN/swift/devs
mount_check = false
bind_ip = 127.0.0.1
bind_port = $p
workers = 0
user = root
swift_dir = $SW
log_name = $n-server
[pipeline:main]
pipeline = $n-server
[app:$n-server]
use = egg:swift#$n
EOF
done
{ cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = 8080
workers = 0
user = root
swift_dir = $SW
log_name = proxy-server
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk authtoken keystoneauth copy slo dlo versioned_writes proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
cache = swift.cache
include_service_catalog = false
www_authenticate_uri = $KS
EOF
  authblock swift
  for f in catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk copy slo dlo versioned_writes; do
      printf '[filter:%s]\nuse = egg:swift#%s\n' "$f" "${f//-/_}"
  done
  printf '[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:11211\n'
} >"$SW/proxy-server.conf"

# ================================================================ databases
KM=(keystone-manage --config-file "$ETC/keystone/keystone.conf")
# Key repositories as `keystone-manage fernet_setup/credential_setup` make them (a staged key 0
# and a primary key 1, each 32 random bytes in URL-safe base64), without its 10 s of imports.
for repo in fernet-keys fernet-receipts credential-keys; do
    [[ -f $RUN/keystone/$repo/1 ]] && continue
    mkdir -p -m 700 "$RUN/keystone/$repo"
    for k in 0 1; do
        (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' | tr '+/' '-_' >"$RUN/keystone/$repo/$k")
    done
done
for _ in $(seq 1 240); do
    mysqladmin -S "$SOCK" -uroot ping >/dev/null 2>&1 && break
    alive mariadb || { log "mariadb exited; see $LOG/mariadb.log"; exit 1; }
    sleep 0.25
done
sql "CREATE USER IF NOT EXISTS 'os'@'localhost' IDENTIFIED BY 'os'; GRANT ALL PRIVILEGES ON *.* TO 'os'@'localhost';"
NM=("$SYSPY" "$X/usr/bin/nova-manage" --config-file "$ETC/nova/nova.conf")
DBS="keystone placement glance cinder nova_api nova nova_cell0"
PKGV=$(pkg_versions)
SNAP=""
for d in "$STATE/snapshot" "$HERE/snapshot"; do
    if [[ -f $d/db.sql.gz && "$(cat "$d/versions.txt" 2>/dev/null)" == "$PKGV" ]]; then SNAP=$d; break; fi
done
[[ "${CN_OPENSTACK_NO_SNAPSHOT:-}" == 1 ]] && SNAP=""
start_keystone() {
    bg keystone /usr/bin/uwsgi --plugin python3 --http11-socket 127.0.0.1:5000 \
        --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 8 --enable-threads \
        --buffer-size 65535 --die-on-term --need-app --env "OS_KEYSTONE_CONFIG_DIR=$ETC/keystone"
}
if [[ -d $RUN/mysql/nova_api && -f $SW/object.ring.gz ]]; then
    ts "mariadb ready; resuming the cloud kept by the last stop (stop --wipe starts afresh)"
    start_keystone
elif [[ -n $SNAP ]]; then
    ts "mariadb ready; loading schema snapshot $SNAP"
    # The cell mappings name the databases' socket, which lives under $RUN (@RUN@ in the dump).
    zcat "$SNAP/db.sql.gz" | sed "s|@RUN@|$RUN|g" | mysql -S "$SOCK" -uroot
    cp "$SNAP"/*.ring.gz "$SW/"
    start_keystone
else
    ts "mariadb ready; schema migrations + keystone bootstrap (parallel, about a minute)"
    for d in $DBS; do sql "CREATE DATABASE IF NOT EXISTS $d"; done
    timed() {
        local n=$1 t; t=$(date +%s.%N); shift
        "$@" >>"$LOG/setup-$n.out" 2>&1 || { log "setup $n FAILED, see $LOG/setup-$n.out"; return 1; }
        ts "  $n done ($(printf %.1f "$(echo "$(date +%s.%N) - $t" | bc)")s)"
    }
    setup_keystone() {
        "${KM[@]}" db_sync && "${KM[@]}" bootstrap --bootstrap-password admin \
            --bootstrap-admin-url $KS/v3/ --bootstrap-internal-url $KS/v3/ \
            --bootstrap-public-url $KS/v3/ --bootstrap-region-id RegionOne
    }
    setup_nova() {
        "${NM[@]}" api_db sync && "${NM[@]}" cell_v2 map_cell0 --database_connection "$(dburl nova_cell0)" &&
        { "${NM[@]}" cell_v2 list_cells | grep -q ' cell1 ' || "${NM[@]}" cell_v2 create_cell --name cell1; } &&
        "${NM[@]}" db sync
    }
    setup_swift() {
        local s n p rb
        for s in account:6202 container:6201 object:6200; do
            n=${s%%:*} p=${s##*:}
            rb=("$SYSPY" "$X/usr/bin/swift-ring-builder" "$SW/$n.builder")
            [[ -f $SW/$n.ring.gz ]] && continue
            "${rb[@]}" create 6 1 1 && "${rb[@]}" add "r1z1-127.0.0.1:$p/d1" 1
            "${rb[@]}" rebalance || [[ $? == 1 ]]   # 1 = warning (one device): fine
        done
    }
    pids=()
    timed nova setup_nova & pids+=($!)
    timed placement placement-manage --config-file "$ETC/placement/placement.conf" db sync & pids+=($!)
    timed glance "$SYSPY" "$X/usr/bin/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync & pids+=($!)
    timed cinder "$SYSPY" "$X/usr/bin/cinder-manage" --config-file "$ETC/cinder/cinder.conf" db sync & pids+=($!)
    timed swift-rings setup_swift & pids+=($!)
    timed keystone setup_keystone
    start_keystone
    wait_port 5000 120 keystone
    ts "keystone up; registering projects, users, roles and the catalog"
    "$SYSPY" "$HERE/peerctl.py" bootstrap >>"$LOG/setup-catalog.out" 2>&1
    for p in "${pids[@]}"; do wait "$p"; done
    out=${CN_OPENSTACK_SNAPSHOT_OUT:-$STATE/snapshot}
    mkdir -p "$out"
    cp "$SW"/*.ring.gz "$out/"
    echo "$PKGV" >"$out/versions.txt"
    mysqldump -S "$SOCK" -uroot --skip-dump-date --databases $DBS | sed "s|$RUN|@RUN@|g" | gzip -n -9 >"$out/db.sql.gz"
    ts "schemas done; snapshot saved to $out (the next start loads it instead of migrating)"
fi

# ================================================================ services
ts "start services"
STARTED_AT=$(sql "SELECT UTC_TIMESTAMP()")   # services write UTC heartbeats into their DBs
bg placement /usr/bin/uwsgi --plugin python3 --http11-socket 127.0.0.1:8778 \
    --wsgi-file "$RUN/placement_wsgi.py" --processes 1 --threads 8 --enable-threads \
    --die-on-term --need-app --env "OS_PLACEMENT_CONFIG_DIR=$ETC/placement"
bg neutron-stub "$SYSPY" "$HERE/neutron_stub.py" 9696
for n in account container object proxy; do
    bg "swift-$n" "$SYSPY" -c "import sys; import swift.common.utils as u; u.set_swift_dir('$SW')
from swift.common.wsgi import run_wsgi
c, o = u.parse_options()
sys.exit(run_wsgi(c, '$n-server', **o))" "$SW/$n-server.conf"
done
NC=(--config-file "$ETC/nova/nova.conf")
CC=(--config-file "$ETC/cinder/cinder.conf")
pymain glance-api       glance.cmd.api       --config-file "$ETC/glance/glance-api.conf"
pymain nova-api         nova.cmd.api         "${NC[@]}" --log-file "$LOG/nova-api.log"
pymain nova-conductor   nova.cmd.conductor   "${NC[@]}" --log-file "$LOG/nova-conductor.log"
pymain nova-scheduler   nova.cmd.scheduler   "${NC[@]}" --config-file "$ETC/nova/scheduler.conf" \
    --log-file "$LOG/nova-scheduler.log"
pymain nova-compute     nova.cmd.compute     "${NC[@]}" --log-file "$LOG/nova-compute.log"
pymain cinder-api       cinder.cmd.api       "${CC[@]}" --log-file "$LOG/cinder-api.log"
pymain cinder-scheduler cinder.cmd.scheduler "${CC[@]}" --log-file "$LOG/cinder-scheduler.log"
pymain cinder-volume    cinder.cmd.volume    "${CC[@]}" --log-file "$LOG/cinder-volume.log"

ts "waiting for the APIs to listen"
for np in keystone:5000 placement:8778 glance-api:9292 nova-api:8774 cinder-api:8776 swift-proxy:8080 \
          swift-object:6200 swift-container:6201 swift-account:6202 neutron-stub:9696; do
    wait_port "${np##*:}" 240 "${np%%:*}"
done
ts "APIs listening; waiting for nova-compute and cinder-volume to report, and host discovery"
# nova-scheduler maps new compute hosts every 2 s ([scheduler] discover_hosts_in_cells_interval
# and its periodic_interval = 1), so no `nova-manage cell_v2 discover_hosts` (10 s of imports).
# A heartbeat newer than this start matters on a resumed cloud, whose DB already lists the
# hypervisor and the pools from before: the API checks of wait-ready pass before the services run.
beats="SELECT (SELECT count(*) FROM nova_api.host_mappings)
  * (SELECT count(*) FROM nova.services WHERE \`binary\` = 'nova-compute' AND updated_at >= '$STARTED_AT')
  * (SELECT count(*) FROM cinder.services WHERE topic = 'cinder-volume' AND updated_at >= '$STARTED_AT')"
for i in $(seq 1 961); do
    [[ "$(sql "$beats")" != 0 ]] && break
    [[ $i == 961 ]] && { log "nova-compute or cinder-volume did not report in 240 s; see $LOG"; exit 1; }
    for n in nova-compute nova-scheduler nova-conductor cinder-volume; do
        alive $n || { log "$n exited; see $LOG/$n.log"; exit 1; }
    done
    sleep 0.25
done
ts "services reported; waiting for Nova, Placement and the Cinder scheduler to serve"
"$SYSPY" "$HERE/peerctl.py" wait-ready 240 2>>"$LOG/peerctl.out"
ts "seeding flavors and images"
"$SYSPY" "$HERE/peerctl.py" seed 2>>"$LOG/peerctl.out"
"$SYSPY" "$HERE/peerctl.py" clouds-yaml >"$STATE/clouds.yaml.tmp"
mv "$STATE/clouds.yaml.tmp" "$STATE/clouds.yaml"
touch "$RUN/ready"
trap - EXIT
ts "READY: $KEYSTONE_URL (clouds cn-admin, cn-demo in $STATE/clouds.yaml)"
echo "$KEYSTONE_URL"
