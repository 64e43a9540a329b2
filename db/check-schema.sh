#!/usr/bin/env bash
# Runs db/schema.sql against a throwaway PostgreSQL, twice each, in the three situations a
# project can be in, and checks the result (make check-schema; SchemaMigrationTest runs it too
# when PostgreSQL is installed):
#   fresh     no staff_members table yet
#   existing  the app's own table: uuid ids, no type/version/updated_at, its own RLS policies
#             and grants for anon, rows already in it
#   half-run  that table after the former schema.sql stopped half-way, leaving a trigger that
#             broke the app's inserts
# The roles Supabase has (anon, authenticated, service_role) are created first. Nothing outside
# a temporary directory is touched; the server listens on a Unix socket only and is stopped at exit.
#
# Needs PostgreSQL's initdb, pg_ctl and psql (Debian: apt-get install postgresql; as root, this
# script installs it when missing and apt-get is there). Exit 0 when every check passes.
set -euo pipefail
cd "$(dirname "$0")"
SCHEMA="$PWD/schema.sql"

die() { echo "check-schema: $*" >&2; exit 1; }

find_pg_bin() {
  local dir
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return; }
  done
  return 1
}

PG_BIN="$(find_pg_bin || true)"
if [[ -z "$PG_BIN" ]]; then
  if [[ "${CHECK_SCHEMA_NO_INSTALL:-}" != 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "check-schema: installing PostgreSQL (apt-get install postgresql)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null || die "apt-get install postgresql failed"
    PG_BIN="$(find_pg_bin)" || die "PostgreSQL installed, but initdb was not found"
  else
    die "PostgreSQL not found (needs initdb, pg_ctl, psql; Debian: apt-get install postgresql)"
  fi
fi
command -v psql >/dev/null || [[ -x "$PG_BIN/psql" ]] || die "psql not found"
PSQL="$(command -v psql || echo "$PG_BIN/psql")"

WORK="$(mktemp -d /tmp/staffsync-schema.XXXXXX)"
# initdb refuses to run as root: run the server as the postgres user then.
AS=()
if [[ $EUID -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run PostgreSQL as"
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi
stop() {
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT

"${AS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
"${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" \
  -o "-k $WORK -c listen_addresses='' -c fsync=off" start >/dev/null \
  || { cat "$WORK/server.log" >&2; die "PostgreSQL did not start"; }

# sql DB [psql args...]: runs psql as the superuser; any error stops it with a non-zero exit.
sql() {
  local db="$1"; shift
  PGOPTIONS='-c client_min_messages=warning' "$PSQL" -h "$WORK" -U postgres -d "$db" -X -q -v ON_ERROR_STOP=1 "$@"
}

sql postgres -c "create role anon nologin; create role authenticated nologin; create role service_role nologin bypassrls;"

# The app's own table, as an existing project has it, with two rows and access for the anon key.
create_app_table() {
  sql "$1" <<'SQL'
create extension if not exists pgcrypto;
create table public.staff_members (
    id         uuid primary key default gen_random_uuid(),
    name       text not null,
    position   text,
    department text,
    period     integer,
    created_at timestamptz default now()
);
alter table public.staff_members enable row level security;
create policy app_reads on public.staff_members for select to anon using (true);
create policy app_writes on public.staff_members for all to anon using (true) with check (true);
grant select, insert, update, delete on public.staff_members to anon;
insert into public.staff_members (name, position, department, period, created_at)
values ('Ada', 'Nurse', 'ICU', 0, '2026-01-02 03:04:05.123456+00'),
       ('Grace', null, null, 2, '2026-01-03 00:00:00+00');
SQL
}

# What the former schema.sql left behind when it stopped at its index (no updated_at column).
half_run_of_the_former_script() {
  sql "$1" <<'SQL'
create or replace function public.staff_members_keep_version() returns trigger language plpgsql as $$
begin
    new.version := coalesce(old.version, 0) + 1;
    new.updated_at := now();
    return new;
end;
$$;
create trigger staff_members_keep_version before insert or update on public.staff_members
    for each row execute function public.staff_members_keep_version();
SQL
}

migrate_twice() {
  sql "$1" -f "$SCHEMA" >/dev/null
  sql "$1" -f "$SCHEMA" >/dev/null
}

# Checks common to every situation: the columns the server reads, and the trigger's rules.
check_server_view() {
  sql "$1" <<'SQL'
do $$
declare
    missing text;
    row_version bigint;
    stamp timestamptz;
begin
    select string_agg(c, ', ') into missing
    from unnest(array['id','name','position','department','type','period','version','created_at','updated_at']) c
    where not exists (select 1 from information_schema.columns
                      where table_schema = 'public' and table_name = 'staff_members' and column_name = c);
    assert missing is null, 'columns missing: ' || missing;
    assert (select count(*) from pg_trigger where tgname = 'staff_members_keep_version') = 1, 'one trigger';
    assert has_table_privilege('service_role', 'public.staff_members', 'select,insert,update,delete'),
        'service_role can read and write';
    assert (select count(*) from public.staff_members where version is null or updated_at is null
            or created_at is null) = 0, 'every row has version and timestamps';
end;
$$;
-- A write as the server makes it: version and updated_at come from the trigger.
do $$
declare
    new_id text;
    written bigint;
begin
    select case when data_type = 'uuid' then gen_random_uuid()::text else 'server-row' end into new_id
    from information_schema.columns
    where table_schema = 'public' and table_name = 'staff_members' and column_name = 'id';
    execute format('insert into public.staff_members (id, name) values (%L, %L) returning version', new_id, 'Server')
        into written;
    assert written = 1, 'an insert starts at version 1';
    execute format('update public.staff_members set name = %L, version = 99 where id = %L returning version',
                   'Server 2', new_id) into written;
    assert written = 2, 'an update is version + 1, whatever the writer sends';
end;
$$;
SQL
}

echo "check-schema: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') in $WORK"

# fresh
sql postgres -c "create database fresh" >/dev/null
migrate_twice fresh
check_server_view fresh
sql fresh <<'SQL'
do $$
begin
    assert (select relrowsecurity from pg_class where oid = 'public.staff_members'::regclass), 'row level security on';
    assert not has_table_privilege('anon', 'public.staff_members', 'select'), 'anon reads nothing';
    assert not has_table_privilege('authenticated', 'public.staff_members', 'insert'), 'authenticated writes nothing';
end;
$$;
SQL
echo "check-schema: fresh: table created, run twice, server view OK, public roles shut out"

# existing
for situation in existing half-run; do
  sql postgres -c "create database \"$situation\"" >/dev/null
  create_app_table "$situation"
  if [[ "$situation" == half-run ]]; then
    half_run_of_the_former_script "$situation"
    if sql "$situation" -c "set role anon; insert into public.staff_members (name) values ('Before')" >/dev/null 2>&1; then
      die "$situation: the former script's trigger should break the app's inserts here"
    fi
  fi
  migrate_twice "$situation"
  check_server_view "$situation"
  sql "$situation" <<'SQL'
do $$
begin
    assert (select count(*) from public.staff_members where name in ('Ada', 'Grace')) = 2, 'the app''s rows are kept';
    assert (select version from public.staff_members where name = 'Ada') = 1, 'existing rows start at version 1';
    assert (select type from public.staff_members where name = 'Grace') = 'regular', 'type gets its default';
    assert (select updated_at from public.staff_members where name = 'Ada') = '2026-01-02 03:04:05.123456+00',
        'updated_at starts as created_at';
    assert (select data_type from information_schema.columns
            where table_name = 'staff_members' and column_name = 'id') = 'uuid', 'the id column is left as it was';
    assert (select count(*) from pg_policies where tablename = 'staff_members') = 2, 'the app''s policies are kept';
    assert has_table_privilege('anon', 'public.staff_members', 'select,insert,update'), 'the app''s grants are kept';
end;
$$;
-- The app's own writes, with its own key, still work and are versioned.
set role anon;
insert into public.staff_members (name, position, department, period) values ('From the app', 'Nurse', 'ER', 1);
update public.staff_members set department = 'ICU' where name = 'From the app';
reset role;
do $$
begin
    assert (select version from public.staff_members where name = 'From the app') = 2, 'app insert then update: version 2';
end;
$$;
SQL
  echo "check-schema: $situation: run twice, rows, id type, policies and grants kept, app writes versioned"
done

echo "check-schema: OK"
