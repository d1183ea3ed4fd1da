"""Sentences used by :mod:`grannskap.goals.report` (Swedish and English)."""

from __future__ import annotations

__all__ = ["report_texts"]


def report_texts(lang: str) -> dict[str, str]:
    """The sentences of :func:`grannskap.goals.report.report_data` (caveats, method notes, the
    forecast sentence), Swedish or English."""
    sv = {
        "thin_types": (
            "Prognosen för områdestyper bygger på mycket tunna data: i databasen finns SCB:s "
            "officiella typer bara för {years}, alltså {n} övergångar. Övergångsmatrisen "
            "styrs därför till stor del av förhandsantagandet (att områden oftast står kvar eller "
            "flyttar högst en typ per år) och intervallen är breda. Med SCB:s nationella historik "
            "(tabell TAB6586, 2011–) blir skattningen betydligt säkrare."
        ),
        "thin_police": (
            "Prognosen för polisens lista bygger på {n} observerade övergångar mellan listor (två år "
            "isär): alla listade områden 2023→2025 och Borås områden 2015–2023. Områden som inte "
            "står på listan kan inte följas (vi ser bara de som senare hamnade på den), så chansen "
            "att ett område kommer (tillbaka) på listan är bara ett antagande, och modellen kan inte "
            "förutse att nya områden i Borås hamnar på listan; sannolikheten att målet nås är därför "
            "snarast en övre gräns. "
            "Kategorin riskområde slogs ihop med utsatt eftersom polisen slopade den 2025. Sju "
            "områden delades 2025, så några övergångar är ungefärliga."
        ),
        "deadline_police": (
            "Polisens lista har publicerats vartannat år (udda år); målet år 2030 bedöms på den "
            "senaste listan före 2030, dvs. {y}."
        ),
        "proxy": (
            "Typerna är beräknade med proxyprofilen: SCB:s exakta variabler (förgymnasial utbildning "
            "20–64 år, långvarigt ekonomiskt bistånd/arbetslöshet 20–64 år) finns inte i de "
            "publicerade DeSO-tabellerna. Överensstämmelsen med SCB:s officiella typer redovisas; "
            "avvikelserna gäller områden nära en tröskel."
        ),
        "simulated": (
            "Backtesten på simulerade historiker (SIMULERADE DATA, inte verkliga) visar bara att "
            "metoden är kalibrerad när historiken är lång; den säger inget om Borås."
        ),
        "independence": (
            "Sannolikheten att ett mål nås räknar områdenas övergångar som oberoende givet "
            "övergångsmatrisen; gemensamma chocker (t.ex. konjunktur) gör verklig osäkerhet större."
        ),
        "no_change": 'Jämförelse: prognosen "ingen förändring" säger att målet inte nås om läget i dag består.',
        "backtest_police": (
            "Backtest på polisens listor: en modell skattad bara på listorna fram till {fit} "
            "({n} övergångar) förutsade {target} med Brier-poäng {bm} mot {bn} för prognosen "
            '"ingen förändring" (lägre är bättre). {verdict}'
        ),
        "backtest_worse": (
            "Modellen var alltså sämre än att anta att inget ändras: de få tidiga övergångarna "
            "(främst Borås egna) säger för lite om hur listan förändras nationellt."
        ),
        "backtest_better": "Modellen var alltså bättre än att anta att inget ändras.",
        "backtest_types": (
            "Backtest på SCB:s officiella typer: en modell skattad på åren fram till {fit} "
            "förutsade {targets} med Brier-poäng {bm} mot {bn} för prognosen "
            '"ingen förändring" (medel över åren; lägre är bättre). {verdict}'
        ),
        "no_backtest_types": (
            "Prognosen för områdestyper kunde inte prövas: SCB:s officiella typer finns bara för "
            "{years}, och en backtest kräver minst tre år."
        ),
        "forecast_shown": (
            "Sannolikheten för 2030 visas eftersom beräkningen träffade bättre än att anta att "
            "läget består när den prövades på tidigare år (se Metod och datakällor)."
        ),
        "no_forecast_worse": (
            "Det finns inget underlag för en prognos för 2030: när beräkningen prövades på "
            "tidigare år träffade den sämre än att bara anta att läget består. Därför visas "
            "bara läget i dag och utvecklingen hittills."
        ),
        "no_forecast_untested": (
            "Det finns inget underlag för en prognos för 2030: det finns för få år med data för "
            "att pröva om en prognos hade träffat. Därför visas bara läget i dag och "
            "utvecklingen hittills."
        ),
        "no_forecast_both": (
            "Det finns inget underlag för en prognos för 2030: när beräkningen kunde prövas på "
            "tidigare år träffade den sämre än att bara anta att läget består, och för "
            "områdestyperna finns för få år med data för att pröva den alls. Därför visas bara "
            "läget i dag och utvecklingen hittills."
        ),
        "forecast_some": (
            "En sannolikhet för 2030 visas bara för de mål där beräkningen träffade bättre än att "
            "anta att läget består när den prövades på tidigare år; för de andra målen finns "
            "inget underlag för en prognos."
        ),
        "prior_sensitivity": (
            'Känslighet för förhandsantagandet, "{goal}": {a} med standardantagandet (områden '
            "står oftast kvar eller flyttar en typ), {b} om varje typ lånar stabiliteten från alla "
            "områden och {c} med ett likformigt antagande. Skillnaden visar hur lite dagens data "
            "säger."
        ),
        "mu_fixed": (
            "Avståndet till nästa typ räknas med årets medelvärde och standardavvikelse för hela "
            "landet som fasta; i verkligheten flyttar också de andra områdena."
        ),
    }
    en = {
        "thin_types": (
            "The area-type projection rests on very thin data: the database holds SCB's official "
            "types only for {years}, i.e. {n} transitions. The transition matrix is "
            "therefore largely the prior (areas mostly stay or move at most one type a year) and the "
            "intervals are wide."
        ),
        "thin_police": (
            "The police-list projection rests on {n} observed transitions between lists (two years "
            "apart). Areas not on the list cannot be followed, so new Borås areas entering the list "
            "are not predicted: the probability of meeting the goal is rather an upper bound. "
            "Riskområde was merged into utsatt (dropped by the police in 2025)."
        ),
        "deadline_police": "Police lists appear every second year; the 2030 goal is judged on the last list before 2030, {y}.",
        "proxy": "Types computed with the proxy profile (SCB's exact variables are not published per DeSO).",
        "simulated": "The backtest on SIMULATED histories only checks the method; it says nothing about Borås.",
        "independence": "Goal probabilities treat areas as independent given the transition matrix.",
        "no_change": "Comparison: the no-change forecast says the goal is missed if today's situation persists.",
        "mu_fixed": "Distances use the year's national mean and SD as fixed.",
        "backtest_police": (
            "Backtest on the police lists: fitted on lists up to {fit} ({n} transitions), the model "
            "predicted {target} with Brier score {bm} against {bn} for no change (lower is better). {verdict}"
        ),
        "backtest_worse": "The model did worse than assuming no change.",
        "backtest_better": "The model did better than assuming no change.",
        "backtest_types": (
            "Backtest on SCB's official types: fitted on the years up to {fit}, the model "
            "predicted {targets} with Brier score {bm} against {bn} for no change (mean over "
            "the years; lower is better). {verdict}"
        ),
        "no_backtest_types": (
            "The area-type projection could not be tested: SCB's official types exist only for "
            "{years}, and a backtest needs at least three years."
        ),
        "forecast_shown": (
            "The probability for 2030 is shown because the calculation did better than assuming "
            "that things stay as they are when it was tested on earlier years (see Methods)."
        ),
        "no_forecast_worse": (
            "There is no basis for a forecast for 2030: tested on earlier years, the calculation "
            "did worse than simply assuming that things stay as they are. Only today's situation "
            "and the trend so far are shown."
        ),
        "no_forecast_untested": (
            "There is no basis for a forecast for 2030: there are too few years of data to test "
            "whether a forecast would have been right. Only today's situation and the trend so "
            "far are shown."
        ),
        "no_forecast_both": (
            "There is no basis for a forecast for 2030: where the calculation could be tested on "
            "earlier years it did worse than simply assuming that things stay as they are, and "
            "for the area types there are too few years of data to test it at all. Only today's "
            "situation and the trend so far are shown."
        ),
        "forecast_some": (
            "A probability for 2030 is shown only for the goals where the calculation did better "
            "than assuming that things stay as they are when tested on earlier years; for the "
            "other goals there is no basis for a forecast."
        ),
        "prior_sensitivity": (
            'Sensitivity to the prior, "{goal}": {a} with the default prior, {b} with the pooled '
            "prior and {c} with a uniform prior."
        ),
    }
    return sv if lang == "sv" else en
