"""Sending one e-mail over SMTP (plain, STARTTLS or TLS from the start), with a Message-ID derived from the
notification's idempotency key: a copy sent again after a crash carries the same id, which mail systems and
clients use to drop duplicates."""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from engine.config import SmtpSettings


class SendFailed(Exception):
    """The SMTP server refused the message or could not be reached. `permanent`: do not retry."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def message_id(key: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "carepath.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build(settings: SmtpSettings, *, key: str, recipient: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(key, settings.sender)
    msg["X-Carepath-Notification"] = key
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


class SmtpMailer:
    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.ssl_context = ssl_context

    def send(self, msg: EmailMessage) -> None:
        s = self.settings
        context = self.ssl_context or ssl.create_default_context()
        try:
            if s.tls == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with client:
                if s.tls == "starttls":
                    client.starttls(context=context)
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"the SMTP server refused the recipient(s): {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will not take it, whatever we do; 4xx: try again later
            raise SendFailed(f"SMTP error {exc.smtp_code}: {exc.smtp_error!r}",
                             permanent=500 <= exc.smtp_code < 600) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"cannot send through {s.host}:{s.port}: {exc}") from exc
