"""Help for each screen (F1) and the keys every screen shares (the shortcut sheet)."""

from __future__ import annotations

COMMON_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "Open the case or person chosen in a list; press a dialog's main button"),
    ("Esc", "Close a dialog (it asks first if you typed something)"),
    ("Alt + underlined letter", "Go to that field, button or tab"),
    ("Tab / Shift+Tab", "Next / previous field"),
    ("Ctrl+C", "Copy the chosen rows of a table (tab-separated, for a spreadsheet)"),
    ("Ctrl+Home / Ctrl+End", "First / last row of a list"),
    ("Down (in Search)", "Move into the search results"),
    ("F10 or Alt", "Go to the menu bar"),
)

_PAGES: dict[str, tuple[str, str]] = {
    "mywork": ("My work", """
<p>Your tasks from every statutory or policy time limit: <b>Overdue</b> first, then those
<b>due this week</b>. Choose <i>My team's tasks</i> to see the whole team's.</p>
<p>Press <b>Enter</b> or double-click a task to open its case. <b>Mark done</b>,
<b>Snooze</b> (hide it until a later day, with a reason) and <b>Reassign</b> (to another
officer of the case's team, with a reason) act on the task chosen.</p>
<p>Right-click a list, or press <b>Ctrl+Shift+E</b>, to export it to Excel or CSV.</p>"""),
    "cases": ("Cases", """
<p>The first tab lists every case you may see. Narrow it with the filters; <b>Clear
filters</b> goes back to open cases of every type. Click a column heading to sort (the whole
list is sorted, not just the rows shown).</p>
<p>Press <b>Enter</b> or double-click to open a case in a tab of its own;
<b>Ctrl+W</b> closes it. <b>Ctrl+N</b> starts a new case. <b>F5</b> loads the list again.</p>
<p>A case's header names the people involved, the officer, the team, the stage and the
next deadline. Its buttons are the actions the case allows now; a greyed button says why
in its tooltip. <b>Linked cases</b> lists the cases that share a person or an address.</p>
<p><b>File &gt; Export list</b> (Ctrl+Shift+E) writes every case matching the filters to an
Excel workbook or a CSV file, through the information-sharing protocol: the file is
marked, the export is recorded, and columns your role may not take out are left out.</p>"""),
    "trigger": ("Community Trigger case", """
<p>An application for an ASB case review. <b>Complaints</b> lists the complaints it rests
on: when the behaviour happened, when and to which agency it was reported, and where. A
complaint made after the application was received is refused.</p>
<p><b>Same incident?</b> suggests complaints that may report one incident: made to
different agencies about the same or the next day, where the place or the description
agree. The <i>Why</i> column says what agrees. Choose a group and press <b>Confirm same
incident</b> (Alt+I) if they report one incident: they then count once towards the
threshold. Press <b>Not the same incident</b> (Alt+E) if they do not: each keeps counting,
and they are not suggested together again. Both are recorded in the case's history.
Decide every suggestion before the threshold decision: once it is recorded, suggestions
can no longer be confirmed or rejected, and the tab says so.</p>
<p><b>Acknowledge</b> (Alt+K) sends the applicant the acknowledgement letter with the date
the threshold decision is due (<b>Preview letter</b> shows it first) and completes the
acknowledgement task.</p>
<p><b>Threshold decision</b> shows the proposal worked out from the complaints, and how
many suggestions are still undecided; record whether the threshold is met, with your
reasons (not met closes the application). The decision letter is kept among the case's
documents. Once the decision is recorded no complaint can be added: the decision was made
on the complaints recorded by then, and a later complaint belongs to a new application.
When it is met, <b>Review meeting</b> (Alt+G) and <b>Add recommendation</b> record the
review and what each body is asked to do. <b>Review outcome letter</b> (Alt+W) sends the
applicant the findings, the recommendations and the appeal route: press <b>Preview
letter</b> to see it as it will be issued, then <b>Issue letter</b>; it is kept among the
case's documents. <b>Applicant's reply</b> (Alt+Y) records what the applicant said about
the outcome letter. When a body reports a recommendation done, choose it in the
Recommendations tab and press <b>Recommendation done by body</b> (Alt+B): it and its task
are completed that day. Both stay at hand after the case is closed. <b>Review pack</b>
writes the anonymised pack for one person of a body taking part in the review, through
the sharing protocol. When the applicant
asks for the decision to be reviewed, <b>Record appeal</b> (Alt+R) records it, also on an
application closed because the threshold was not met; <b>Appeal decision</b> (Alt+S)
records the outcome with its reasons and issues the appeal outcome letter, which can be
previewed the same way. A button that cannot be used yet says why in its tooltip.</p>
<p><b>Ctrl+W</b> closes the case's tab; the first tab lists every case.</p>"""),
    "people": ("People", """
<p>Find a person by name, date of birth or postcode; their record shows every case they
are part of. Possible duplicates can be merged by a case manager.</p>"""),
    "panels": ("Panels and meetings", """
<p>Each panel's meetings with their date, time and place (one meeting a day per panel),
their agendas and the open actions of open referrals carried from earlier meetings.
Choose a meeting to chair it: Build agenda adds the referrals new or due for review;
move, add or remove items (with a reason). Pick attendance from the panel's members and
add guests. The agenda is on the left and the chosen referral's minute on the right:
record progress, the decision and an action, and save to move to the next referral. Print
the pack before the meeting and the minutes after it: one stamped, anonymised copy per
attendee. Ugly-mug reports are listed and added in their tab.</p>"""),
    "reports": ("Reports", """
<p>Choose a period (a quarter, a year, a financial year or your own dates) to see the
partnership's figures. The KPI report compares each figure with the period before and the
same period a year earlier, with an eight-quarter trend, as a PDF, CSV or XLSX file (the
file's ending picks the format); small numbers are suppressed. A panel chair sees their own
panels' referrals, meetings and actions. Exports go through the information-sharing
protocol: what leaves the application is recorded.</p>"""),
    "governance": ("Information governance", """
<p><b>Subject access</b>: find the person by name or date of birth (the search is
audited), say when the request came in, and export everything held about them. The
request is your task, due one calendar month after receipt (moved to the next working
day); the export completes it. It writes a copy for disclosure with other people's
details blacked out and a review copy showing them highlighted: check the review copy,
send the redacted one, then <b>Record disclosure</b>.</p>
<p><b>Disclosure log</b>: what was disclosed, to whom, how and when. <b>Retention</b>:
closed cases past their retention period. <b>Who saw what</b>: every access and change of
a person's or a case's record.</p>"""),
    "admin": ("Administration", """
<p>Users and their roles, teams and panels; the settings with what each one does (the
disclosure-control settings stop at the sharing protocol's floors, and Save stores every
change or none, naming a value that does not fit); the key slots; the information-sharing
protocol; and backup, check and verify.</p>
<p><b>Letter templates</b>: the wording of every letter. Edit the text, insert the
placeholders the letter offers, and <b>Preview</b> it with sample data. <b>Save as new
version…</b> asks for the reason; new letters use the newest version, letters already
issued keep theirs, and every version stays in the history, where <b>Revert</b> saves a
copy of an older one. A text that drops what the law requires of the letter (a CPN's
requirements and appeal route, a closure notice's hearing) is refused, naming what is
missing.</p>"""),
}


def help_for(key: str) -> tuple[str, str]:
    """(title, HTML) of the help for a screen key (a general page for an unknown key)."""
    if key in _PAGES:
        title, body = _PAGES[key]
    else:
        title, body = "casework", "<p>Choose a screen on the left (Alt+1, Alt+2...).</p>"
    keys = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in COMMON_KEYS)
    return title, (f"<h2>{title}</h2>{body}<h3>Keys on every screen</h3>"
                   f"<table cellpadding='3'>{keys}</table>"
                   "<p>Help &gt; Keyboard shortcuts (Ctrl+/) lists every key.</p>")
