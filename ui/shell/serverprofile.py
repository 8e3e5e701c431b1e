"""A new team-server connection profile: where to connect and how (host, port, database,
user, TLS mode and certificate files). There is no password field: the password is typed
at each sign-in and never stored."""

from __future__ import annotations

from casework.core.errors import ValidationError
from casework.server import profiles
from ui.common.forms import FormDialog
from ui.common.qt import QComboBox, QLineEdit, QSpinBox, QWidget

TLS_CHOICES = (
    ("require", "require (encrypted)"),
    ("verify-full", "verify-full (encrypted, server certificate and name checked)"),
    ("verify-ca", "verify-ca (encrypted, server certificate checked)"),
    ("disable", "disable (only for a server on this computer)"),
)


class NewProfileDialog(FormDialog):
    """Make a profile and save it (``casework.server.profiles``); ``saved_name`` is its
    name once saved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "New server profile", intro=(
            "Where the team server is and how to reach it. Your password is not kept: "
            "you type it each time you sign in."))
        self.saved_name = ""
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. partnership")
        self.add("name", "&Name", self.name)
        self.host = QLineEdit()
        self.host.setPlaceholderText("e.g. casework.council.example")
        self.add("host", "&Host", self.host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.add("port", "P&ort", self.port)
        self.database = QLineEdit()
        self.add("database", "&Database", self.database)
        self.user = QLineEdit()
        self.add("user", "&User name", self.user, "Your own user name on the server "
                 "(optional: it can be typed at sign-in).")
        self.sslmode = QComboBox()
        for code, label in TLS_CHOICES:
            self.sslmode.addItem(label, code)
        self.add("sslmode", "&TLS", self.sslmode)
        self.sslrootcert = QLineEdit()
        self.sslrootcert.setPlaceholderText("Optional: file of the CA that signed the server")
        self.add("sslrootcert", "&CA certificate", self.sslrootcert)
        self.sslcert = QLineEdit()
        self.sslcert.setPlaceholderText("Optional: your client certificate file")
        self.add("sslcert", "Client c&ertificate", self.sslcert)
        self.sslkey = QLineEdit()
        self.sslkey.setPlaceholderText("Optional: the key file of your client certificate")
        self.add("sslkey", "Client &key", self.sslkey)
        self.name.setFocus()

    def profile(self) -> profiles.Profile:
        return profiles.Profile(
            name=self.name.text().strip(), host=self.host.text().strip(),
            database=self.database.text().strip(), user=self.user.text().strip(),
            port=self.port.value(), sslmode=str(self.sslmode.currentData()),
            sslrootcert=self.sslrootcert.text().strip(),
            sslcert=self.sslcert.text().strip(), sslkey=self.sslkey.text().strip())

    def on_submit(self) -> None:
        p = self.profile()
        for field, value, msg in (("name", p.name, "Give the profile a name."),
                                  ("host", p.host, "Enter the server's host name."),
                                  ("database", p.database, "Enter the database name.")):
            if not value:
                self.form.show_error(ValidationError(msg, field))
                return
        if p.name in profiles.load():
            self.form.show_error(ValidationError("A profile of that name exists already: "
                                                 "choose another name.", "name"))
            return
        try:
            profiles.validate(p)
        except ValidationError as exc:
            self.form.show_error(exc)
            return
        self.submit(lambda: profiles.save(p), lambda _path: self._saved(p.name))

    def _saved(self, name: str) -> None:
        self.saved_name = name
