"""DeSO pages inside a stadsdel show its police classification and interventions (issue 15 item 7:
DeSO pages inside Norrby said "not on the police list, no interventions")."""

from __future__ import annotations


def test_deso_in_norrby_shows_police_list_and_interventions(app) -> None:  # type: ignore[no-untyped-def]
    # 1490C1300 lies in RegSO 1490R025 Norrby (SCB key DeSO 2018 -> RegSO 2020)
    html = app.handle("/area/deso/1490C1300", "").body.decode()
    assert "Området finns inte på polisens listor" not in html
    assert "Inga insatser är registrerade" not in html
    assert "Socialrådgivare vid mötesplatserna" in html
    assert "visar därför stadsdelens polisklassning och insatser" in html
    regso = app.handle("/area/regso/1490R025", "").body.decode()
    assert "Socialrådgivare vid mötesplatserna" in regso
