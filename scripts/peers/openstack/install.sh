#!/usr/bin/env bash
# Install what the OpenStack peer needs, as root on Debian 12, without starting any daemon.
#
# Idempotent: apt runs only when a package is missing, and the .debs are downloaded and
# unpacked again only when their versions changed. Takes about 3 min the first time
# (apt), well under a second when everything is there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true NEEDRESTART_MODE=a
t0=$(date +%s)

[[ "$(id -u)" == 0 ]] || { log "install must run as root (apt-get)"; exit 2; }
grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null \
    || log "warning: not Debian 12 (bookworm); the package set and snapshot are made for it"

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null | awk '/ installed$/ {print $1}')
missing=()
for p in "${APT_PACKAGES[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    log "apt: installing ${missing[*]}"
    # Debian's policy-rc.d: postinst scripts must not start rabbitmq, mariadb or memcached.
    made_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    trap '[[ $made_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
    apt-get update -q
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${APT_PACKAGES[@]}"
else
    log "apt: all ${#APT_PACKAGES[@]} packages already installed"
fi

# Each extracted .deb comes from the same source package as an installed python3-* library
# (nova-common and python3-nova ...): take exactly that library's version.
want=""
for p in "${EXTRACTED_DEBS[@]}"; do
    lib=python3-${p%-common}
    want+="$p=$(dpkg-query -W -f='${Version}' "$lib")"$'\n'
done
want=${want%$'\n'}
if [[ -f "$STATE/debs/versions.txt" && "$(cat "$STATE/debs/versions.txt")" == "$want" && -d "$X" ]]; then
    log "debs: ${EXTRACTED_DEBS[*]} already unpacked"
else
    log "debs: downloading and unpacking ${EXTRACTED_DEBS[*]}"
    rm -rf "$STATE/debs"
    mkdir -p "$STATE/debs"
    download() {  # pinned versions; the warning about the unsandboxed _apt user is noise
        # shellcheck disable=SC2046
        (cd "$STATE/debs" && apt-get download -q $(printf '%s' "$want") 2>&1 \
            | grep -v '^W: Download is performed unsandboxed' >&2)
        ls "$STATE"/debs/*.deb >/dev/null 2>&1
    }
    download || { apt-get update -q && download; } || { log "apt-get download failed"; exit 1; }
    for f in "$STATE"/debs/*.deb; do dpkg-deb -x "$f" "$X"; done
    rm -f "$STATE"/debs/*.deb
    echo "$want" >"$STATE/debs/versions.txt"
fi
for f in usr/bin/nova-manage usr/bin/cinder-manage usr/bin/glance-manage usr/bin/swift-ring-builder \
         usr/share/nova-common/api-paste.ini usr/share/cinder-common/api-paste.ini \
         usr/share/glance-common/glance-api-paste.ini; do
    [[ -f "$X/$f" ]] || { log "missing $X/$f after unpacking"; exit 1; }
done
log "install took $(( $(date +%s) - t0 ))s"
