"""Move help-desk staff from Django's own user table into accounts, and keep everyone signed in.

Databases created before accounts became the user model keep their staff in
``auth_user``: each one becomes an account (same password hash, rights and
groups), and what referred to them (tickets, ticket notes, the admin's log)
is pointed at the new rows. Live sessions are rewritten in Django's own
login format, so nobody is signed out by the upgrade. A new database has no
``auth_user`` table and no sessions: nothing happens.
"""

from django.db import migrations, models
from django.utils import timezone
from django.utils.crypto import salted_hmac

BACKEND = "staffgate.accounts.backends.PortalBackend"
# The keys the portal kept its own login under, before Django's login() took over.
OLD_ACCOUNT_KEY = "staffgate.account"
OLD_HASH_KEY = "staffgate.account_hash"
OLD_AGENT_KEYS = {"staffgate.helpdesk.started": "staffgate.started", "staffgate.helpdesk.seen": "staffgate.seen"}
STAFF_REFERENCES = [
    ("helpdesk", "Ticket", "closed_by"),
    ("helpdesk", "TicketNote", "author"),
    ("admin", "LogEntry", "user"),
]


def session_auth_hash(password: str) -> str:
    # What AbstractBaseUser.get_session_auth_hash() returns; historical models lack methods.
    key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
    return salted_hmac(key_salt, password, algorithm="sha256").hexdigest()


def _copy_staff(apps, cursor) -> dict[int, int]:
    """Create an account for every row of ``auth_user``; return old id → new id."""
    Account = apps.get_model("accounts", "Account")
    cursor.execute(
        "SELECT id, username, password, email, is_staff, is_superuser, is_active, last_login,"
        " date_joined FROM auth_user ORDER BY id"
    )
    mapping = {}
    for old_id, username, password, email, staff, superuser, active, last, joined in list(cursor):
        if Account.objects.filter(user_id=username).exists():
            raise RuntimeError(
                f"Cannot move staff user {username!r}: an employee account has that User ID. "
                "Rename the staff user (in the admin) before upgrading."
            )
        if email and Account.objects.filter(email__iexact=email).exists():
            raise RuntimeError(
                f"Cannot move staff user {username!r}: an employee account uses {email!r}. "
                "Change the staff user's e-mail address before upgrading."
            )
        account = Account.objects.create(
            user_id=username,
            password=password,
            email=email or "",
            is_staff=staff,
            is_superuser=superuser,
            is_active=active,
            last_login=last,
            registered_at=joined,
            password_changed_at=joined,
        )
        mapping[old_id] = account.pk
    return mapping


def _copy_rights(apps, cursor, mapping: dict[int, int]) -> None:
    Account = apps.get_model("accounts", "Account")
    for table, column, through in (
        ("auth_user_groups", "group_id", Account.groups.through),
        ("auth_user_user_permissions", "permission_id", Account.user_permissions.through),
    ):
        cursor.execute(f"SELECT user_id, {column} FROM {table}")  # noqa: S608 - constants
        through.objects.bulk_create(
            through(account_id=mapping[user_id], **{column: value})
            for user_id, value in cursor.fetchall()
        )


def _remap_sql(table: str, column: str, mapping: dict[int, int]) -> tuple[str, list[int]]:
    # One statement, so that an old id equal to another's new id is not moved twice.
    cases = " ".join("WHEN %s THEN %s" for _ in mapping)
    params = [value for pair in mapping.items() for value in pair]
    placeholders = ", ".join("%s" for _ in mapping)
    sql = f"UPDATE {table} SET {column} = CASE {column} {cases} END WHERE {column} IN ({placeholders})"  # noqa: S608
    return sql, params + list(mapping)


def _repoint(apps, schema_editor, mapping: dict[int, int]) -> None:
    """Point each reference to staff at the accounts table, with the ids remapped."""
    connection = schema_editor.connection
    for app_label, model_name, field_name in STAFF_REFERENCES:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                constraints = connection.introspection.get_constraints(cursor, table)
                for name, info in constraints.items():
                    if info["foreign_key"] and info["columns"] == [field.column]:
                        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            if mapping:
                cursor.execute(*_remap_sql(table, field.column, mapping))
        if connection.vendor == "postgresql":
            target = field.related_model._meta.db_table
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_{field.column}_fk_{target}_id" '
                f'FOREIGN KEY ("{field.column}") REFERENCES "{target}" ("id") '
                "DEFERRABLE INITIALLY DEFERRED"
            )
        else:
            # SQLite rebuilds the table from the model, which now refers to accounts.
            old_field = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True)
            old_field.set_attributes_from_name(field_name)
            old_field.model = model
            old_field.remote_field.model = apps.get_model("auth", "User")
            schema_editor.alter_field(model, old_field, field)


def _rewrite_sessions(apps, mapping: dict[int, int]) -> None:
    """Carry live sessions over to Django's login keys; drop those that cannot be carried."""
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    Account = apps.get_model("accounts", "Account")
    store = SessionStore()
    passwords = {}
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)
        if OLD_ACCOUNT_KEY in data:
            account_pk = data.pop(OLD_ACCOUNT_KEY)
            data.pop(OLD_HASH_KEY, None)
        elif "_auth_user_id" in data:
            account_pk = mapping.get(int(data["_auth_user_id"]))
            for old, new in OLD_AGENT_KEYS.items():
                if old in data:
                    data[new] = data.pop(old)
        else:
            continue
        if account_pk not in passwords:
            passwords[account_pk] = (
                Account.objects.filter(pk=account_pk).values_list("password", flat=True).first()
            )
        if account_pk is None or passwords[account_pk] is None:
            session.delete()
            continue
        data["_auth_user_id"] = str(account_pk)
        data["_auth_user_backend"] = BACKEND
        data["_auth_user_hash"] = session_auth_hash(passwords[account_pk])
        session.session_data = store.encode(data)
        session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    mapping = {}
    if "auth_user" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Checked as they happen, so that the tables can be altered in this transaction.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            mapping = _copy_staff(apps, cursor)
            _copy_rights(apps, cursor, mapping)
        _repoint(apps, schema_editor, mapping)
        with connection.cursor() as cursor:
            # The staff now live in accounts: no second copy of their password hashes.
            cursor.execute("DELETE FROM auth_user_groups")
            cursor.execute("DELETE FROM auth_user_user_permissions")
            cursor.execute("DELETE FROM auth_user")
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    _rewrite_sessions(apps, mapping)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_account_is_the_user_model"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("helpdesk", "0001_initial"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
