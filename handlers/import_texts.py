"""Translated texts of the import dialog."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.imports.limits import MAX_COLUMNS
from bot.services.imports.mapping import Field, attribute_keys
from bot.services.imports.readers import ImportProblem
from bot.services.lists.rows import RowProblem
from bot.services.uploads import MAX_UPLOAD_BYTES
from handlers.texts import N_
from models import ImportJob, ImportStatus

_FIELD_LABELS = {
    Field.PHONE: N_("Phone"),
    Field.FIRST_NAME: N_("First name"),
    Field.LAST_NAME: N_("Last name"),
    Field.FULL_NAME: N_("Full name"),
    Field.TELEGRAM_ID: N_("Telegram id"),
    Field.LINE_ID: N_("LINE id"),
    Field.WHATSAPP: N_("WhatsApp number"),
    Field.LANGUAGE: N_("Language"),
    Field.TIMEZONE: N_("Timezone"),
    Field.TAGS: N_("Tags"),
    Field.EMAIL: N_("E-mail"),
    Field.ATTRIBUTE: N_("Attribute for placeholders"),
    Field.IGNORE: N_("Ignore"),
}

_ROW_PROBLEMS = {
    RowProblem.NO_ADDRESS: N_("no phone number, Telegram id or LINE id"),
    RowProblem.INVALID_PHONE: N_("invalid phone number"),
    RowProblem.INVALID_TELEGRAM_ID: N_("invalid Telegram id"),
    RowProblem.INVALID_LINE_ID: N_("invalid LINE id"),
    RowProblem.INVALID_WHATSAPP: N_("invalid WhatsApp number"),
}

_FILE_PROBLEMS = {
    ImportProblem.EMPTY: N_("{name} has no rows."),
    ImportProblem.NO_ROWS: N_("{name} has no rows."),
    ImportProblem.BINARY: N_("{name} is not a text, Excel or vCard file."),
    ImportProblem.ENCODING: N_(
        "I can't work out the text encoding of {name}. Save it as UTF-8 CSV."
    ),
    ImportProblem.TOO_LARGE: N_("{name} is too large: files can be up to {limit}."),
    ImportProblem.TOO_MANY_COLUMNS: N_("{name} has too many columns (at most {columns})."),
    ImportProblem.CELL_TOO_LONG: N_("{name} has a cell that is far too long to be a contact."),
    ImportProblem.CORRUPT: N_("{name} is damaged. Export it again and resend it."),
    ImportProblem.LINE_TOO_LONG: N_("{name} has a line that is far too long to be a contact."),
    ImportProblem.TRUNCATED: N_("{name} looks cut off or damaged. Export it again and resend it."),
    ImportProblem.ZIP_BOMB: N_("{name} unpacks to far more data than a contact list holds."),
    ImportProblem.UNSUPPORTED: N_(
        "I can't read {name}. Send a CSV, Excel (.xlsx) or vCard (.vcf) file."
    ),
}


def field_label(t: Translator, field: Field) -> str:
    """A field's name in the member's language."""
    return t.gettext(_FIELD_LABELS[field])


def row_problem_text(t: Translator, problem: RowProblem) -> str:
    """Why a row was rejected, in the member's language."""
    return t.gettext(_ROW_PROBLEMS[problem])


def unreadable_text(t: Translator, name: str, problem: ImportProblem) -> str:
    """Why a whole file was refused; nothing of it was imported."""
    text = t.gettext(_FILE_PROBLEMS.get(problem, _FILE_PROBLEMS[ImportProblem.UNSUPPORTED]))
    refusal = text.format(name=name, columns=MAX_COLUMNS, limit=t.file_size(MAX_UPLOAD_BYTES))
    return refusal + " " + t.gettext("Nothing was imported.")


def mapping_card(
    t: Translator,
    name: str,
    file_format: str,
    columns: list[str],
    preview: list[list[str]],
    mapping: dict[int, Field],
) -> str:
    """The file's shape, its first rows and the proposed mapping."""
    _ = t.gettext
    lines = [
        _("{name}: {count} columns.").format(name=name, count=len(columns)),
        "",
        _("First rows:"),
        *(" | ".join(row) for row in preview),
        "",
        _("What each column holds:"),
    ]
    keys = attribute_keys(columns, mapping)
    for index, column in enumerate(columns):
        field = mapping.get(index, Field.IGNORE)
        label = field_label(t, field)
        if field is Field.ATTRIBUTE:
            label += " {" + keys[index] + "}"
        lines.append(f"• {column} → {label}")
    lines += ["", _("Tap a column to change it, then choose where to import.")]
    return "\n".join(lines)


def progress_text(t: Translator, list_name: str, job: ImportJob | None) -> str:
    """The progress message: a bar once the total is known."""
    _ = t.gettext
    head = _('Importing into "{list}"…').format(list=list_name)
    if job is None or not job.rows_total:
        return head
    share = min(job.rows_read / job.rows_total, 1.0)
    filled = round(share * 10)
    bar = "▓" * filled + "░" * (10 - filled)
    counts = _("{read} of {total} rows").format(
        read=t.number(job.rows_read), total=t.number(job.rows_total)
    )
    return f"{head}\n{bar} {t.number(round(share * 100))}%\n{counts}"


def import_report(t: Translator, list_name: str, job: ImportJob) -> str:
    """The report at the end of an import."""
    _ = t.gettext
    if job.status is ImportStatus.FAILED:
        if job.problem in {problem.value for problem in ImportProblem}:
            return unreadable_text(t, job.file_name, ImportProblem(job.problem))
        return _(
            'The import into "{list}" stopped on an error on our side after {read} rows. '
            "The rows before it were imported; send the file again to finish."
        ).format(list=list_name, read=t.number(job.rows_read))
    return "\n".join(
        [
            _('Import into "{list}" finished.').format(list=list_name),
            _("Rows read: {count}").format(count=t.number(job.rows_read)),
            _("Contacts created: {count}").format(count=t.number(job.created)),
            _("Duplicates merged: {count}").format(count=t.number(job.merged)),
            _("Skipped, opted out: {count}").format(count=t.number(job.suppressed)),
            _("Invalid rows: {count}").format(count=t.number(job.invalid)),
        ]
    )
