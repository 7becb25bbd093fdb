#!/bin/sh
# PostgreSQL first-start init (mounted into /docker-entrypoint-initdb.d by compose.yaml): the database `asterisk_cdr`
# with Asterisk's cdr_pgsql standard table `cdr`, written by the least-privileged role `asterisk` (INSERT only) and
# read by the listener (as `callcenter`, the owner) to backfill calls missed during an AMI outage.
set -eu
: "${ASTERISK_CDR_PASSWORD:?set ASTERISK_CDR_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v cdr_pw="$ASTERISK_CDR_PASSWORD" -v owner="$POSTGRES_USER" <<'SQL'
CREATE ROLE asterisk LOGIN PASSWORD :'cdr_pw';
CREATE DATABASE asterisk_cdr OWNER :"owner";
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname asterisk_cdr <<'SQL'
CREATE TABLE IF NOT EXISTS cdr (
    calldate     timestamptz  NOT NULL DEFAULT now(),
    clid         varchar(80)  NOT NULL DEFAULT '',
    src          varchar(80)  NOT NULL DEFAULT '',
    dst          varchar(80)  NOT NULL DEFAULT '',
    dcontext     varchar(80)  NOT NULL DEFAULT '',
    channel      varchar(80)  NOT NULL DEFAULT '',
    dstchannel   varchar(80)  NOT NULL DEFAULT '',
    lastapp      varchar(80)  NOT NULL DEFAULT '',
    lastdata     varchar(80)  NOT NULL DEFAULT '',
    duration     integer      NOT NULL DEFAULT 0,
    billsec      integer      NOT NULL DEFAULT 0,
    disposition  varchar(45)  NOT NULL DEFAULT '',
    amaflags     integer      NOT NULL DEFAULT 0,
    accountcode  varchar(20)  NOT NULL DEFAULT '',
    uniqueid     varchar(150) NOT NULL DEFAULT '',
    userfield    varchar(255) NOT NULL DEFAULT '',
    peeraccount  varchar(20)  NOT NULL DEFAULT '',
    linkedid     varchar(150) NOT NULL DEFAULT '',
    sequence     integer      NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cdr_calldate ON cdr (calldate);
CREATE INDEX IF NOT EXISTS cdr_linkedid ON cdr (linkedid);
REVOKE ALL ON cdr FROM PUBLIC;
GRANT CONNECT ON DATABASE asterisk_cdr TO asterisk;
GRANT USAGE ON SCHEMA public TO asterisk;
GRANT INSERT ON cdr TO asterisk;
SQL
