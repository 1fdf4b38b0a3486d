"""A campaign's picture: checked once when the member sends it, then served to the platforms.

Telegram, LINE and WhatsApp each take JPEG and PNG; the strictest limits of the three hold
for all, so a picture accepted here goes out on every channel: WhatsApp's 5 MB, Telegram's
width + height of at most 10,000 pixels and a side ratio of at most 20, and its caption
limit for the text that goes with the picture. LINE shows a
preview in the chat list that must stay under 1 MB: a small JPEG made once, at upload.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from datetime import timedelta
from enum import StrEnum

from PIL import Image as Pillow
from PIL import UnidentifiedImageError
from tortoise.expressions import Subquery

from bot.dispatch.channels import Image
from bot.services.clock import Clock
from models import Campaign, CampaignImage, Member

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # WhatsApp's limit for images, the lowest of the three
MAX_SIDES = 10_000  # Telegram: width + height
MAX_RATIO = 20  # Telegram: the longer side at most 20 times the shorter
MAX_CAPTION = 1024  # Telegram: the text under a photo is a caption, shorter than a message
# Header checks come before decoding: a tiny file can claim billions of pixels.
MAX_PIXELS = 40_000_000
PREVIEW_SIDE = 240  # LINE's preview image, a thumbnail in the chat list
PREVIEW_QUALITY = 80
# A picture sent during /new that never made it into a saved campaign goes after this.
UNUSED_TTL = timedelta(days=1)
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class ImageProblem(StrEnum):
    """Why a picture cannot be a campaign's."""

    TOO_LARGE = "too_large"  # over MAX_IMAGE_BYTES
    NOT_AN_IMAGE = "not_an_image"  # unreadable, or not JPEG or PNG
    BAD_SHAPE = "bad_shape"  # too many pixels, or too long and thin


class ImageRefusedError(ValueError):
    """The picture cannot be used; `problem` says why."""

    def __init__(self, problem: ImageProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class ImageService:
    """Keep members' campaign pictures and hand out the links the platforms fetch them by."""

    def __init__(self, *, clock: Clock, public_url: str) -> None:
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    async def accept(
        self, member: Member, content: bytes, *, telegram_file_id: str | None = None
    ) -> CampaignImage:
        """Check the picture and keep it for the member's campaign.

        `telegram_file_id` is the upload's own id when it came from the Telegram bot, which
        may send it again without uploading it. Raises ImageRefusedError.
        """
        if len(content) > MAX_IMAGE_BYTES:
            raise ImageRefusedError(ImageProblem.TOO_LARGE)
        # Decoding a picture of a few megapixels takes tens of milliseconds: off the loop.
        mime_type, preview = await asyncio.to_thread(_checked, content)
        return await CampaignImage.create(
            member_id=member.id,
            token=secrets.token_urlsafe(32),
            mime_type=mime_type,
            content=content,
            preview=preview,
            telegram_file_id=telegram_file_id,
            created_at=self._clock(),
        )

    async def owned(self, member: Member, image_id: int | None) -> CampaignImage | None:
        """The member's picture with this id; None for no id or someone else's."""
        if image_id is None:
            return None
        return await CampaignImage.get_or_none(id=image_id, member_id=member.id)

    async def fetch(self, token: str) -> CampaignImage | None:
        """The picture behind a link."""
        return await CampaignImage.get_or_none(token=token)

    async def for_sending(self, image_id: int) -> Image | None:
        """What the senders need to send a campaign's picture: its links and Telegram's file
        id (read without the picture's bytes, which the platforms fetch by link)."""
        found = (
            await CampaignImage.filter(id=image_id)
            .limit(1)
            .values_list("token", "telegram_file_id")
        )
        if not found:
            return None
        [(token, telegram_file_id)] = found
        url = f"{self._public_url}/media/{token}"
        return Image(url=url, preview_url=f"{url}/preview", telegram_file_id=telegram_file_id)

    async def purge_unused(self) -> int:
        """Delete pictures no campaign uses that were sent more than UNUSED_TTL ago (a /new
        left unfinished); returns how many went."""
        used = Subquery(Campaign.filter(image_id__not_isnull=True).values("image_id"))
        return (
            await CampaignImage.filter(created_at__lt=self._clock() - UNUSED_TTL)
            .exclude(id__in=used)
            .delete()
        )


def _checked(content: bytes) -> tuple[str, bytes]:
    """The picture's MIME type and its preview JPEG; raises ImageRefusedError."""
    try:
        with Pillow.open(io.BytesIO(content)) as picture:
            mime_type = _FORMATS.get(picture.format or "")
            if mime_type is None:
                raise ImageRefusedError(ImageProblem.NOT_AN_IMAGE)
            width, height = picture.size
            if (
                width * height > MAX_PIXELS
                or width + height > MAX_SIDES
                or max(width, height) > MAX_RATIO * min(width, height)
            ):
                raise ImageRefusedError(ImageProblem.BAD_SHAPE)
            picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
            preview = io.BytesIO()
            picture.convert("RGB").save(preview, "JPEG", quality=PREVIEW_QUALITY)
    except ImageRefusedError:
        raise
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning) as error:
        raise ImageRefusedError(ImageProblem.BAD_SHAPE) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        # Pillow's ways of saying the bytes are not a picture it can read (a truncated file
        # is an OSError, some malformed headers a SyntaxError).
        raise ImageRefusedError(ImageProblem.NOT_AN_IMAGE) from error
    return mime_type, preview.getvalue()
