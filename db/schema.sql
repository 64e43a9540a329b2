-- staff-sync: the staff table as the server expects it in Supabase.
-- Run it in the Supabase dashboard: SQL Editor -> New query -> paste -> Run.
--
-- It is a safe migration, and may be run again at any time:
--   * no staff_members table yet: it creates one, with row level security on and no access for
--     the public roles (the server uses the service key);
--   * the app already has one (perhaps with a uuid id, and without version or updated_at): it
--     keeps every row, column, policy and grant it has, and only adds the columns the server
--     needs, with defaults, fills them in for the existing rows, then installs the trigger;
--   * all in one transaction: if anything fails, nothing is changed.
-- `make check-schema` runs it twice against a throwaway PostgreSQL, both ways (db/check-schema.sh).
--
-- The server talks to this table through PostgREST (https://<project>.supabase.co/rest/v1/staff_members)
-- with the service key. If you name the table differently, set SUPABASE_TABLE to that name (and
-- replace staff_members below).

begin;

-- 1. A new table, only when there is none. Row level security on with no policies, and no
--    grants to the API's public roles: nothing but the service key can reach it.
do $$
begin
    if to_regclass('public.staff_members') is null then
        create table public.staff_members (
            id          text        primary key,
            name        text        not null check (char_length(btrim(name)) between 1 and 200),
            position    text        not null default '' check (char_length(position) <= 200),
            department  text        not null default '' check (char_length(department) <= 200),
            type        text        not null default 'regular' check (char_length(type) <= 50),
            period      integer     not null default 0 check (period >= 0),
            -- Managed by the trigger below, never by the writer: 1 on insert, +1 on every update.
            -- Every write from the server is a compare-and-set: PATCH ...?id=eq.X&version=eq.N.
            version     bigint      not null default 1,
            created_at  timestamptz not null default now(),
            updated_at  timestamptz not null default now()
        );
        alter table public.staff_members enable row level security;
        -- New Supabase projects no longer grant table privileges to the API roles by default;
        -- older ones did: make sure anon and authenticated get nothing.
        revoke all on table public.staff_members from anon, authenticated;
        raise notice 'created public.staff_members';
    end if;
end;
$$;

-- 2. An existing table: the server needs id and name; refuse clearly rather than guess.
do $$
begin
    if not exists (select 1 from information_schema.columns
                   where table_schema = 'public' and table_name = 'staff_members' and column_name = 'id')
       or not exists (select 1 from information_schema.columns
                   where table_schema = 'public' and table_name = 'staff_members' and column_name = 'name') then
        raise exception 'public.staff_members has no id or no name column; staff-sync needs both (nothing was changed)';
    end if;
end;
$$;

-- 3. The columns the server needs and the app may lack. Each is added with a default, so existing
--    rows get a value at once and the app's own inserts, which do not name them, keep working.
--    (No-ops on a table this script created, or on a second run.) The trigger is off meanwhile
--    (it is re-created in step 4, in this same transaction), so filling in the existing rows
--    neither counts as an update of theirs nor trips over a trigger a half-finished run left.
drop trigger if exists staff_members_keep_version on public.staff_members;
alter table public.staff_members add column if not exists position   text        not null default '';
alter table public.staff_members add column if not exists department text        not null default '';
alter table public.staff_members add column if not exists type       text        not null default 'regular';
alter table public.staff_members add column if not exists period     integer     not null default 0;
alter table public.staff_members add column if not exists version    bigint      not null default 1;
alter table public.staff_members add column if not exists created_at timestamptz not null default now();
-- updated_at starts as each row's created_at, not as the time of this migration. (The server
-- reads both on every row; the trigger sets both on every write from now on.)
alter table public.staff_members add column if not exists updated_at timestamptz;
update public.staff_members set created_at = now() where created_at is null;
update public.staff_members set updated_at = created_at where updated_at is null;
alter table public.staff_members alter column updated_at set default now();

-- 4. Only now, with every column in place, the trigger. version and the timestamps are kept
-- here, so they are right whoever writes the row: the server, the SQL editor, the app writing
-- directly, or a second server instance. The server sends version = N+1 in its update body; the
-- trigger computes the same value and wins if they ever disagree. now() is the transaction's
-- start time, so rows can become visible out of updated_at order: the server's poller reads
-- with an overlap window for that reason.
create or replace function public.staff_members_keep_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        new.version := 1;
        new.created_at := now();
        new.updated_at := now();
    else
        if new.id is distinct from old.id then
            raise exception 'staff_members.id cannot be changed (was %, got %)', old.id, new.id
                using errcode = 'check_violation';
        end if;
        new.version := old.version + 1;
        new.created_at := old.created_at;
        new.updated_at := now();
    end if;
    return new;
end;
$$;

create trigger staff_members_keep_version
    before insert or update on public.staff_members
    for each row execute function public.staff_members_keep_version();

-- 5. The poller asks for "rows with updated_at after T, oldest first" every SUPABASE_POLL_MS.
create index if not exists staff_members_updated_at_idx on public.staff_members (updated_at, id);

-- 6. What the server uses, granted to service_role (which bypasses row level security). The
--    grants and policies the app's own roles have are left exactly as they were.
grant select, insert, update, delete on table public.staff_members to service_role;

commit;

-- Make PostgREST see the new columns at once (otherwise: PGRST204/PGRST205 until its schema cache reloads).
notify pgrst, 'reload schema';
