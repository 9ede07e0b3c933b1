# shellcheck shell=bash
# Shared settings of the OpenStack peer scripts (sourced by install.sh, start.sh, stop.sh).
# Everything the peer writes lives under $STATE (default: <repo>/.peers/openstack):
#   debs/      files extracted from nova-common, cinder-common, glance-common, swift .debs
#   run/       configs, logs, databases, PID files of one running cloud (stop --wipe removes it)
#   snapshot/  schema snapshot made by a first start whose package versions differ from the
#              committed one in scripts/peers/openstack/snapshot/
#   clouds.yaml  openstacksdk configuration (clouds cn-admin and cn-demo)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
STATE="${CN_OPENSTACK_STATE:-$ROOT/.peers/openstack}"
RUN="$STATE/run"
X="$STATE/debs/x"
SYSPY=/usr/bin/python3          # the services and the peer's helpers run on Debian's Python
KEYSTONE_URL=http://127.0.0.1:5000/v3

# Debian 12 (bookworm, OpenStack Zed) packages: libraries and infrastructure daemons only.
# No nova-api/cinder-volume/... service packages, so no debconf questions and no init scripts.
APT_PACKAGES=(python3-nova python3-cinder python3-keystone python3-glance python3-placement
              python3-swift python3-pymysql rabbitmq-server mariadb-server memcached
              uwsgi-core uwsgi-plugin-python3 curl bc)
# Only unpacked (dpkg-deb -x) for their paste .ini files and *-manage scripts.
EXTRACTED_DEBS=(nova-common cinder-common glance-common swift)

# name:port of every TCP listener (all on 127.0.0.1); start refuses to run if one is taken.
PORTS=(keystone:5000 placement:8778 glance:9292 nova:8774 cinder:8776 swift-proxy:8080
       swift-object:6200 swift-container:6201 swift-account:6202 neutron-stub:9696
       memcached:11211 rabbitmq:5672 rabbitmq-dist:25672 epmd:4369)

# pkg_versions: one "name version" line per package whose version the snapshot depends on.
pkg_versions() {
    dpkg-query -W python3-keystone python3-nova python3-cinder python3-glance python3-placement \
        python3-swift mariadb-server 2>/dev/null
}

log() { printf '[openstack-peer] %s\n' "$*" >&2; }
