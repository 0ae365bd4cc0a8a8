"""Spotting free text that may identify a child: a date of birth, a UPN, a pupil's name.

Requests carry special category data (domain.md §5), so pupils are known to the bot only by the
school's pseudonymous pupil reference. A person typing free text ("needs in brief", "what was
tried") may still write "Jack Smith, DOB 12/03/2015" out of habit; the dialog calls
:func:`find_identifying_text` on every free-text answer and, when something is found, shows
:func:`warning_for` and lets the person rephrase.

It is a heuristic, tuned for precision on what SENCOs write (a false alarm on every step is
worse than useless), while still catching the usual ways a child is named:

* **Dates of birth**: numeric (``12/03/2015``, ``12-3-15``, ``12.03.2015``, ISO ``2015-03-12``)
  and written (``12 March 2015``, ``12th of Mar 2015``, ``March 12, 2015``). A date straight
  after "DOB", "date of birth", "born" or "birthday" always counts, even without a year. Any
  other full date counts when it would make a child aged 2 to 20 today, unless the words just
  before it mark an event ("on", "since", "visited", "issued", ...). Dates less than two years
  old or in the future are events. Month-and-year ("review in March 2026") and bare years
  ("since 2024") only count right after a birth cue ("born in March 2015").
* **UPNs**: a letter and 12 digits, or a letter, 11 digits and a letter (temporary UPNs), as
  one token in any case. Written in groups ("B801 2000 05001") the DfE check letter must also
  be right, so that spaced digit runs that happen to follow a letter are not flagged.
* **Names**: a capitalised forename and surname ("Jack Smith", "Amelia-Rose O'Neill",
  "Kacper McDonald", "Jack SMITH"), initials and a surname ("J. Smith", "J Smith"), and a lone
  forename from a compact list of common UK first names ("... and Oliver struggles with ...").
  Not names: titled adults ("Mrs Patel", "Dr Sarah Jones"), names next to a staff role
  ("Hannah Reid (SENCO)", "our EP, Sarah Jones"), the people in ``allowed_names`` (the roster's
  staff), capitalised runs that contain an organisation word ("St Mary's Primary School",
  "Kent Community Health"), and words on a stop list (months, weekdays, "Year", SEND terms,
  interventions, roles, nationalities, Kent places). A capitalised word opening a sentence
  starts a name only if it is a known forename ("Parents Evening" is not a name).

Known misses, by design or by necessity: names in lower case or all in capitals; a lone forename
that is also a word opening a sentence ("Grace has ...") or a value or month ("Hope", "May");
an unlisted forename opening a sentence ("Wojciech Nowak was ..."); unlisted forenames alone;
a name directly followed by an organisation word; surnames that are also place words when the
forename is not on the list ("Wojciech Hill"); months used as names ("April Jones"); birth years
on their own ("born in 2015"); other identifiers such as NHS numbers and ULNs. Known false
alarms: unlisted title-case phrases and two-word place names mid-sentence ("the Bright Stars
group", "from Tower Hamlets" was one until it went on the place list).

Findings contain the matched text: never log them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

DATE_OF_BIRTH = "date_of_birth"
UPN = "upn"
NAME = "name"

ADVICE = {
    DATE_OF_BIRTH: "Give the pupil's year group instead of a date of birth.",
    UPN: "Leave out the UPN; the pupil's reference is enough.",
    NAME: "Use the pupil's reference instead of their name.",
}

_DESCRIPTION = {
    DATE_OF_BIRTH: ("a date that looks like a date of birth", "dates that look like dates of birth"),
    UPN: ("what looks like a UPN", "what look like UPNs"),
    NAME: ("what looks like a name", "what look like names"),
}


@dataclass(frozen=True)
class Finding:
    kind: str  # DATE_OF_BIRTH | UPN | NAME
    text: str  # the matched span, text[start:end]
    start: int
    end: int
    advice: str


def find_identifying_text(
    text: str, *, allowed_names: Iterable[str] = (), today: date | None = None
) -> list[Finding]:
    """Everything in ``text`` that looks like it identifies a child, in text order, not overlapping."""
    today = today or date.today()
    candidates = [
        *_find_upns(text),
        *_find_dates(text, today),
        *_find_names(text, _AllowedNames(allowed_names)),
    ]
    priority = {UPN: 0, DATE_OF_BIRTH: 1, NAME: 2}
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]))
    findings: list[Finding] = []
    for finding in candidates:
        if not findings or finding.start >= findings[-1].end:
            findings.append(finding)
    return findings


def warning_for(findings: Sequence[Finding]) -> str:
    """One message for the person who wrote the text; empty if there is nothing to warn about."""
    if not findings:
        return ""
    kinds = list(dict.fromkeys(f.kind for f in findings))
    found: list[str] = []
    for kind in kinds:
        quotes = list(dict.fromkeys(_quote(f) for f in findings if f.kind == kind))
        shown = ", ".join(quotes[:3]) + (f" and {len(quotes) - 3} more" if len(quotes) > 3 else "")
        singular, plural = _DESCRIPTION[kind]
        found.append(f"{singular if len(quotes) == 1 else plural} ({shown})")
    advice = " ".join(ADVICE[kind] for kind in kinds)
    return (
        f"This may identify a child: {_join(found)}. {advice} "
        "Please rephrase it so that the pupil is known only by your school's pseudonymous "
        "pupil reference."
    )


def upn_check_letter(body: str) -> str | None:
    """The DfE check letter for the 12 characters after it, or None if they cannot be a UPN.

    Characters 2 to 13 are weighted 2 to 13 (a temporary UPN's final letter counts as its
    position in the letter table), the sum is taken modulo 23, and the remainder indexes the
    table (A-Z without I, O and S).
    """
    body = body.upper()
    if len(body) != 12 or not body[:11].isdigit():
        return None
    last = body[11]
    if not last.isdigit() and last not in _UPN_LETTERS:
        return None
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_LETTERS.index(char))
    return _UPN_LETTERS[total % 23]


def is_valid_upn(candidate: str) -> bool:
    """Whether ``candidate`` (spaces and hyphens ignored) is a UPN with the right check letter."""
    compact = re.sub(r"[\s\-]", "", candidate).upper()
    return len(compact) == 13 and upn_check_letter(compact[1:]) == compact[0]


# --- UPNs --------------------------------------------------------------------------------------

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_RE = re.compile(r"(?<![\w/.\-])[A-Za-z](?:[ \-]?\d){11}[ \-]?[0-9A-Za-z](?![\w/\-]|\.\w)")


def _find_upns(text: str) -> list[Finding]:
    found = []
    for match in _UPN_RE.finditer(text):
        span = match.group()
        spaced = any(c in " -" for c in span)
        if spaced and not is_valid_upn(span):
            continue
        found.append(Finding(UPN, span, match.start(), match.end(), ADVICE[UPN]))
    return found


# --- dates -------------------------------------------------------------------------------------

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
for _name, _number in list(_MONTHS.items()):
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"
_NOT_BEFORE = r"(?<![\w/.\-])"
_NOT_AFTER = r"(?![\w/\-]|[.,]\d)"

# (pattern, groups are day/month/year by name). Full dates first; partial ones need a birth cue.
_FULL_DATE_RES = [
    re.compile(
        _NOT_BEFORE + r"(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _NOT_AFTER
    ),
    re.compile(_NOT_BEFORE + r"(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _NOT_AFTER),
    re.compile(
        r"(?<!\w)(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mn>" + _MONTH + r")\.?,?\s+(?P<y>\d{4})(?!\w)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<!\w)(?P<mn>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})" + _ORD + r",?\s+(?P<y>\d{4})(?!\w)",
        re.IGNORECASE,
    ),
]
_PARTIAL_DATE_RES = [
    re.compile(r"(?<!\w)(?P<mn>" + _MONTH + r")\.?,?\s+(?P<y>\d{4})(?!\w)", re.IGNORECASE),
    re.compile(
        r"(?<!\w)(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mn>" + _MONTH + r")(?!\w)", re.IGNORECASE
    ),
    re.compile(r"(?<!\w)(?P<mn>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})" + _ORD + r"(?!\w)", re.IGNORECASE),
    re.compile(_NOT_BEFORE + r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})" + _NOT_AFTER),
]

_BIRTH_WORD = r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bborn\b)"
# The birth cue straight before a date: "DOB: ", "(d.o.b. ", "born on the ", "date of birth - ".
_BIRTH_CUE_RE = re.compile(
    _BIRTH_WORD + r"[\s:=(\-–—,]*(?:(?:on|in|is|was|of|the)\b[\s:,]*){0,3}$", re.IGNORECASE
)
_BIRTH_NEARBY_RE = re.compile(_BIRTH_WORD, re.IGNORECASE)
_EVENT_WORDS = frozenset(
    """
    on since from until till by between dated issued held visited visit seen met meeting started
    starting start joined began beginning admitted arrived excluded suspended diagnosed assessed
    assessment referred referral reviewed review received submitted sent completed signed effective
    wc w/c commencing ending end deadline due appointment observed observation attended took
    """.split()
)


def _find_dates(text: str, today: date) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for pattern in _FULL_DATE_RES:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), taken):
                continue
            when = _full_date(match, today)
            if when is None:
                continue
            taken.append((match.start(), match.end()))
            if _is_birth_cued(text, match.start()) or _looks_like_birth_date(
                text, match.start(), when, today
            ):
                found.append(
                    Finding(DATE_OF_BIRTH, match.group(), match.start(), match.end(), ADVICE[DATE_OF_BIRTH])
                )
    for pattern in _PARTIAL_DATE_RES:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), taken) or not _is_birth_cued(text, match.start()):
                continue
            if not _partial_date_is_valid(match):
                continue
            taken.append((match.start(), match.end()))
            found.append(
                Finding(DATE_OF_BIRTH, match.group(), match.start(), match.end(), ADVICE[DATE_OF_BIRTH])
            )
    return found


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _full_date(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    year_text = groups["y"]
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    day = int(groups["d"])
    if groups.get("mn"):
        return _date_or_none(year, _MONTHS[groups["mn"].lower()], day)
    month = int(groups["m"])
    parsed = _date_or_none(year, month, day)
    if parsed is None and groups.get("sep") == "/" and len(year_text) == 4 and match.group().index("/") <= 2:
        parsed = _date_or_none(year, day, month)  # an American-style 03/25/2015
    return parsed


def _partial_date_is_valid(match: re.Match[str]) -> bool:
    groups = match.groupdict()
    month = _MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
    if "d" not in groups:
        return 1 <= month <= 12
    return _date_or_none(2000, month, int(groups["d"])) is not None  # 2000 was a leap year


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_birth_cued(text: str, start: int) -> bool:
    return _BIRTH_CUE_RE.search(text[max(0, start - 40) : start]) is not None


def _looks_like_birth_date(text: str, start: int, when: date, today: date) -> bool:
    age = today.year - when.year - ((today.month, today.day) < (when.month, when.day))
    if not 2 <= age <= 20:
        return False
    clause = re.split(r"[.!?;\n]", text[max(0, start - 60) : start])[-1]
    if _BIRTH_NEARBY_RE.search(clause):
        return True  # "born at 28 weeks on 12/03/2015": the "on" is not an event
    last_words = re.findall(r"[a-z/]+", clause.lower())[-3:]
    return not any(word in _EVENT_WORDS for word in last_words)


# --- names -------------------------------------------------------------------------------------


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


#: Common UK first names of children born since about 2005 (ONS lists) and some older ones.
_FORENAMES = _words(
    """
    oliver hudson jax brody leighton mylo rafael ivan kaiden kaden ahmed yasin umar usman aryan
    arjun rohan krish dev reuben-james harris fraser jaxson cole chester ezekiel ibraheem zayan
    aaron abdul abdullah adam aden aiden alan albert albie alex alexander alfie alfred ali amir
    andrew anthony archie archer arlo arthur ashton austin ayaan ayden bailey ben benjamin billy
    blake bobby bradley brandon caleb callum calvin cameron charles charlie christian christopher
    cody connor corey daniel danny darius david declan dexter dominic dylan eddie edward elias
    elijah elliot elliott ellis emmanuel enzo ethan evan ezra felix filip finlay finley finn
    francis freddie freddy frederick gabriel george harley harrison harry harvey hamza hassan
    henry hugo ibrahim idris isaac ismail jack jackson jacob jaden jake jakub james jamie jason
    jasper jaxon jay jayden jenson jesse joe joel john johnny jonah jonathan jordan joseph joshua
    josh jude julian kacper kai kayden kian kieran kobe kyle lenny leo leon leonardo levi lewis
    liam logan louie louis luca lucas luke marcus mario mateo matthew michael mikey milo
    mohammad mohammed muhammad musa nathan nathaniel ned nicholas nico noah oakley ollie omar
    oscar oskar otis owen patrick paul peter philip ralph raphael reggie reuben rhys richard riley
    robert roman ronnie rory rowan ruben ryan sam samuel scott sean sebastian seth shane simon
    sonny stanley stephen steven szymon teddy theo theodore thomas tobias toby tom tommy tristan
    tyler vincent vinnie william xavier yahya yusuf zac zach zachary zack zak zain zane zayn
    arabella myla lyla lexie aliyah alyssa amelia-rose ellie-mae esmae gabriela harmonie hollie
    isabel-rose kaitlyn kyla lilah lilia liliana maddie madeleine madeline mariam marnie
    nadia neve nora nova remi rhianna rosalie sana savannah tiana zahra zoey georgia shannon
    abigail ada aisha alexa alexandra alice alicia alisha amara amber amelia amelie amina amira amy
    ana anna annabel annabelle annie anya aria ariana ariel arianna aurora ava ayesha ayla
    beatrice bella bethany bonnie brooke caitlin callie carmen caroline cassie charlie charlotte
    chloe clara courtney darcey darcie darcy delilah demi eden edie edith eleanor elena eliza
    elizabeth ella ellie eloise elsie emilia emily emma erin esme esmee eva evelyn evie fatima
    felicity florence francesca freya gabriella gemma georgie gracie hafsa hallie hanna hannah
    harper harriet hayley heidi holly imogen isabel isabella isabelle isla isobel jasmine jennifer
    jessica jodie julia kacie katie kayla keira kiera lacey laila lana laura lauren layla leah
    lena lexi libby lilly lily lola lottie lucy luna lydia mabel macie macy madison maddison
    maisie maisy maja margot maria martha maryam matilda maya megan mia mila millie mollie molly
    nancy naomi natalie nell nevaeh niamh nina olivia orla paige penelope phoebe piper pippa
    poppy rachel rebecca robyn rosa rosie ruby sadie safa samantha sara sarah scarlett serena
    sienna sofia sophia sophie stella tegan thea tia tilly valentina victoria violet wiktoria
    willow winnie zainab zara zoe zoë zofia zuzanna
    """
)
#: Forenames that are also ordinary words: on their own, a name only when capitalised mid-sentence
#: ("we hope Will settles", but not "Will you ...").
_WORDLIKE_FORENAMES = _words(
    """
    amber bill bonnie brooke carter chase cooper daisy dawn drew eden eve frank grace grant guy
    holly hunter iris ivy jade jay kit mason miles parker pat penny poppy ray river rob robin rose
    ruby sandy sonny taylor teddy violet wade will willow
    """
)
#: Forenames that are also values, months or abbreviations: a name only with a surname, or as part
#: of a double-barrelled forename ("Ellie-May"); months and seasons never stand in a name by themselves.
_NEVER_ALONE_FORENAMES = _words(
    "angel charity destiny faith harmony hope joy liberty mark max star april may june summer autumn"
)
_KNOWN_FORENAMES = _FORENAMES | _WORDLIKE_FORENAMES | _NEVER_ALONE_FORENAMES
#: Titles: what follows is an adult, not a pupil.
_TITLES = _words(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd reverend fr cllr councillor"
)
#: Staff roles: a name right before "(SENCO)" or right after "our EP," is a member of staff.
_ROLES = _words(
    """
    senco sendco head headteacher head-teacher deputy teacher ta hlta lsa ep psychologist salt slt
    therapist ot officer chair governor clerk dsl lead manager principal ceo nurse paediatrician
    consultant adviser advisor practitioner worker coordinator co-ordinator specialist mentor
    counsellor elsa stls director trustee colleague secretary administrator senior executive
    """
)
#: Words that make a capitalised run an organisation, a place or a named thing, never a person.
_ORGANISATION_WORDS = _words(
    """
    school schools primary secondary infant infants junior juniors academy academies college
    university trust trusts federation partnership council authority service services centre
    center clinic hospital health healthcare nhs therapy therapies team teams foundation charity
    society association network group groups programme program project unit hub forum panel
    board committee department church cathedral chapel diocese diocesan ltd limited cic plc llp
    psychologist psychologists psychology psychiatry paediatrics paediatric pediatric syndrome
    disorder disorders condition conditions impairment impairments difficulty difficulties
    standards practice act regulations tribunal ombudsman office ofsted grammar surgery pharmacy
    library st saint holy christ trinity community communities pathway base scheme framework
    questionnaire scale test tests battery toolkit award awards county borough
    """
)
#: Capitalised words that are not names (they break a run of capitalised words).
_NOT_NAME_WORDS = _words(
    """
    a an the and or but nor of in on at to for with without by from as into onto about above below
    over under after before during since until till via per than then so yet also not no yes if
    when where while what which who whom whose why how this that these those there here it its he
    she they we you i me him her them us our your their his my all any some each every both
    either neither few many more most much other another such same own only just very too again
    further once now today tomorrow yesterday tonight please thanks thank dear hi hello hey
    morning afternoon evening regards best kind warm wishes sincerely cheers note notes nb ps re
    fyi update summary overview background context next previous last first second third new old
    current recent recently currently following additional main general overall total is are was
    were be been being am has have had do does did done would shall should can could might must
    need needs let get got make made see seen use used using well however although though because
    despite therefore meanwhile overall initially since unfortunately fortunately hopefully
    january february march april may june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday
    sunday mon tue tues wed weds thu thur thurs fri sat sun spring summer autumn winter term terms
    half christmas easter whitsun halloween bank holiday holidays inset day days week weeks
    weekend month months year years yr reception nursery preschool pre class classes form forms set
    key stage ks eyfs sixth pupil pupils child children student students learner learners young
    people person parent parents carer carers family families mum mums mother father dad dads
    grandparent grandparents nan nana grandma grandad gran sibling siblings brother brothers
    sister sisters son daughter foster fostering adoptive adopted guardian guardians staff teacher
    teachers teaching assistant assistants ta tas headteacher headteachers head deputy executive
    principal senior leader leaders leadership lead leads chair vice governor governors governing
    body trustee trustees clerk officer officers manager managers coordinator co-ordinator senco
    sendco sencos inclusion inclusive pastoral safeguarding designated attendance admissions
    behaviour wellbeing welfare mentor mentors counsellor counselling practitioner practitioners
    worker workers specialist specialists advisor adviser advisory consultant consultants nurse
    nurses doctor doctors gp paediatrician educational occupational physiotherapist
    physiotherapy physio speech language languages communication interaction cognition learning
    social emotional mental physical sensory hearing visual vision multi special needs
    disability disabilities send sen support supports plan plans education health care ehc ehcp
    annual review reviews statutory assessment assessments assess graduated approach response
    mainstream core local offer top up funding funded high block notional budget provision
    provisions map maps mapping passport profile profiles one page premium register equality
    reasonable adjustments access arrangements exam exams outcome outcomes target targets
    strategy strategies quality wave tier universal targeted enhanced bespoke resource resourced
    alternative reintegration managed move exclusion exclusions suspension part time timetable
    otherwise elective home tuition portage nurture thrive boxall lego precision stories story
    comic strip conversations zones zone regulation circuits diet attention autism bucket
    colourful semantics talk boost link wellcomm makaton signalong intensive pecs memory magic toe
    write read inc phonics reading recovery catch numbers number count power maths math
    mathematics english literacy numeracy rapid plus fischer fresh start better partners direct
    circle friends buddy peer mentoring lunch lunchtime club breakfast forest outdoor lexia nessy
    clicker widgit symbols workstation teacch five point incredible coaching elsa therapeutic
    play drawing talking music art mindfulness yoga early help front door integrated virtual
    autistic spectrum down fragile cerebral palsy dyslexia dyslexic dyspraxia dyscalculia
    dysgraphia developmental coordination global delay deficit hyperactivity tourette tourettes
    asperger aspergers epilepsy diabetes anxiety selective mutism attachment trauma foetal fetal
    alcohol oppositional defiant demand avoidance pathological processing moderate severe profound
    multiple specific semantic pragmatic science history geography design technology computing
    pe french spanish german re pshe rse meeting meetings minutes agenda item items action actions
    request requests referral referrals report reports document documents letter email phone call
    visit visits observation observations appointment appointments session sessions intervention
    interventions progress data tracking attainment evidence information info consent agreement
    declaration interest interests conflict conflicts code conduct reference ref date dob upn
    name names address age aged birthday born teams microsoft bot channel chat card room rooms
    voice walk area areas hall garden playground office desk medical medication diagnosis
    diagnosed pathway neurodevelopmental questionnaire checklist screener screening
    british english irish scottish welsh polish romanian lithuanian latvian bulgarian
    portuguese turkish kurdish arabic urdu punjabi bengali nepali tamil somali ukrainian russian
    afghan syrian eritrean sudanese albanian chinese mandarin cantonese italian gypsy roma
    traveller eastern european western asian african caribbean black white mixed muslim christian
    jewish sikh hindu ramadan eid diwali sign signing bsl braille deaf blind
    mild severe significant complex emerging secure expected working towards greater depth
    """
)
#: Places and common nouns that are also surnames: a name only after a known forename ("Jack Hill").
_PLACE_LIKE_WORDS = _words(
    """
    hill hills green wood woods west east north south mid marsh bay park hall field fields brook
    bridge ford well wells king kings queen young little rose white brown grey gray gold silver
    stone rivers lake cross gate street lane mill moor dean vale deal sandwich dover ashford
    canterbury dartford folkestone hythe gravesend gravesham maidstone sevenoaks swale thanet
    tonbridge malling tunbridge margate ramsgate broadstairs whitstable herne sittingbourne
    sheppey faversham tenterden cranbrook edenbridge swanley romney dymchurch westgate
    birchington minster snodland aylesford larkfield staplehurst headcorn marden hawkhurst
    westerham otford ebbsfleet swanscombe northfleet longfield meopham rochester chatham
    gillingham strood rainham kent medway london england bexley bromley sussex essex surrey
    great upper lower new old oak oaks ash valley tower hamlets
    """
)

_TOKEN_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_RUN_GAP_RE = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = ".!?:;\n\r•*–—-|>"


@dataclass(frozen=True)
class _Token:
    text: str  # possessive "'s" removed
    start: int
    end: int  # an initial's end includes its full stop

    @property
    def key(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def is_caps(self) -> bool:
        return len(self.text) >= 2 and self.text.isupper() and self.text.isalpha()


class _AllowedNames:
    """Staff names that may be mentioned: whole names, first and last, initial and last, or one part."""

    def __init__(self, names: Iterable[str]) -> None:
        self.full: set[tuple[str, ...]] = set()
        self.first_last: set[tuple[str, str]] = set()
        self.initial_last: set[tuple[str, str]] = set()
        self.parts: set[str] = set()
        for name in names:
            parts = tuple(_normal(t) for t in _TOKEN_RE.findall(name) if t.lower() not in _TITLES)
            if not parts:
                continue
            self.full.add(parts)
            self.parts.update(parts)
            if len(parts) >= 2:
                self.first_last.add((parts[0], parts[-1]))
                self.initial_last.add((parts[0][0], parts[-1]))

    def allows(self, tokens: Sequence[_Token]) -> bool:
        parts = tuple(_normal(t.text) for t in tokens)
        if len(parts) == 1:
            return parts[0] in self.parts
        if parts in self.full or (parts[0], parts[-1]) in self.first_last:
            return True
        return tokens[0].is_initial and (parts[0], parts[-1]) in self.initial_last


def _normal(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") and len(word) > 3 else word


def _find_names(text: str, allowed: _AllowedNames) -> list[Finding]:
    tokens = _tokenise(text)
    found: list[Finding] = []
    for run in _runs(text, tokens):
        if any(t.key in _ORGANISATION_WORDS for t in run):
            continue  # "St Mary's Primary School", "Kent Community Health"
        for segment in _segments(run):
            span = _name_in_segment(text, segment)
            if span is None or allowed.allows(span) or _is_staff(text, tokens, span):
                continue
            start, end = span[0].start, span[-1].end
            found.append(Finding(NAME, text[start:end], start, end, ADVICE[NAME]))
    return found


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if len(word) > 3 and word[-2:] in ("'s", "’s"):
            word, end = word[:-2], end - 2
        if len(word) == 1 and word.isupper() and text[end : end + 1] == ".":
            end += 1
        tokens.append(_Token(word, start, end))
    return tokens


def _is_capitalised(token: _Token) -> bool:
    return token.text[0].isupper()


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Runs of capitalised tokens separated by spaces only (punctuation and line breaks end a run)."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    previous: _Token | None = None
    for token in tokens:
        if _is_capitalised(token):
            joined = (
                previous is not None and _RUN_GAP_RE.fullmatch(text[previous.end : token.start]) is not None
            )
            if current and joined:
                current.append(token)
            else:
                if current:
                    runs.append(current)
                current = [token]
        elif current:
            runs.append(current)
            current = []
        previous = token
    if current:
        runs.append(current)
    return runs


def _segments(run: list[_Token]) -> list[list[_Token]]:
    """Split a run at words that cannot be part of a name; drop what follows a title."""
    segments: list[list[_Token]] = []
    current: list[_Token] = []
    after_title = False
    for token in run:
        if token.key in _TITLES:
            if current and not after_title:
                segments.append(current)
            current, after_title = [], True
            continue
        if _can_be_name_part(token, current):
            current.append(token)
            continue
        if current and not after_title:
            segments.append(current)
        current, after_title = [], False
    if current and not after_title:
        segments.append(current)
    return segments


def _can_be_name_part(token: _Token, before: list[_Token]) -> bool:
    if token.is_initial:
        return token.text not in ("A", "I") or token.end - token.start == 2  # "A." but not "A"
    if token.key in _NOT_NAME_WORDS:
        return False
    if token.is_caps:  # "Jack SMITH", but not "SEMH" or "EHCPs"
        return bool(before) and (before[-1].is_initial or _is_forename(before[-1]))
    return _is_name_shaped(token.text)


def _is_name_shaped(word: str) -> bool:
    """Capitalised, with Mc/Mac/Fitz, O'/D' and double-barrelled forms ("PowerPoint" is not)."""
    for part in re.split(r"['’\-]", word):
        if not part or not part[0].isalpha():
            return False
        for prefix in ("Mc", "Mac", "Fitz"):
            if part.startswith(prefix) and len(part) > len(prefix) + 1 and part[len(prefix)].isupper():
                part = part[len(prefix) :]
                break
        if not part[0].isupper() or not (len(part) == 1 or part[1:].islower()):
            return False
    return True


def _is_forename(token: _Token) -> bool:
    """A known forename, word-like or not; double-barrelled ones ("Amelia-Rose") too."""
    return all(part in _KNOWN_FORENAMES for part in token.key.split("-"))


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\u00a0\"“‘'")
    return not before or before[-1] in _SENTENCE_END


def _name_in_segment(text: str, segment: list[_Token]) -> list[_Token] | None:
    """The tokens of a segment that make a name, or None."""
    if (
        not segment[0].is_initial
        and not _is_forename(segment[0])
        and _starts_sentence(text, segment[0].start)
    ):
        segment = segment[1:]  # "Parents Evening", "Sensory Circuits daily"
    if not segment:
        return None
    first = segment[0]
    if len(segment) == 1:
        if first.is_initial or not _is_forename(first) or first.key in _NEVER_ALONE_FORENAMES:
            return None
        if first.key in _WORDLIKE_FORENAMES and _starts_sentence(text, first.start):
            return None
        return segment  # a lone common forename: "... and Oliver struggles with ..."
    if first.is_initial:
        rest = [t for t in segment if not t.is_initial]
        return segment if rest else None  # "J. Smith", "J R Smith"; not "J R"
    if _is_forename(first):
        return segment[:4]
    if len(segment) > 3 or any(t.key in _PLACE_LIKE_WORDS for t in segment):
        # A long title-case run or a place; a known forename inside it may still start a name.
        for index, token in enumerate(segment[1:], start=1):
            if _is_forename(token) and len(segment) - index >= 2:
                return segment[index : index + 4]
        return None
    return segment


def _is_staff(text: str, tokens: list[_Token], span: Sequence[_Token]) -> bool:
    """ "Hannah Reid (SENCO)", "Sarah Jones, EP", "our EP Sarah Jones", "class teacher: Ms ..."."""
    after = text[span[-1].end : span[-1].end + 40]
    role_after = re.match(r"\s*[(,–—\-]\s*(?:the\s+|our\s+|their\s+)?(\w[\w\-]*)", after)
    if role_after and role_after.group(1).lower() in _ROLES:
        return True
    index = next(i for i, t in enumerate(tokens) if t.start == span[0].start)
    if index == 0:
        return False
    previous = tokens[index - 1]
    gap = text[previous.end : span[0].start]
    return previous.key in _ROLES and re.fullmatch(r"[\s,:\-–—]*", gap) is not None


def _quote(finding: Finding) -> str:
    shown = " ".join(finding.text.split())
    if finding.kind == UPN:
        return shown.replace(" ", "")[:4] + "…"
    return shown if len(shown) <= 20 else shown[:19] + "…"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
