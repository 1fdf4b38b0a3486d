"""Uploaded files: checked for size and type, then received."""

from __future__ import annotations

from bot.conversation import Context, Router
from bot.services.uploads import MAX_UPLOAD_BYTES, UploadProblem, inspect, precheck, safe_name
from handlers.imports import offer_import

router = Router("files")


@router.file()
async def receive_file(ctx: Context) -> None:
    """Refuse what cannot be a distribution list, with the reason; acknowledge the rest."""
    file = ctx.event.file
    if file is None:  # pragma: no cover - the adapter always sets it for FILE events
        return
    name = safe_name(file.name)
    problem = precheck(file)
    content = b""
    if problem is None:
        content = await ctx.reply.download(file)
        problem = inspect(name, content)
    if problem is not None:
        await ctx.reply.send(_problem_text(ctx, problem, name))
        return
    await offer_import(ctx, name, content)


def _problem_text(ctx: Context, problem: UploadProblem, name: str) -> str:
    _ = ctx.t.gettext
    return {
        UploadProblem.TOO_LARGE: _("{name} is too large: files can be up to {limit}.").format(
            name=name, limit=ctx.t.file_size(MAX_UPLOAD_BYTES)
        ),
        UploadProblem.UNSUPPORTED_TYPE: _(
            "I can't read {name}. Send a CSV, Excel (.xlsx) or vCard (.vcf) file."
        ).format(name=name),
        UploadProblem.EMPTY: _("{name} is empty.").format(name=name),
        UploadProblem.NOT_READABLE: _(
            "{name} does not look like a CSV, Excel or vCard file. "
            "Check the file and send it again."
        ).format(name=name),
    }[problem]
