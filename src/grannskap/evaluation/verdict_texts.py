"""The sentences of the evaluation verdicts, Swedish and English (used by :mod:`.verdict`)."""

from __future__ import annotations

__all__ = ["TEXTS", "DESIGN_SV"]

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "simulated": "OBS: SIMULERADE DATA – inte verkliga uppgifter.",
        "design": "Utvärderingsdesign",
        "checks": "Kontrollerade antaganden",
        "none": "inga",
        "can": "Vad utvärderingen kan säga",
        "cannot": "Vad den inte kan säga",
        "head": "Skattad effekt på {out}: {est} ({lvl} % konfidensintervall {lo} till {hi}).",
        "sig": "Intervallet utesluter noll: data talar för en {dir} av {out} under designens "
        "antaganden.",
        "nonsig": "Intervallet innehåller noll: vi kan inte säga att insatsen påverkade {out}. "
        "Det betyder inte att effekten var noll – effekter mellan {lo} och {hi} är förenliga "
        "med data.",
        "up": "ökning",
        "down": "minskning",
        "mde": "Med denna design hade vi inte kunnat upptäcka en effekt mindre än {mde} "
        "(i absolut värde) med {pw} % sannolikhet.",
        "pre_ok": "Trender före start: inget statistiskt belagt brott mot parallella trender "
        "({test} p = {p}, {df} förperiodsskattningar). Det bevisar inte att trenderna hade "
        "fortsatt parallellt.",
        "pre_bad": "Trender före start: de behandlade och jämförelseområdena utvecklades olika "
        "redan före start ({test} p = {p}). Skattningen kan vara snedvriden.",
        "wald": "Wald-test",
        "perm": "permutationstest",
        "pre_none": "Trender före start kunde inte prövas (för få förperioder).",
        "pre_perm": " Permutationstestet lottar om vilka områden som behandlas och är giltigt "
        "även med få behandlade områden; det vanliga Wald-testet (p = {p}) förkastar då för ofta.",
        "pre_unrel": "Trender före start: Wald-testet (p = {p}) är opålitligt med bara {n} "
        "behandlade områden och förkastar alldeles för ofta; gör ett permutationstest.",
        "clusters_ok": "{n} behandlade områden och {c} jämförelseområden.",
        "ri": "Osäkerhet: randomiseringsinferens – skattningen jämförs med {m} {kind} "
        "omlottningar av vilka områden som fick insatsen (p = {p} för ingen effekt; intervallet "
        "för en konstant effekt). Metoden valdes eftersom bara {n} områden behandlades: "
        "klusterrobusta fel och multiplikator-bootstrap kräver många behandlade områden och "
        "ger då för snäva intervall. Den förutsätter att insatsen lika gärna kunde ha gått till "
        "andra av områdena. Det vanliga analytiska intervallet var {lo} till {hi}.",
        "ri_exact": "(alla möjliga)",
        "analytic": "Osäkerhet: analytiska standardfel (influensfunktionen i Callaway & "
        "Sant'Anna 2021), som förutsätter många behandlade områden; här {n}.",
        "ri_random": "slumpade",
        "clusters_few": "Bara {n} behandlade områden (och {c} jämförelseområden): "
        "osäkerhetsmåtten bygger på approximationer för många områden och kan vara för snäva.",
        "cov_yes": "Jämförelsen justeras för {cov} ({meth}).",
        "cov_no": "Ingen justering för bakgrundsvariabler: jämförelseområdena antas ha samma "
        "trend som de behandlade utan justering.",
        "overlap_ok": "Överlapp: jämförelseområdena liknar de behandlade i bakgrundsvariablerna "
        "(högsta skattade sannolikhet att behandlas bland jämförelseområdena {ps}).",
        "overlap_bad": "Svagt överlapp: vissa jämförelseområden liknar inte något behandlat "
        "område i bakgrundsvariablerna, eller tvärtom (högsta sannolikhet bland jämförelseområdena "
        "{ps}; {n} område(n) uteslutna; {share} % av de behandlade saknar motsvarighet). "
        "Skattningen vilar på få områden och på modellantaganden.",
        "control_never": "Jämförelsegrupp: områden som aldrig fick insatsen.",
        "control_not_yet": "Jämförelsegrupp: områden som ännu inte fått insatsen.",
        "can_pt": "Under antagandet att {out} hade utvecklats parallellt i behandlade och "
        "jämförelseområden utan insatsen, är skattningen den genomsnittliga effekten i de "
        "behandlade områdena under de observerade åren.",
        "cannot_general": "Om effekten gäller andra områden, andra år eller en annan "
        "utformning av insatsen.",
        "cannot_mech": "Vilken del av insatsen som verkade, eller om andra samtidiga "
        "förändringar i samma områden (andra insatser, nybyggnation, omflyttning) ligger "
        "bakom.",
        "cannot_pt": "Att trenderna hade varit parallella utan insatsen – det är ett antagande, "
        "inte något data kan bevisa.",
        "cannot_twfe": "Med stegvis start och effekter som växer över tid kan en vanlig "
        "tvåvägs-fixa-effekter-skattning vara missvisande; jämför med Callaway–Sant'Anna.",
        "cannot_its": "Utan jämförelseserie kan inte samtidiga händelser (konjunktur, "
        "regeländringar) skiljas från insatsens effekt.",
        "its_ok": "Restkorrelation (lag 1): {rho}; Newey–West-fel med {L} lag(ar).",
        "its_n": "{pre} år före och {post} år från start.",
        "its_t": "Intervall och p-värden från t-fördelningen med {df} frihetsgrader (inte "
        "normalfördelningen), eftersom serien bara har {n} år.",
        "its_head": "Nivåförändring vid start: {lvl_est} ({lvl} % KI {lo} till {hi}); "
        "trendförändring per år: {slope} ({slo} till {shi}).",
        "cost_head": "Kostnad per enhet effekt: {ratio} {cur} ({lvl} % KI {lo} till {hi}; "
        "metod: {meth}).",
        "cost_unb": "Kostnad per enhet effekt: {ratio} {cur} som punktskattning, men "
        "intervallet är obegränsat eftersom effekten inte skiljer sig säkert från noll – "
        "kostnadseffektiviteten kan inte bedömas.",
        "cost_can": "Vad varje enhet effekt har kostat, givet att effektskattningen är riktig.",
        "cost_cannot": "Om pengarna hade gjort mer nytta på annat sätt; kostnaden är bokförd "
        "kostnad, inte samhällsekonomisk kostnad.",
        "note": "Varning: {msg}",
        "mde_check": "Statistisk styrka: minsta upptäckbara effekt {mde}.",
    },
    "en": {
        "simulated": "NOTE: SIMULATED DATA – not real figures.",
        "design": "Evaluation design",
        "checks": "Assumptions checked",
        "none": "none",
        "can": "What the evaluation can say",
        "cannot": "What it cannot say",
        "head": "Estimated effect on {out}: {est} ({lvl} % confidence interval {lo} to {hi}).",
        "sig": "The interval excludes zero: the data indicate a {dir} in {out} under the "
        "design's assumptions.",
        "nonsig": "The interval includes zero: we cannot say that the intervention affected "
        "{out}. This does not mean the effect was zero – effects between {lo} and {hi} are "
        "compatible with the data.",
        "up": "increase",
        "down": "decrease",
        "mde": "With this design we could not have detected an effect smaller than {mde} "
        "(in absolute value) with {pw} % probability.",
        "pre_ok": "Pre-treatment trends: no statistical evidence against parallel trends "
        "({test} p = {p}, {df} pre-period estimates). This does not prove that trends would "
        "have stayed parallel.",
        "pre_bad": "Pre-treatment trends: treated and comparison areas already diverged before "
        "the start ({test} p = {p}). The estimate may be biased.",
        "wald": "Wald test",
        "perm": "permutation test",
        "pre_none": "Pre-treatment trends could not be tested (too few pre-periods).",
        "pre_perm": " The permutation test reshuffles which areas are treated and is valid even "
        "with few treated areas; the usual Wald test (p = {p}) rejects too often then.",
        "pre_unrel": "Pre-treatment trends: the Wald test (p = {p}) is unreliable with only {n} "
        "treated areas and rejects far too often; run a permutation test.",
        "clusters_ok": "{n} treated areas and {c} comparison areas.",
        "ri": "Uncertainty: randomisation inference – the estimate is compared with {m} {kind} "
        "reassignments of which areas received the intervention (p = {p} for no effect; the "
        "interval is for a constant effect). This method was chosen because only {n} areas were "
        "treated: cluster-robust errors and the multiplier bootstrap need many treated areas "
        "and are then too narrow. It assumes the intervention could as well have gone to "
        "other areas among these. The usual analytic interval was {lo} to {hi}.",
        "ri_exact": "(all possible)",
        "analytic": "Uncertainty: analytic standard errors (the influence function of Callaway "
        "& Sant'Anna 2021), which assume many treated areas; here {n}.",
        "ri_random": "random",
        "clusters_few": "Only {n} treated areas (and {c} comparison areas): the uncertainty "
        "measures rely on many-area approximations and may be too narrow.",
        "cov_yes": "The comparison adjusts for {cov} ({meth}).",
        "cov_no": "No adjustment for background variables: comparison areas are assumed to "
        "share the treated areas' trend unadjusted.",
        "overlap_ok": "Overlap: comparison areas resemble the treated ones in the covariates "
        "(largest estimated probability of treatment among comparison areas {ps}).",
        "overlap_bad": "Weak overlap: some comparison areas resemble no treated area in the "
        "covariates, or the other way round (largest probability among comparison areas {ps}; "
        "{n} area(s) trimmed; {share} % of treated areas without a counterpart). The estimate "
        "rests on few "
        "areas and on model assumptions.",
        "control_never": "Comparison group: areas never given the intervention.",
        "control_not_yet": "Comparison group: areas not yet given the intervention.",
        "can_pt": "Assuming {out} would have evolved in parallel in treated and comparison "
        "areas without the intervention, the estimate is the average effect in the treated "
        "areas over the observed years.",
        "cannot_general": "Whether the effect holds for other areas, other years or another "
        "form of the intervention.",
        "cannot_mech": "Which part of the intervention worked, or whether other simultaneous "
        "changes in the same areas (other interventions, new housing, migration) are behind "
        "it.",
        "cannot_pt": "That trends would have been parallel without the intervention – that is "
        "an assumption the data cannot prove.",
        "cannot_twfe": "With staggered starts and effects that grow over time, a plain two-way "
        "fixed-effects estimate can mislead; compare with Callaway–Sant'Anna.",
        "cannot_its": "Without a comparison series, simultaneous events (business cycle, rule "
        "changes) cannot be separated from the intervention's effect.",
        "its_ok": "Residual autocorrelation (lag 1): {rho}; Newey–West errors with {L} lag(s).",
        "its_n": "{pre} years before and {post} years from the start.",
        "its_t": "Intervals and p-values from the t distribution with {df} degrees of freedom "
        "(not the normal), because the series has only {n} years.",
        "its_head": "Level change at start: {lvl_est} ({lvl} % CI {lo} to {hi}); trend change "
        "per year: {slope} ({slo} to {shi}).",
        "cost_head": "Cost per unit of effect: {ratio} {cur} ({lvl} % CI {lo} to {hi}; "
        "method: {meth}).",
        "cost_unb": "Cost per unit of effect: {ratio} {cur} as a point estimate, but the "
        "interval is unbounded because the effect is not clearly different from zero – "
        "cost-effectiveness cannot be judged.",
        "cost_can": "What each unit of effect has cost, provided the effect estimate is right.",
        "cost_cannot": "Whether the money would have done more good elsewhere; the cost is the "
        "booked cost, not the cost to society.",
        "note": "Warning: {msg}",
        "mde_check": "Statistical power: minimum detectable effect {mde}.",
    },
}


DESIGN_SV: dict[str, str] = {
    "difference-in-differences (Callaway & Sant'Anna 2021)": "skillnad-i-skillnader med "
    "stegvis start (Callaway & Sant'Anna 2021)",
    "two-way fixed effects (cluster-robust CR1)": "skillnad-i-skillnader, tvåvägs fixa "
    "effekter (klusterrobusta fel)",
    "difference-in-differences 2×2": "skillnad-i-skillnader 2×2",
    "difference-in-differences (Callaway & Sant'Anna 2021), randomisation inference": (
        "skillnad-i-skillnader med stegvis start (Callaway & Sant'Anna 2021), "
        "randomiseringsinferens"
    ),
    "interrupted time series": "avbruten tidsserie (segmenterad regression)",
    "interrupted time series (comparative)": "avbruten tidsserie med jämförelseserie",
    "cost per unit of effect": "kostnad per enhet effekt",
}
