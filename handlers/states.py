"""Dialog states, in aiogram's StatesGroup form so both platforms share one FSM storage."""

from aiogram.fsm.state import State, StatesGroup


class Onboarding(StatesGroup):
    """First contact: language, then timezone, then the terms."""

    language = State()
    timezone = State()
    terms = State()


class Preferences(StatesGroup):
    """Changing a setting after onboarding."""

    timezone = State()


class ImportDialog(StatesGroup):
    """From an uploaded file to a running import."""

    mapping = State()  # reviewing the proposed column mapping
    list_name = State()  # typing the name of a new list


class ContactDialog(StatesGroup):
    """/contact: correcting one contact from its card."""

    name = State()
    phone = State()
    tags = State()


class KeywordDialog(StatesGroup):
    """/keywords: adding a word of the member's own."""

    word = State()


class ListDialog(StatesGroup):
    """Changing a list."""

    rename = State()
    tags = State()


class CampaignDialog(StatesGroup):
    """/new: from a name to a launched campaign."""

    name = State()
    lists = State()  # tapping the lists of the audience
    tag = State()  # typing a tag, or everyone
    text = State()  # typing the message
    image = State()  # sending a picture, or none
    channels = State()  # tapping channels in order of preference
    wa_template = State()
    wa_language = State()
    wa_params = State()
    schedule = State()  # now or later
    when = State()  # typing the date and time
    quiet = State()
    summary = State()  # confirm, send a test, or cancel


class AppealDialog(StatesGroup):
    """/appeal without a message: the suspended member types it next."""

    text = State()


class AdminDialog(StatesGroup):
    """The operator's tools that wait for typed text."""

    search = State()  # part of a name, a member id or a chat account id
    why = State()  # the reason for an audited action (a preset button or typed)
    answer = State()  # the answer to an appeal


class NoticeDialog(StatesGroup):
    """/admin: an announcement to the members."""

    text = State()  # typing the notice
    confirm = State()  # the preview: send or cancel


class DoNotContactDialog(StatesGroup):
    """/admin: editing the operator's do-not-contact list."""

    add = State()  # typing addresses to add
    remove = State()  # typing the address to remove


class OperatorDialog(StatesGroup):
    """/admin: what the operator types."""

    reject_reason = State()  # why a held campaign is rejected, for its member
    rule_value = State()  # a new screening rule's value
