"""Write resources/import_template.xlsx: a sheet per import layout (docs/IMPORT.md) with
its header row and one synthetic example row, and a "read me" sheet.

    .venv/bin/python scripts/make_import_template.py

The workbook is committed; tests/casework/imports check it matches the layouts.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from casework.imports.files import SHEETS, columns

EXAMPLES: dict[str, dict[str, str]] = {
    "asb": {"reference_external": "ASB-OLD-0001", "opened_on": "2026-01-05",
            "category": "personal", "subcategory": "noise", "risk_level": "medium",
            "status": "open", "address": "1 Example Street", "postcode": "ZZ1 1ZZ",
            "complainant_given_name": "Alex", "complainant_family_name": "Example",
            "complainant_dob": "1980-02-03"},
    "asb_incidents": {"reference_external": "ASB-OLD-0001", "occurred_on": "2026-01-02",
                      "reported_on": "2026-01-05", "location": "Stairwell",
                      "source": "council", "hate_motivated": "no"},
    "trigger": {"reference_external": "CT-OLD-0001", "received_on": "2026-02-01",
                "on_behalf": "no", "applicant_given_name": "Sam",
                "applicant_family_name": "Sample", "applicant_dob": "1975-06-07"},
    "trigger_complaints": {"reference_external": "CT-OLD-0001",
                           "behaviour_on": "2026-01-10", "complained_on": "2026-01-11",
                           "agency": "council", "incident_key": "A"},
    "swip": {"reference_external": "SWIP-OLD-0001", "referred_on": "2026-03-01",
             "referrer_name": "Outreach worker", "referrer_agency": "outreach",
             "consent": "given", "needs": "housing|health", "risk_level": "high",
             "agencies_engaged": "police|outreach", "person_given_name": "Jo",
             "person_family_name": "Example"},
    "mart": {"reference_external": "MART-OLD-0001", "referred_on": "2026-03-02",
             "referrer_agency": "police", "consent": "given",
             "exploitation_type": "labour", "is_child": "no", "nationality": "",
             "person_given_name": "Chris", "person_family_name": "Sample"},
    "sanctuary": {"reference_external": "SAN-OLD-0001", "referred_on": "2026-04-01",
                  "referral_source": "idva", "victim_of": "domestic_abuse",
                  "victim_chose": "yes", "perpetrator_not_resident": "yes",
                  "right_to_occupy": "yes", "landlord_consent": "yes",
                  "risk_assessment_done": "yes", "victim_given_name": "Pat",
                  "victim_family_name": "Example", "victim_address": "2 Example Road",
                  "victim_postcode": "ZZ2 2ZZ"},
}
FIXED = datetime(2026, 1, 1)


def build() -> bytes:
    book = Workbook()
    about = book.active
    about.title = "read me"
    about.append(["A sheet per layout of docs/IMPORT.md. The first row of each sheet is "
                  "its header; the second an example to replace. Delete the sheets you do "
                  "not use. Dates: YYYY-MM-DD or DD/MM/YYYY (or Excel dates). Lists in "
                  "one cell: codes separated by |."])
    for name in SHEETS:
        sheet = book.create_sheet(name)
        header = list(columns(name))
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.append([EXAMPLES[name].get(c, "") for c in header])
        for i, col in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, len(col) + 2)
        sheet.freeze_panes = "A2"
    book.properties.created = book.properties.modified = FIXED
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated FIXED."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            text = src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dest.writestr(fixed, text)
    return out.getvalue()


def main() -> int:
    target = Path(__file__).resolve().parent.parent / "resources" / "import_template.xlsx"
    target.write_bytes(build())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
