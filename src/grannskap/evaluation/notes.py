"""Swedish wording of the notes the estimators and ``grannskap evaluate`` attach to a result.

Estimators record their caveats as English sentences in ``result.notes`` (and raise the same
text as an :class:`~grannskap.errors.EstimationWarning`), because that is what the Python API,
the logs and researchers read. A Swedish verdict must not quote them in English: :func:`note_text`
gives each known note in Swedish, with its numbers in Swedish notation (decimal comma, true
minus). A note this table does not know (a new one, or a message from a library) is kept in
English and says so, rather than being dropped. ``tests/evaluation/test_notes.py`` checks that
every note written in the package's source has a Swedish form here.
"""

from __future__ import annotations

import re

from grannskap._literals import Lang, validate_literal

__all__ = ["note_text", "SWEDISH_NOTES"]

_NUM = r"-?\d+(?:\.\d+)?"

SWEDISH_NOTES: tuple[tuple[str, str], ...] = (
    # evaluation/its.py
    (
        rf"series and comparison share (?P<n>{_NUM}) periods; others were dropped",
        "serien och jämförelseserien har {n} perioder gemensamt; övriga perioder togs bort",
    ),
    (
        rf"only (?P<n>{_NUM}) periods: Newey-West errors are unreliable in short series "
        r"and the interval may be too narrow",
        "bara {n} perioder: Newey–West-fel är opålitliga i korta serier och intervallet kan "
        "vara för smalt",
    ),
    # evaluation/power.py
    (
        rf"only (?P<n>{_NUM}) treated unit\(s\): the normal approximation behind this MDE is "
        r"optimistic; prefer the simulated MDE",
        "bara {n} [behandlad enhet|behandlade enheter]: normalapproximationen bakom den minsta upptäckbara "
        "effekten är optimistisk; använd hellre den simulerade",
    ),
    # evaluation/cost.py
    (
        r"the effect's interval includes zero: the cost per unit of effect is unbounded "
        r"\(any cost per unit is compatible with the data\)",
        "effektens intervall innehåller noll: kostnaden per enhet effekt är obegränsad (varje "
        "kostnad per enhet är förenlig med data)",
    ),
    (
        r"the delta-method interval shown is misleading here",
        "intervallet enligt deltametoden är missvisande här",
    ),
    # evaluation/did/simple.py
    (
        rf"(?P<n>{_NUM}) unit\(s\) lacked the outcome in one period and were dropped",
        "{n} [enhet|enheter] saknade utfallet i en av perioderna och togs bort",
    ),
    # evaluation/did/twfe.py
    (
        r"regressors (?P<names>.+) are collinear with the fixed effects and were dropped",
        "regressorerna {names} är kolinjära med de fixa effekterna och togs bort",
    ),
    (
        rf"only (?P<n>{_NUM}) clusters: cluster-robust standard errors may be too small "
        r"\(Cameron & Miller 2015\); read the interval with caution",
        "bara {n} kluster: klusterrobusta standardfel kan bli för små (Cameron & Miller "
        "2015); läs intervallet med försiktighet",
    ),
    # evaluation/did/_panel.py
    (
        rf"(?P<n>{_NUM}) comparison unit\(s\) lacked the outcome in some period and were "
        r"dropped \(balanced panel needed\)",
        "{n} [jämförelseenhet|jämförelseenheter] saknade utfallet någon period och togs bort (metoden kräver "
        "en balanserad panel)",
    ),
    # evaluation/did/cs.py
    (
        rf"(?P<n>{_NUM}) unit\(s\) are first treated after the panel's last period "
        rf"(?P<p>{_NUM}); they are counted as never treated",
        "{n} [enhet|enheter] får insatsen först efter panelens sista period {p}; de räknas som "
        "aldrig behandlade",
    ),
    (
        r"no comparison units \(never or not yet treated\) for cell\(s\) (?P<cells>.+); "
        r"these cells are not estimated",
        "inga jämförelseenheter (aldrig eller ännu inte behandlade) för cellerna {cells}; de "
        "cellerna skattas inte",
    ),
    (
        rf"weak overlap: largest comparison propensity score (?P<ps>{_NUM}), (?P<n>{_NUM}) "
        rf"comparison unit\(s\) trimmed, (?P<p>{_NUM}) % of treated units with propensity "
        r"above 0\.99 \(treated and comparison areas differ strongly in the covariates; the "
        r"estimate leans on the outcome model\)",
        "svag överlappning: största skattade sannolikhet för insats bland jämförelseområdena "
        "{ps}, {n} [jämförelseenhet|jämförelseenheter] borttrimmade, {p} % av de behandlade enheterna med "
        "sannolikhet över 0,99 (behandlade områden och jämförelseområden skiljer sig starkt i "
        "bakgrundsvariablerna; skattningen vilar på utfallsmodellen)",
    ),
    (
        r"no pre-treatment periods beyond the base period: parallel pre-trends cannot be "
        r"tested",
        "inga perioder före starten utöver basperioden: parallella trender före starten kan "
        "inte prövas",
    ),
    # evaluation/synth/api.py
    (
        rf"(?P<n>{_NUM}) donors for (?P<m>{_NUM}) pre-periods: risk of over-fitting "
        r"\(Abadie 2021, sec\. 7\)",
        "{n} jämförelseområden mot {m} [period|perioder] före starten: risk att anpassningen fångar "
        "slumpen (Abadie 2021, avsnitt 7)",
    ),
    (
        rf"treated outcome outside the donors' range in (?P<p>{_NUM})% of pre-periods",
        "det behandlade områdets utfall ligger utanför jämförelseområdenas spann i {p} % av "
        "perioderna före starten",
    ),
    (
        r"pre-period fit \(near\) exact: RMSPE ratio not informative",
        "anpassningen före starten är (nästan) exakt: RMSPE-kvoten säger inget",
    ),
    # evaluation/controls.py
    (
        rf"(?P<n>{_NUM}) area\(s\) targeted by other interventions were left out of the "
        r"comparison group",
        "{n} [område|områden] med andra insatser uteslöts ur jämförelsegruppen",
    ),
    # cli/evaluate.py
    (
        r"some target areas have more than one start year; the earliest is used",
        "några målområden har mer än ett startår; det tidigaste används",
    ),
    (
        r"the year intervention (?P<iv>\S+) reached (?P<areas>.+) is unknown in the programme "
        rf"file; (?P<n>{_NUM}) area\(s\) there are left out \(neither treated nor comparison\)",
        "året då insatsen {iv} nådde {areas} är okänt i programfilen; {n} [område|områden] där "
        "lämnas utanför (varken som behandlade eller som jämförelse)",
    ),
    # evaluation/controls.py (computed types)
    (
        r"SCB's official områdestyp is missing for the treated or the candidate comparison "
        r"areas: comparison areas were chosen by the områdestyp computed by grannskap "
        rf"\(socioeconomic index, (?P<year>{_NUM})\) for treated and comparison areas alike",
        "SCB:s officiella områdestyp saknas för de behandlade områdena eller för tänkbara "
        "jämförelseområden: jämförelseområdena valdes efter den områdestyp som grannskap "
        "beräknar (socioekonomiskt index, {year}), för behandlade och jämförelseområden lika",
    ),
    # evaluation/overlap.py
    (
        r"overlapping interventions in the treated area\(s\) during the evaluated years: "
        r"(?P<ids>.+); the estimate mixes their effects",
        "andra insatser i samma behandlade områden under de utvärderade åren: {ids}; "
        "skattningen blandar deras effekter",
    ),
    (
        r"minimum detectable effect not computed \((?P<why>.+)\)",
        "minsta upptäckbara effekt kunde inte beräknas (på engelska: {why})",
    ),
    # store/queries.py
    (
        rf"target area (?P<area>\S+) = (?P<n>{_NUM}) (?P<system>\S+) area\(s\) via the "
        r"crosswalk",
        "målområdet {area} motsvarar {n} [område|områden] i {system} enligt nyckeltabellen",
    ),
)

_COMPILED = tuple((re.compile(p), sv) for p, sv in SWEDISH_NOTES)
# "{n} [område|områden]": singular after the number 1, plural otherwise
_PLURAL = re.compile(r"(\S+) \[([^|\]]+)\|([^\]]+)\]")
_NUMERIC = re.compile(rf"^{_NUM}$")


def _sv_number(text: str) -> str:
    if not _NUMERIC.match(text):
        return text
    return text.replace("-", "−").replace(".", ",")


def note_text(message: str, lang: Lang = "sv") -> str:
    """``message`` in ``lang``: unchanged for English; the Swedish form for Swedish.

    Numbers captured from the English text are written the Swedish way (``0.123`` →
    ``0,123``). Unknown notes are returned in English, marked ``(på engelska)``.
    """
    validate_literal(lang, Lang, "lang")
    if lang == "en":
        return message
    text = message.strip()
    for pattern, sv in _COMPILED:
        m = pattern.fullmatch(text)
        if m is not None:
            text = sv.format(**{k: _sv_number(v) for k, v in m.groupdict().items()})
            return _PLURAL.sub(lambda p: f"{p[1]} {p[2] if p[1] == '1' else p[3]}", text)
    return f"{message} (på engelska)"
