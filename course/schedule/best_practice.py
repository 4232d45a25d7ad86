"""The best-practice agenda a new course starts from (docs/method.md §4).

The seed fixes the *contents* — a short kickoff, two course days with talks by two former
participants, an employer and a self-employed entrepreneur, change-theory workshops, sparring
rounds, breaks and a wrap-up — but not the times or the order; those are Teten's proposal, kept
word for word as in the method document (a test compares the two). Titles and descriptions are
Danish *data*, not UI text: a facilitator edits them like any other agenda content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from course.schedule.models import Day, ItemKind, SpeakerRole

#: A course day's usual hours: items starting earlier or ending later are flagged.
DAY_STARTS = time(8, 0)
DAY_ENDS = time(17, 0)


@dataclass(frozen=True)
class TemplateItem:
    """One agenda item of the template. ``speaker_role`` is ``None`` for breaks."""

    starts_at: time
    ends_at: time
    kind: ItemKind
    speaker_role: SpeakerRole | None
    title: str
    description: str


def _item(start: str, end: str, kind: ItemKind, role: SpeakerRole | None, title: str,
          description: str) -> TemplateItem:
    return TemplateItem(time.fromisoformat(start), time.fromisoformat(end), kind, role, title,
                        description)


PLENARY, TALK, WORKSHOP = ItemKind.PLENARY, ItemKind.TALK, ItemKind.WORKSHOP
SPARRING, BREAK = ItemKind.SPARRING_ROUND, ItemKind.BREAK
FAC, FORMER = SpeakerRole.FACILITATOR, SpeakerRole.FORMER_PARTICIPANT
EMPLOYER, ENTREPRENEUR = SpeakerRole.EMPLOYER, SpeakerRole.ENTREPRENEUR

#: The template, per meeting, in order.
BEST_PRACTICE: dict[Day, tuple[TemplateItem, ...]] = {
    Day.KICKOFF: (
        _item('13:00', '13:15', PLENARY, FAC, 'Velkommen',
              'Facilitatorerne byder velkommen og præsenterer sig. Deltagerne scanner '
              'QR-koden og logger ind med deres personlige kode.'),
        _item('13:15', '13:40', PLENARY, FAC, 'Rammerne for personlige, borgerstyrede budgetter',
              'Op til 50.000 kr. til din egen plan for at komme i job, og højst 4 uger til '
              'at udarbejde budgetplanen. Deltagelse er ikke en forhåndsgodkendelse af '
              'budgetønsker – planen vurderes af din jobkonsulent.'),
        _item('13:40', '14:05', PLENARY, FAC, 'Budgetværktøjet og de fire dele',
              'Vi gennemgår personlig motivering, budget, forandringsteori for budgetposter'
              ' og personlig strategi. Vi viser, hvordan du vedlægger bilag og finder '
              'priser.'),
        _item('14:05', '14:15', BREAK, None, 'Pause',
              'Kort pause.'),
        _item('14:15', '14:40', SPARRING, FAC, 'Præsentationsrunde: min drøm og mit jobmål',
              'I små grupper fortæller hver deltager kort om sin situation og sit mål. De '
              'andre lytter og stiller nysgerrige spørgsmål.'),
        _item('14:40', '14:45', PLENARY, FAC, 'Inden kursusdag 1',
              'Praktisk information om de to kursusdage. Opgave: skriv et første udkast til'
              ' din personlige motivering og begynd at undersøge priser på dine '
              'budgetposter.'),
    ),
    Day.DAY1: (
        _item('09:00', '09:15', PLENARY, FAC, 'Velkommen til kursusdag 1',
              'Dagens program og fælles spilleregler for sparring: konstruktive spørgsmål '
              'og brugbar kritik til alle.'),
        _item('09:15', '09:55', TALK, FORMER, 'Mit forløb: valg og fravalg',
              'En tidligere deltager fortæller om sine valg og fravalg ved '
              'tilrettelæggelsen af budgetplanen og udførelsen af aktiviteterne. Tid til '
              'spørgsmål.'),
        _item('09:55', '10:35', TALK, FORMER, 'Mit forløb: valg og fravalg (2)',
              'Endnu en tidligere deltager fortæller om sin proces – hvad lykkedes, og hvad'
              ' ville hun/han gøre anderledes. Tid til spørgsmål.'),
        _item('10:35', '10:50', BREAK, None, 'Pause',
              'Kaffe og frisk luft.'),
        _item('10:50', '12:00', WORKSHOP, FAC, 'Forandringsteori: fra budgetpost til job',
              'Vi gennemgår eksempler: aktivitet → forandring → job. Hver deltager skriver '
              'en forandringsteori for hver af sine budgetposter.'),
        _item('12:00', '12:45', BREAK, None, 'Frokost',
              'Frokostpause.'),
        _item('12:45', '13:50', SPARRING, FAC, 'Sparringsrunde 1: forandringsteorier',
              'I grupper giver deltagerne hinanden feedback: Hænger budgetposten sammen med'
              ' den forandring, du ønsker? Facilitatorerne sørger for, at alle får '
              'konstruktive spørgsmål og brugbar kritik.'),
        _item('13:50', '14:00', BREAK, None, 'Pause',
              'Kort pause.'),
        _item('14:00', '14:45', WORKSHOP, FAC, 'Ret din forandringsteori til',
              'Deltagerne arbejder videre med feedbacken. Facilitatorerne går rundt og '
              'giver sparring med kendskab til det lokale arbejdsmarked.'),
        _item('14:45', '15:00', PLENARY, FAC, 'Opsamling og næste skridt',
              'Hvad tager I med fra i dag? Opgave til kursusdag 2: undersøg priser, og find'
              ' bilag (tilbud, skærmbilleder) til dine budgetposter.'),
    ),
    Day.DAY2: (
        _item('09:00', '09:15', PLENARY, FAC, 'Velkommen til kursusdag 2',
              'Kort opsamling fra kursusdag 1 og dagens program.'),
        _item('09:15', '10:00', TALK, EMPLOYER, "Do's and don'ts i jobsøgningen",
              "En arbejdsgiver fortæller om do's and don'ts i jobsøgningsprocessen, og hvad"
              ' der er særligt vigtigt for at tiltrække sig opmærksomhed hos den '
              'virksomhed, man søger job hos.'),
        _item('10:00', '10:15', BREAK, None, 'Pause',
              'Kaffe.'),
        _item('10:15', '11:00', TALK, ENTREPRENEUR, 'At bygge en forretning op fra bunden',
              'En selvstændig iværksætter fortæller om arbejdet med at bygge en forretning '
              'op fra bunden og om de udfordringer, man skal tage højde for undervejs.'),
        _item('11:00', '12:00', WORKSHOP, FAC, 'Budget og personlig strategi',
              'Hver deltager gør sit budget færdigt – pris, forventet behovsdato og bilag '
              'for hver budgetpost – og skriver sin personlige strategi: hvad vil jeg '
              'fortsætte med, holde op med og begynde at gøre?'),
        _item('12:00', '12:45', BREAK, None, 'Frokost',
              'Frokostpause.'),
        _item('12:45', '14:00', SPARRING, FAC, 'Sparringsrunde 2: hele budgetplanen',
              'Deltagerne giver feedback på hinandens samlede budgetplaner ud fra de tre '
              'spørgsmål, jobkonsulenten også stiller: Kan planen gøre en væsentlig '
              'forskel? Er den realistisk? Hænger midler og mål sammen?'),
        _item('14:00', '14:10', BREAK, None, 'Pause',
              'Kort pause.'),
        _item('14:10', '14:45', WORKSHOP, FAC, 'Gør din budgetplan klar',
              'Deltagerne retter til efter feedbacken og gør planen klar til at sende til '
              'jobkonsulenten.'),
        _item('14:45', '15:00', PLENARY, FAC, 'Afslutning: fra budgetplan til godkendelse',
              'Hvad sker der nu? Du sender din budgetplan til din jobkonsulent inden for de'
              ' 4 uger, og den vurderes ud fra tre kriterier. Tak for i dag.'),
    ),}
