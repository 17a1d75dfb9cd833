"""What the demo ships besides articles: two annotators' labels, and a model's predictions.

Written as quotes from the sample corpus (annotator/demo/corpus/), turned into spans
when the demo is built, so they stay exact whatever the offsets are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Said:
    """One statement as quotes: who (and the words naming them), about what, and the sentence."""

    actor: str
    name: str
    target: str
    stance: str
    evidence: str
    preconditions: tuple[tuple[str, str], ...] = ()
    outlet: tuple[str, str] | None = None
    score: float = 0.8


# The further articles (annotator/demo/more/): ben and cleo label them alike, so they become gold.
AGREED: dict[str, list[Said]] = {
    "09-shoigu-black-sea": [
        Said("shoigu", "Sergei Shoigu", "russia_ukraine_talks", "refuses",
             "Moscow saw no point in talks with Kyiv on shipping in the Black Sea as long as NATO warships kept holding drills near its coast"),
    ],
    "10-blinken-geneva": [
        Said("blinken", "Antony Blinken", "us_russia_talks", "conditional",
             "he was prepared to meet Russian Foreign Minister Sergey Lavrov in Geneva next month if Moscow confirmed its delegation in writing",
             (("other", "if Moscow confirmed its delegation in writing"),)),
    ],
    "11-kuleba-security-guarantees": [
        Said("kuleba", "Dmytro Kuleba", "peace_process", "conditional",
             "Kyiv would return to peace talks only once its partners had agreed on binding security guarantees for Ukraine",
             (("security_interests", "binding security guarantees for Ukraine"),)),
    ],
    "12-zakharova-western-mediators": [
        Said("zakharova", "Maria Zakharova", "russia_ukraine_talks", "refuses",
             "Moscow would not accept Western governments as mediators in any talks with Ukraine"),
    ],
    "13-guterres-ceasefire-call": [
        Said("guterres", "Antonio Guterres", "ceasefire", "open",
             "both sides should agree to a ceasefire at once and let inspectors reach the site without conditions"),
    ],
    "14-erdogan-istanbul-offer": [
        Said("erdogan", "Recep Tayyip Erdogan", "leaders_meeting", "open",
             "he was ready to host a meeting between the Russian and Ukrainian presidents in Istanbul"),
    ],
    "15-ushakov-no-date": [
        Said("ushakov", "Yuri Ushakov", "us_russia_talks", "noncommittal",
             "he could not say whether they would take place this year"),
    ],
    "16-zelensky-direct-meeting": [
        Said("zelensky", "President Volodymyr Zelensky", "leaders_meeting", "conditional",
             "he was ready to meet Vladimir Putin face to face, as long as Russian troops first withdrew to the lines they held before the invasion",
             (("troop_withdrawal", "Russian troops first withdrew to the lines they held before the invasion"),)),
    ],
    "17-kirby-prisoner-talks": [
        Said("kirby", "John Kirby", "us_russia_talks", "open",
             "Washington remained open to talks with Moscow on exchanging detained citizens"),
    ],
    "18-lavrov-sovereignty": [
        Said("lavrov", "Sergey Lavrov", "peace_process", "conditional",
             "Russia would join a peace process only if the agreement recognised the regions it had annexed as part of Russia",
             (("sovereignty", "recognised the regions it had annexed as part of Russia"),)),
    ],
    "19-nato-no-talks": [
        Said("nato", "NATO", "leaders_meeting", "refuses",
             "it saw no basis for a summit with Russia while Russian strikes on Ukrainian cities continued"),
    ],
    "20-peskov-ceasefire-terms": [
        Said("peskov", "Kremlin spokesman Dmitry Peskov", "ceasefire", "conditional",
             "Moscow would consider a ceasefire only if it came with guarantees for Russia's security, including a halt to weapons deliveries to Ukraine",
             (("security_interests", "guarantees for Russia's security"),)),
    ],
}

# The statements ben finds in each article (by file name); cleo's and the model's differ where noted.
BEN: dict[str, list[Said]] = {
    "01-kremlin-no-summit": [
        Said("peskov", "Kremlin spokesman Dmitry Peskov", "leaders_meeting", "conditional",
             "Until the delegations have a substantive agenda on paper, there is nothing for the presidents to discuss.",
             (("substantive_agenda", "a substantive agenda on paper"),), ("tass", "Tass news agency"), 0.93),
        Said("yermak", "Andriy Yermak", "russia_ukraine_talks", "open",
             'Ukraine was ready to meet "in any format, at any level, today,"', score=0.71),
    ],
    "02-white-house-open-door": [
        Said("psaki", "Jen Psaki", "leaders_meeting", "conditional",
             "a meeting between President Joe Biden and President Vladimir Putin was off the table while Russian forces remained in Ukraine",
             (("troop_withdrawal", "withdraws its troops"),)),
    ],
    "03-lavrov-agenda": [
        Said("lavrov", "Sergey Lavrov", "leaders_meeting", "conditional",
             "President Putin was willing to meet President Zelensky, but only once the negotiating teams had prepared a substantive agenda for the leaders",
             (("substantive_agenda", "prepared a substantive agenda"),), ("ria_novosti", "RIA Novosti"), 0.88),
        Said("kuleba", "Dmytro Kuleba", "russia_ukraine_talks", "refuses",
             "Ukraine would not negotiate while its territorial integrity was being violated", score=0.64),
    ],
    "04-kirby-sincerity": [
        Said("kirby", "John Kirby", "us_russia_talks", "conditional",
             "Washington would consider talks only after Moscow showed a genuine commitment to ending the war",
             (("demonstrated_commitment", "showed a genuine commitment to ending the war"),)),
    ],
    "05-erdogan-mediation": [
        Said("erdogan", "Recep Tayyip Erdogan", "russia_ukraine_talks", "open",
             '"Our door is open to both sides, as it has been from the first day,"', outlet=("al_jazeera", "Al Jazeera"), score=0.9),
        Said("peskov", "Peskov", "russia_ukraine_talks", "noncommittal",
             "Peskov declined to say whether a Russian delegation would travel to Turkey", score=0.55),
    ],
    "06-ceasefire-first": [
        Said("zelensky", "President Volodymyr Zelensky", "peace_process", "conditional",
             "Kyiv would discuss territorial questions only after a full ceasefire",
             (("ceasefire_first", "only after a full ceasefire"),)),
        Said("zakharova", "Maria Zakharova", "ceasefire", "refuses",
             'Moscow "will not fall for the trick of a ceasefire first."', score=0.86),
    ],
    "07-grain-corridor": [],
    "08-un-appeal": [
        Said("guterres", "Antonio Guterres", "russia_ukraine_talks", "open",
             'urged Russia and Ukraine on Tuesday to return to negotiations "without preconditions and without delay,"'),
        Said("ushakov", "Yuri Ushakov", "peace_process", "conditional",
             "Russia remained ready for a peace process, provided that the new territorial realities were recognised",
             (("sovereignty", "the new territorial realities were recognised"),), ("kommersant", "Kommersant"), 0.6),
    ],
    **AGREED,
}
IRRELEVANT = {"07-grain-corridor"}




def _changed(statements: list[Said], actor: str, **change: Any) -> list[Said]:
    return [Said(**{**s.__dict__, **change}) if s.actor == actor else s for s in statements]


# Cleo reads three articles differently: a stance, a precondition's category, a statement left out.
CLEO: dict[str, list[Said]] = {
    **BEN,
    "01-kremlin-no-summit": _changed(BEN["01-kremlin-no-summit"], "yermak", stance="noncommittal"),
    "05-erdogan-mediation": [s for s in BEN["05-erdogan-mediation"] if s.actor != "peskov"],
    "08-un-appeal": _changed(BEN["08-un-appeal"], "ushakov", preconditions=(("other", "the new territorial realities were recognised"),)),
}

# The demo model gets most of it right, and some of it plainly wrong.
MODEL_NAME, MODEL_VERSION = "demo-baseline", "1"
MODEL_SAYS: dict[str, list[Said]] = {
    **BEN,
    "02-white-house-open-door": _changed(BEN["02-white-house-open-door"], "psaki", stance="refuses", preconditions=(), score=0.58),
    "04-kirby-sincerity": _changed(BEN["04-kirby-sincerity"], "kirby", stance="open", preconditions=(), score=0.47),
    "08-un-appeal": [s for s in BEN["08-un-appeal"] if s.actor != "ushakov"],
}


def span(text: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "text": quote}


def statement(text: str, said: Said, with_score: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {
        "actor": {"id": said.actor, "span": span(text, said.name)},
        "stance": said.stance,
        "target": said.target,
        "preconditions": [{"category": category, "span": span(text, quote)} for category, quote in said.preconditions],
        "source_outlet": {"id": said.outlet[0], "span": span(text, said.outlet[1])} if said.outlet else None,
        "evidence": span(text, said.evidence),
    }
    return {**found, "score": said.score} if with_score else found


def labels_for(name: str, text: str, who: dict[str, list[Said]], outlet: str | None, with_score: bool = False) -> dict[str, Any]:
    return {
        "statements": [statement(text, said, with_score) for said in who.get(name, [])],
        "article": {"relevant": name not in IRRELEVANT, "outlet": outlet, "note": ""},
    }
