"""E-mail intake against a real IMAP server (dovecot on loopback): normal, huge, malformed, duplicate, looping and
spam-like messages, and executors' and citizens' replies matched by the number in the subject."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.models import Appeal, Attachment, Channel, IssueStatus, MailboxState, MailMessage, Role
from tests.conftest import Clock
from tests.factories import executor, issues_of, make_registered
from tests.workers.conftest import SmtpSink, run_jobs, worker_settings
from tests.workers.imap_server import ImapServer
from workers.context import JobContext
from workers.mailparse import parse_message
from workers.queues import DEFAULT, queue

LIFT_TEXT = (
    "Добрий день! У нашому будинку третій день не працює ліфт, у під'їзді живуть літні люди.\n\n"
    "ПІБ: Коваленко Ірина Петрівна\nАдреса: вул. Київська, 10, кв. 5\n"
)


def _mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "zvernennia@brovary.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def _normal() -> bytes:
    message = _mail('"Коваленко Ірина Петрівна" <iryna@example.net>', "Не працює ліфт у під'їзді", LIFT_TEXT, "<normal-1@example.net>")
    message.add_attachment(b"\xff\xd8\xff\xe0fake-jpeg" * 100, maintype="image", subtype="jpeg", filename="ліфт.jpg")
    return bytes(message)


def _huge() -> bytes:
    message = _mail("big@example.net", "Фото та відео з місця", "Див. вкладення", "<huge-1@example.net>")
    message.add_attachment(os.urandom(15 * 1024 * 1024), maintype="video", subtype="mp4", filename="video.mp4")
    return bytes(message)


MALFORMED_NO_SENDER = (
    b"Subject: =?utf-8?B?broken\r\nMessage-ID: <broken-1@example.net>\r\n"
    b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset="x-unknown"\r\n\r\n\xff\xfe garbage\r\n'
)
MALFORMED_USABLE = (
    b"From: Petro <petro@example.net>\r\nSubject: Yama na dorozi\r\nMessage-ID: <broken-2@example.net>\r\n"
    b'Content-Type: multipart/mixed; boundary="QQ"\r\n\r\n--QQ\r\nContent-Type: text/plain; charset="x-unknown"\r\n\r\n'
    b"\xd0\xaf\xd0\xbc\xd0\xb0 \xff on the road near school\r\n"
)


def _poll(job_ctx: JobContext) -> None:
    queue(DEFAULT, job_ctx.redis).enqueue("workers.mail_jobs.poll_mailbox")
    run_jobs(job_ctx)


def _configure(job_ctx: JobContext, smtp: SmtpSink, imap: ImapServer) -> None:
    job_ctx.settings = worker_settings(
        smtp.port,
        imap_host="127.0.0.1",
        imap_port=imap.port,
        imap_security="none",
        imap_username=imap.user,
        imap_password=imap.password,
        mail_max_bytes=5 * 1024 * 1024,
    )


def _outcomes(session: Session) -> dict[str, str]:
    return {m.message_id: m.outcome.value for m in session.exec(select(MailMessage).order_by(col(MailMessage.id))).all()}


def test_a_mailbox_of_every_kind_of_message(session: Session, job_ctx: JobContext, smtp_sink: SmtpSink, imap_server: ImapServer) -> None:
    _configure(job_ctx, smtp_sink, imap_server)
    for raw in (
        _normal(),
        _huge(),
        MALFORMED_NO_SENDER,
        MALFORMED_USABLE,
        _normal(),  # the same message again (a client re-sent it)
        bytes(
            _mail(
                "postmaster@example.net",
                "Автовідповідь: Re: Звернення",
                "Я у відпустці",
                "<auto-1@example.net>",
                Auto_Submitted="auto-replied",
            )
        ),
        bytes(_mail("win@example.biz", "Ви виграли!", "Казино, лотерея, крипто", "<spam-1@example.biz>", X_Spam_Flag="YES")),
    ):
        imap_server.append(raw)
    _poll(job_ctx)
    assert _outcomes(session) == {
        "<normal-1@example.net>": "appeal",
        "<huge-1@example.net>": "too_large",
        "<broken-1@example.net>": "malformed",
        "<broken-2@example.net>": "appeal",
        "<auto-1@example.net>": "auto_reply",
        "<spam-1@example.biz>": "spam",
    }
    appeal = session.exec(select(Appeal).where(Appeal.source_ref == "<normal-1@example.net>")).one()
    assert (appeal.channel, appeal.status.value, appeal.applicant_name) == (Channel.email, "registered", "Коваленко Ірина Петрівна")
    assert appeal.applicant_address == "вул. Київська, 10, кв. 5"
    [issue] = issues_of(session, appeal.id or 0)
    assert issue.status is IssueStatus.assigned  # routed to the lift service
    assert issue.executor_id == executor(session, "lift").id
    assert "третій день не працює ліфт" in issue.description
    [photo] = session.exec(select(Attachment).where(Attachment.appeal_id == appeal.id)).all()
    assert (photo.filename, photo.content_type, photo.size) == ("ліфт.jpg", "image/jpeg", 1300)
    assert (job_ctx.data_dir / photo.relpath).read_bytes().startswith(b"\xff\xd8")
    [ack] = smtp_sink.to("iryna@example.net")
    assert ack["Subject"] == f"Звернення зареєстровано: № {appeal.number}"
    assert (ack["In-Reply-To"], ack["Auto-Submitted"]) == ("<normal-1@example.net>", "auto-replied")
    assert smtp_sink.to("postmaster@example.net") == []
    assert smtp_sink.to("win@example.biz") == []
    [too_big] = smtp_sink.to("big@example.net")
    assert "завеликий" in too_big.get_content()
    assert any("Завеликий лист" in m["Subject"] for m in smtp_sink.to("dispatch@brovary.example"))
    flags = imap_server.flags()
    assert "\\Flagged" in flags[2]  # the huge one stays for a person
    assert "\\Seen" not in flags[2]
    assert all("\\Seen" in flags[uid] for uid in (1, 3, 4, 5, 6, 7))
    state = session.get(MailboxState, "INBOX")
    assert state is not None
    assert state.last_uid == 7
    imap_server.append(
        bytes(
            _mail("iryna@example.net", "Ще одне: не світить ліхтар", "Не працює вуличне освітлення біля будинку", "<normal-2@example.net>")
        )
    )
    _poll(job_ctx)
    session.expire_all()
    assert len(session.exec(select(Appeal).where(Appeal.channel == Channel.email)).all()) == 3
    assert len(session.exec(select(MailMessage)).all()) == 7


def test_executor_and_citizen_replies_are_matched_by_the_number(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink, imap_server: ImapServer
) -> None:
    _configure(job_ctx, smtp_sink, imap_server)
    appeal = make_registered(session, Actor(None, Role.operator), now=clock.now, reply_email="petro@example.net")
    run_jobs(job_ctx)
    [assignment_mail] = smtp_sink.to("btve@example.org")
    reply = _mail(
        "btve@example.org",
        f"Re: {assignment_mail['Subject']}",
        "ВИКОНАНО: замінено засувку на вводі\n\nOn Tue, 24 Nov 2026 Контакт-центр wrote:\n> Нове доручення",
        "<reply-1@btve.example>",
        In_Reply_To=str(assignment_mail["Message-ID"]),
    )
    wrong = _mail("btve@example.org", f"Re: [{appeal.number}/1]", "ЗРОБИМО ЗАВТРА", "<reply-2@btve.example>")
    citizen = _mail("petro@example.net", f"Re: Звернення № {appeal.number}", "Дякую, чекаю", "<reply-3@example.net>")
    for message in (reply, wrong, citizen):
        imap_server.append(bytes(message))
    _poll(job_ctx)
    [issue] = issues_of(session, appeal.id or 0)
    session.refresh(issue)
    assert issue.status in (IssueStatus.reported_done, IssueStatus.on_verification)
    assert issue.resolution_text == "замінено засувку на вводі"
    outcomes = _outcomes(session)
    assert outcomes == {
        "<reply-1@btve.example>": "executor_reply",
        "<reply-2@btve.example>": "executor_reply",
        "<reply-3@example.net>": "citizen_reply",
    }
    assert len(session.exec(select(Appeal)).all()) == 1  # replies are not new appeals
    assert any("Лист від заявника" in m["Subject"] for m in smtp_sink.to("dispatch@brovary.example"))


def test_an_imap_outage_fails_the_poll_visibly_and_loses_nothing(
    session: Session, job_ctx: JobContext, smtp_sink: SmtpSink, imap_server: ImapServer
) -> None:
    _configure(job_ctx, smtp_sink, imap_server)
    imap_server.append(_normal())
    imap_server.stop()
    job = queue(DEFAULT, job_ctx.redis).enqueue("workers.mail_jobs.poll_mailbox")
    run_jobs(job_ctx)
    assert job.get_status(refresh=True) == "failed"
    assert "MailboxError" in str(job.latest_result().exc_string)  # type: ignore[union-attr]
    imap_server.start()
    _poll(job_ctx)
    assert _outcomes(session) == {"<normal-1@example.net>": "appeal"}


def test_broken_text_keeps_what_can_be_read(tmp_path: Path) -> None:
    mail = parse_message(MALFORMED_USABLE, data_dir=tmp_path)
    assert mail.text.startswith("Яма \ufffd on the road")
    assert mail.sender == "petro@example.net"
    cp1251 = b"Content-Type: text/plain; charset=x-bogus\r\nFrom: a@b.ua\r\n\r\n" + "Яма біля школи".encode("cp1251")
    assert parse_message(cp1251, data_dir=tmp_path).text == "Яма біля школи"
