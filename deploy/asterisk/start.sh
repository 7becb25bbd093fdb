#!/bin/sh
# Asterisk container start (compose.yaml): copy the versioned asterisk-config/ into /etc/asterisk, then the site's
# own files over it (asterisk-site/: pjsip.conf with the carrier and real phone passwords, …), put this site's
# secrets in (they never live in the repository or in compose.yaml), and run Asterisk in the foreground.
#   manager.conf    the demo AMI secret `callcenter-demo` becomes $CALLCENTER_AMI_SECRET
#   cdr_pgsql.conf  hostname/port/dbname/user/password point at the compose PostgreSQL (`asterisk_cdr`, role `asterisk`)
#   extensions.conf CC_IVR_KEY = $CALLCENTER_IVR_KEY (when the API requires the key)
#   rtp.conf        written when neither directory has one: the RTP range compose publishes
set -eu

SRC=${ASTERISK_CONFIG_SRC:-/opt/callcenter/asterisk-config}
DST=${ASTERISK_CONFIG_DST:-/etc/asterisk}
SITE=${ASTERISK_SITE_CONFIG:-/opt/callcenter/asterisk-site}

: "${CALLCENTER_AMI_SECRET:?set CALLCENTER_AMI_SECRET}"
: "${ASTERISK_CDR_PASSWORD:?set ASTERISK_CDR_PASSWORD}"
if [ "$CALLCENTER_AMI_SECRET" = "callcenter-demo" ]; then
    echo "refusing to start: CALLCENTER_AMI_SECRET is the demo secret" >&2
    exit 2
fi
[ -d "$SRC" ] || { echo "asterisk-config is not mounted at $SRC" >&2; exit 2; }

cp -R "$SRC"/. "$DST"/
if [ -d "$SITE" ]; then cp -R "$SITE"/. "$DST"/; fi
if [ ! -f "$SRC/rtp.conf" ] && [ ! -f "$SITE/rtp.conf" ]; then
    printf '[general]\nrtpstart=%s\nrtpend=%s\n' "${RTP_START:-10000}" "${RTP_END:-10099}" > "$DST/rtp.conf"
fi

# Literal (not regex) replacement, safe for any characters in the secret (passed through the environment, as awk
# would interpret backslashes in -v values).
replace_literal() { # file search replacement
    AWK_S="$2" AWK_R="$3" awk 'BEGIN { s = ENVIRON["AWK_S"]; r = ENVIRON["AWK_R"] }
    {
        out = ""; line = $0
        while ((i = index(line, s)) > 0) { out = out substr(line, 1, i - 1) r; line = substr(line, i + length(s)) }
        print out line
    }' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}
# Set `key = value` lines of an ini file (every section), keeping everything else.
set_keys() { # file
    awk -v host="${CDR_DB_HOST:-postgres}" -v port="${CDR_DB_PORT:-5432}" -v db="${CDR_DB_NAME:-asterisk_cdr}" \
        -v user="${CDR_DB_USER:-asterisk}" '
        BEGIN { pw = ENVIRON["ASTERISK_CDR_PASSWORD"] }
        /^[ \t]*hostname[ \t]*=/ { print "hostname=" host; next }
        /^[ \t]*port[ \t]*=/     { print "port=" port; next }
        /^[ \t]*dbname[ \t]*=/   { print "dbname=" db; next }
        /^[ \t]*user[ \t]*=/     { print "user=" user; next }
        /^[ \t]*password[ \t]*=/ { print "password=" pw; next }
        { print }' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

[ -f "$DST/manager.conf" ] && replace_literal "$DST/manager.conf" "callcenter-demo" "$CALLCENTER_AMI_SECRET"
[ -f "$DST/cdr_pgsql.conf" ] && set_keys "$DST/cdr_pgsql.conf"
if [ -n "${CALLCENTER_IVR_KEY:-}" ] && [ -f "$DST/extensions.conf" ]; then
    AWK_R="$CALLCENTER_IVR_KEY" awk 'BEGIN { r = ENVIRON["AWK_R"] }
        /^[ \t]*CC_IVR_KEY[ \t]*=/ { print "CC_IVR_KEY = " r; next } { print }' "$DST/extensions.conf" > "$DST/extensions.conf.tmp" \
        && mv "$DST/extensions.conf.tmp" "$DST/extensions.conf"
fi
chown -R asterisk:asterisk "$DST" 2>/dev/null || true
chmod 0640 "$DST/manager.conf" "$DST/cdr_pgsql.conf" 2>/dev/null || true

exec "${ASTERISK_BIN:-/usr/sbin/asterisk}" -f -U asterisk -G asterisk -vvv
