-- staff-sync: the staff table as the server expects it in Supabase.
-- Run once in the Supabase dashboard: SQL Editor -> New query -> paste -> Run.
-- Safe to read top to bottom; every statement says why it is there.
--
-- The server talks to this table through PostgREST (https://<project>.supabase.co/rest/v1/staff_members)
-- with the service key. If you name the table differently, set SUPABASE_TABLE to that name.

create table if not exists public.staff_members (
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

-- version and the timestamps are kept here, so they are right whoever writes the row: the
-- server, the SQL editor, the app writing directly, or a second server instance. The server
-- sends version = N+1 in its update body; the trigger computes the same value and wins if
-- they ever disagree. now() is the transaction's start time, so rows can become visible out
-- of updated_at order: the server's poller reads with an overlap window for that reason.
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

drop trigger if exists staff_members_keep_version on public.staff_members;
create trigger staff_members_keep_version
    before insert or update on public.staff_members
    for each row execute function public.staff_members_keep_version();

-- The poller asks for "rows with updated_at after T, oldest first" every SUPABASE_POLL_MS.
create index if not exists staff_members_updated_at_idx on public.staff_members (updated_at, id);

-- Row level security on, with no policies: the public (anon) and signed-in (authenticated)
-- roles can read or write nothing through the API. The server's service key acts as
-- service_role, which bypasses row level security.
alter table public.staff_members enable row level security;

-- New Supabase projects no longer grant table privileges to the API roles by default, so
-- grant exactly what the server uses to service_role, and nothing to anon or authenticated.
revoke all on table public.staff_members from anon, authenticated;
grant select, insert, update, delete on table public.staff_members to service_role;

-- Make PostgREST see the new table at once (otherwise: 404 PGRST205 until its schema cache reloads).
notify pgrst, 'reload schema';
