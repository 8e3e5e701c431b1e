"""casework-cli letters: an administrator lists, shows and sets letter templates; a text
that drops what the law requires is refused with the reason and saves nothing."""

from __future__ import annotations

from pathlib import Path

from casework.cases import letter_templates, letters
from casework.cli.main import main


def _run(db, monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*db.cli("admin").use(monkeypatch), "letters", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_show_and_set_a_template(db, monkeypatch, capsys, tmp_path: Path) -> None:
    db.close()
    code, out, _err = _run(db, monkeypatch, capsys, "list")
    assert code == 0
    assert any(line.startswith("cpw ") and "built-in" in line
               and "Community Protection Warning" in line for line in out.splitlines())
    edited = letters.packaged_text("cpw").replace(
        "Please contact me on", "Our mediation service can help. Please contact me on")
    source = tmp_path / "cpw.txt"
    source.write_text(edited, encoding="utf-8")
    code, out, _err = _run(db, monkeypatch, capsys, "set", "cpw", "--file", str(source),
                           "--reason", "Offer mediation")
    assert (code, out.strip()) == (0, "Saved cpw version 1.")
    code, out, _err = _run(db, monkeypatch, capsys, "show", "cpw")
    assert code == 0 and "Our mediation service can help" in out
    assert "$in_force_until" in out and "Offer mediation" in out
    code, out, _err = _run(db, monkeypatch, capsys, "show", "cpw", "--version", "0")
    assert code == 0 and "Our mediation service" not in out.split("-- placeholders")[0]


def test_set_refuses_a_text_without_the_appeal_route(db, monkeypatch, capsys,
                                                     tmp_path: Path) -> None:
    db.close()
    source = tmp_path / "cpn.txt"
    source.write_text(letters.packaged_text("cpn").replace("to $magistrates_court ", ""),
                      encoding="utf-8")
    code, _out, err = _run(db, monkeypatch, capsys, "set", "cpn", "--file", str(source),
                           "--reason", "Shorter")
    assert code != 0
    assert "$magistrates_court" in err and len(err.strip().splitlines()) == 1
    assert [v.version for v in letter_templates.template_versions(db.ws("admin"), "cpn")] \
        == [0]
