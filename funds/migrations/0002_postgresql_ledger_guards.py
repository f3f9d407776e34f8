"""On PostgreSQL the database itself guards the ledger, whatever code writes to it:

- every journal entry balances (a DEFERRABLE constraint trigger, checked at commit);
- nothing is posted into a closed month;
- entries and lines are append-only (no UPDATE, no DELETE).
SQLite keeps the service checks only.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION funds_entry_balances() RETURNS trigger AS $$
DECLARE diff numeric; n integer;
BEGIN
  SELECT COALESCE(SUM(debit - credit), 0), COUNT(*) INTO diff, n
    FROM funds_journalline WHERE entry_id = NEW.entry_id;
  IF diff <> 0 OR n < 2 THEN
    RAISE EXCEPTION 'journal entry % does not balance (difference %, % lines)',
      NEW.entry_id, diff, n USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funds_entry_balances
  AFTER INSERT ON funds_journalline DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION funds_entry_balances();

CREATE FUNCTION funds_line_open_month() RETURNS trigger AS $$
DECLARE closed date;
BEGIN
  SELECT closed_through INTO closed FROM funds_book WHERE id = NEW.book_id;
  IF closed IS NOT NULL AND NEW.date <= closed THEN
    RAISE EXCEPTION 'books % are closed through %', NEW.book_id, closed
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER funds_line_open_month BEFORE INSERT ON funds_journalline
  FOR EACH ROW EXECUTE FUNCTION funds_line_open_month();

CREATE FUNCTION funds_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only: post a reversing entry instead'
    USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER funds_line_append_only BEFORE UPDATE OR DELETE ON funds_journalline
  FOR EACH ROW EXECUTE FUNCTION funds_append_only();
CREATE TRIGGER funds_entry_append_only BEFORE UPDATE OR DELETE ON funds_journalentry
  FOR EACH ROW EXECUTE FUNCTION funds_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funds_entry_append_only ON funds_journalentry;
DROP TRIGGER IF EXISTS funds_line_append_only ON funds_journalline;
DROP FUNCTION IF EXISTS funds_append_only();
DROP TRIGGER IF EXISTS funds_line_open_month ON funds_journalline;
DROP FUNCTION IF EXISTS funds_line_open_month();
DROP TRIGGER IF EXISTS funds_entry_balances ON funds_journalline;
DROP FUNCTION IF EXISTS funds_entry_balances();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
