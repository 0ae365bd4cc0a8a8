from __future__ import annotations

from datetime import date, timedelta

import pytest

from communities.identifying_text import (
    ADVICE,
    DATE_OF_BIRTH,
    NAME,
    UPN,
    Finding,
    find_identifying_text,
    is_valid_upn,
    upn_check_letter,
    warning_for,
)

TODAY = date(2026, 11, 23)
STAFF = ("Hannah Reid", "Tom Walsh")


def found(text: str) -> list[tuple[str, str]]:
    findings = find_identifying_text(text, allowed_names=STAFF, today=TODAY)
    for f in findings:
        assert text[f.start : f.end] == f.text
        assert f.advice == ADVICE[f.kind]
    return [(f.kind, f.text) for f in findings]


# --- sentences a SENCO might write ------------------------------------------------------------

MUST_WARN = [
    ("Jack Smith struggles with transitions.", [(NAME, "Jack Smith")]),
    ("Amelia-Rose O'Neill has an EHCP and sees the SALT weekly.", [(NAME, "Amelia-Rose O'Neill")]),
    ("The class teacher thinks Kacper McDonald needs more support.", [(NAME, "Kacper McDonald")]),
    ("Concerns raised about Callum MacLeod's attendance.", [(NAME, "Callum MacLeod")]),
    ("Yesterday Kacper Nowak was excluded for the second time.", [(NAME, "Kacper Nowak")]),
    ("The pupil, Zofia Kowalczyk, arrived in Year 3.", [(NAME, "Zofia Kowalczyk")]),
    ("J. Smith and J Smith both attend the nurture group.", [(NAME, "J. Smith"), (NAME, "J Smith")]),
    ("Jack SMITH is in Year 4.", [(NAME, "Jack SMITH")]),
    ("Jack Hill and Amy Green attend Herne Bay Junior.", [(NAME, "Jack Hill"), (NAME, "Amy Green")]),
    ("Jack struggles with phonics and needs pre-teaching.", [(NAME, "Jack")]),
    ("She sits with Oliver at lunch and has no friends in class.", [(NAME, "Oliver")]),
    ("We hope Will settles once the transition plan is in place.", [(NAME, "Will")]),
    ("His sister Amelia attends our Nursery.", [(NAME, "Amelia")]),
    ("Hannah Smith is the pupil, not our SENCO.", [(NAME, "Hannah Smith")]),
    ("- Ellie-May Jones (Year 2)", [(NAME, "Ellie-May Jones")]),
    ("DOB 12/3/15, Year 6, SEN support.", [(DATE_OF_BIRTH, "12/3/15")]),
    ("Born on 12th March 2015 at 28 weeks.", [(DATE_OF_BIRTH, "12th March 2015")]),
    ("Pupil is 12/03/2015, Year 6, SEMH needs.", [(DATE_OF_BIRTH, "12/03/2015")]),
    ("Date of birth: 3.5.2016.", [(DATE_OF_BIRTH, "3.5.2016")]),
    ("He was born in March 2015.", [(DATE_OF_BIRTH, "March 2015")]),
    ("UPN B801200005001 for reference.", [(UPN, "B801200005001")]),
    (
        "Jack Smith (DOB 12/03/2015, UPN B801200005001) needs an EP.",
        [(NAME, "Jack Smith"), (DATE_OF_BIRTH, "12/03/2015"), (UPN, "B801200005001")],
    ),
]

MUST_NOT_WARN = [
    "Year 5 pupil with SEMH needs; 3 APDR cycles since September 2025; the Educational Psychologist "
    "visited on 14/10/2025.",
    "Referred to Speech and Language Therapy at Kent Community Health.",
    "Hannah Reid (SENCO) will present.",
    "Needs in brief: difficulties with attention, working memory and processing speed. Reading age 7.2, "
    "chronological age 10.4.",
    "What was tried: Lego Therapy (6 weeks), Zones of Regulation, a Now and Next board, Social Stories "
    "and Precision Teaching.",
    "Outcome hoped for: advice from an Educational Psychologist and a Speech and Language Therapist "
    "before the Annual Review.",
    "Graduated Response: Assess, Plan, Do, Review cycles since Autumn 2024.",
    "Mainstream Core Standards were followed; Early Help involved; Local Authority informed.",
    "Diagnosis of Down Syndrome; we follow the SEND Code of Practice.",
    "Parents Evening went well. Sensory Circuits are used daily.",
    "We use Sensory Circuits daily and Lego Therapy weekly.",
    "Autism Spectrum Condition diagnosed; awaiting the Neurodevelopmental Pathway.",
    "Support from St Mary's Primary School and Oaks Academy Trust.",
    "Kent County Council funded a Teaching Assistant for 15 hours per week.",
    "STLS Autism Outreach and the Sensory Team have visited. The Kent PRU was considered.",
    "Mrs Patel and Dr Sarah Jones met Mr J Smith.",
    "Our EP, Sarah Jones, visited in October.",
    "Hi Hannah, Tom Walsh and Hannah will both come.",
    "Tunbridge Wells, Herne Bay and Kings Hill schools are in the community.",
    "Uses Colourful Semantics, Attention Autism and Precision Teaching in Key Stage 2.",
    "White British boy, speaks Polish and English; Arabic spoken at home.",
    "Referred to CAMHS; ADHD assessment pending; SALT input from the NHS.",
    "The Specialist Teaching and Learning Service (STLS) observed him on Tuesday.",
    "The pupil arrived from Romania in 2024 and has EAL.",
    "Interventions: Toe by Toe, Read Write Inc, Fresh Start, Numicon, Rapid Maths.",
    "Pupil Premium and Looked After Child. Virtual School Kent involved.",
    "Attends Sunflower Class with Mrs Hughes and Miss Lee.",
    "He was diagnosed with ADHD by Dr Patel at Maidstone Hospital.",
    "Will you support this request? May we have advice before the meeting?",
    "Grace has been shown by the whole class. Our values are Respect, Hope and Faith.",
    "Max 3 sessions per week. In May he moved schools.",
    "The plan was agreed on 01/09/2019 and he joined Reception on 05/09/2019.",
    "EHCP issued 03/05/2019; annual review due 12/03/2027.",
    "Review in March 2026, meeting on 12/03/2026, support since 2024.",
    "Funding of £3,500 requested; tel 01622 696000; ref COS-NWK-26-001.",
]


@pytest.mark.parametrize(("text", "expected"), MUST_WARN)
def test_sentences_that_identify_a_child_warn(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", MUST_NOT_WARN)
def test_sentences_that_do_not_identify_a_child_are_left_alone(text: str) -> None:
    assert found(text) == []


# --- UPNs ------------------------------------------------------------------------------------


def test_the_check_letter_follows_the_dfe_algorithm() -> None:
    assert upn_check_letter("801200005001") == "B"
    assert upn_check_letter("886200001501") == "Q"
    assert upn_check_letter("88620000150A") == "B"  # a temporary UPN's final letter has its table value
    assert upn_check_letter("88620000150I") is None  # I, O and S are not in the letter table
    assert upn_check_letter("8862000015") is None
    assert is_valid_upn("B801200005001")
    assert is_valid_upn("q886 2000 01501")
    assert not is_valid_upn("A801200005001")


@pytest.mark.parametrize(
    "upn",
    [
        "B801200005001",  # valid check letter
        "b801200005001",  # any case
        "A801200005001",  # wrong check letter, but the shape alone is a UPN
        "Q886200001501",  # a Kent (886) UPN
        "B88620000150A",  # temporary UPN: 11 digits and a letter
        "B801 2000 05001",  # in groups, with the right check letter
        "B-801-2000-05-001",
    ],
)
def test_upns_are_found(upn: str) -> None:
    assert found(f"Her UPN is {upn} on SIMS.") == [(UPN, upn)]


@pytest.mark.parametrize(
    "text",
    [
        "A801 2000 05001 is not a UPN when spaced with the wrong check letter",
        "B8012000050012 has 13 digits",
        "B80120000500 is too short",
        "XB801200005001 is part of a longer code",
        "Call 01622 694000 or 07700 900123",
    ],
)
def test_things_that_are_not_upns(text: str) -> None:
    assert [k for k, _ in found(text) if k == UPN] == []


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "12/03/2015",
        "12-03-15",
        "2.3.2015",
        "12.03.2015",
        "12 March 2015",
        "12th Mar 2015",
        "12th of March, 2015",
        "March 12, 2015",
        "Sept 3rd 2015",
        "2015-03-12",
        "03/25/2015",  # month first, when day first cannot be right
    ],
)
def test_full_dates_of_a_school_age_child_are_dates_of_birth(written: str) -> None:
    assert found(f"Child in Year 6, {written}, with SEN support.") == [(DATE_OF_BIRTH, written)]


@pytest.mark.parametrize(
    ("text", "date_text"),
    [
        ("DOB 12/3/15", "12/3/15"),
        ("D.O.B.: 12.03.2015", "12.03.2015"),
        ("(dob 1 May 2014)", "1 May 2014"),
        ("date of birth - 2015-03-12", "2015-03-12"),
        ("born on the 12th of March 2015", "12th of March 2015"),
        ("born 01/06/2025, so not yet two", "01/06/2025"),  # a cue wins over recency
        ("DOB 12/03/1990", "12/03/1990"),  # and over age
        ("DOB 12/3", "12/3"),  # a birthday without the year still identifies
        ("Birthday: 12 March", "12 March"),
        ("born in March 2015", "March 2015"),
    ],
)
def test_a_date_right_after_a_birth_cue_is_always_a_date_of_birth(text: str, date_text: str) -> None:
    assert found(text) == [(DATE_OF_BIRTH, date_text)]


@pytest.mark.parametrize(
    "text",
    [
        "meeting on 12/03/2026",  # recent
        "the next review is 12/03/2027",  # future
        "review in March 2026",  # no day
        "since 2024",  # no day or month
        "visited on 14/10/2025",
        "EHCP issued 03/05/2019",  # an event word before a school-age date
        "joined Reception on 05/09/2019",
        "assessed by the EP in 2019 and again on 12/03/2020",
        "his mother, 12/03/1990, attended",  # an adult's date without a cue
        "3 May",  # a day and month without a cue
        "scores of 12/15/20 and 31/02/2015",  # not dates
    ],
)
def test_event_dates_are_not_dates_of_birth(text: str) -> None:
    assert found(text) == []


def test_school_age_means_two_to_twenty_years_old_today() -> None:
    def is_dob(day: date) -> bool:
        return found(f"Pupil {day:%d/%m/%Y} Year 6") != []

    two_years_ago = date(2024, 11, 23)
    assert is_dob(two_years_ago)
    assert not is_dob(two_years_ago + timedelta(days=1))  # still 1: an event within the last two years
    assert is_dob(date(2005, 11, 24))  # 20 today
    assert not is_dob(date(2005, 11, 23))  # 21 today


def test_today_defaults_to_the_real_date() -> None:
    ten_years_ago = date.today().replace(day=1) - timedelta(days=3653)
    last_month = date.today().replace(day=1) - timedelta(days=20)
    assert [f.kind for f in find_identifying_text(f"Pupil {ten_years_ago:%d/%m/%Y}")] == [DATE_OF_BIRTH]
    assert find_identifying_text(f"Pupil {last_month:%d/%m/%Y}") == []


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "allowed", "expected"),
    [
        ("Hannah Reid will present.", (), [(NAME, "Hannah Reid")]),
        ("Hannah Reid will present.", ("Hannah Reid",), []),
        ("hannah reid's slides", ("Hannah Reid",), []),  # not capitalised: not a name anyway
        ("H. Reid will present.", ("Ms Hannah Reid",), []),
        ("Hannah will present.", ("Hannah Reid",), []),
        ("Hannah Louise Reid will present.", ("Hannah Reid",), []),
        ("Hannah Reid’s pupil is Jack Reid.", ("Hannah Reid",), [(NAME, "Jack Reid")]),
        ("Sarah Reid will present.", ("Hannah Reid",), [(NAME, "Sarah Reid")]),
    ],
)
def test_allowed_names_are_the_rosters_staff(
    text: str, allowed: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    findings = find_identifying_text(text, allowed_names=allowed, today=TODAY)
    assert [(f.kind, f.text) for f in findings] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mrs Sarah Jones met Jack Jones.", [(NAME, "Jack Jones")]),  # titled adults are staff
        ("SENCO Sarah Jones and Jack Jones", [(NAME, "Jack Jones")]),
        ("Sarah Jones (EP) and Jack Jones (Year 5)", [(NAME, "Jack Jones")]),
        ("Jack Jones, headteacher, and Amy Jones, Year 2", [(NAME, "Amy Jones")]),
    ],
)
def test_names_next_to_a_title_or_staff_role_are_adults(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_sentence_opening_words_need_a_known_forename() -> None:
    assert found("Weekly Sessions were held.") == []
    assert found("Wojciech Nowak was excluded.") == []  # known miss: an unlisted forename opening a sentence
    assert found("Kacper Nowak was excluded.") == [(NAME, "Kacper Nowak")]
    assert found("We excluded Wojciech Nowak.") == [(NAME, "Wojciech Nowak")]
    assert found("April Jones and May Smith attend.") == []  # known miss: months are never names


def test_findings_are_in_text_order_and_do_not_overlap() -> None:
    text = "Amy Green, DOB 12/03/2015; Jack Smith, UPN b801 2000 05001; Oliver, born 1 May 2014."
    findings = find_identifying_text(text, today=TODAY)
    assert [f.text for f in findings] == [
        "Amy Green",
        "12/03/2015",
        "Jack Smith",
        "b801 2000 05001",
        "Oliver",
        "1 May 2014",
    ]
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start


# --- the warning -----------------------------------------------------------------------------


def test_no_findings_means_no_warning() -> None:
    assert warning_for([]) == ""


def test_the_warning_says_what_was_found_and_how_to_rephrase() -> None:
    message = warning_for(find_identifying_text("Jack Smith, DOB 12/03/2015", today=TODAY))
    assert "a date that looks like a date of birth (12/03/2015)" in message
    assert "what looks like a name (Jack Smith)" in message
    assert ADVICE[NAME] in message
    assert ADVICE[DATE_OF_BIRTH] in message
    assert ADVICE[UPN] not in message
    assert "pseudonymous pupil reference" in message
    assert message.index("Jack Smith") < message.index("12/03/2015")  # in the order found


def test_the_warning_quotes_only_a_few_characters() -> None:
    message = warning_for(
        find_identifying_text(
            "UPN B801200005001 for Amelia-Rose O'Neill-Fitzgerald-Smythe, Sam, Alex, Oliver and Jack.",
            today=TODAY,
        )
    )
    assert "B801200005001" not in message
    assert "what looks like a UPN (B801…)" in message
    assert "Fitzgerald-Smythe" not in message
    assert "(Amelia-Rose O'Neill…, Sam, Alex and 2 more)" in message


def test_the_warning_gives_each_piece_of_advice_once() -> None:
    findings = [
        Finding(NAME, "Jack Smith", 0, 10, ADVICE[NAME]),
        Finding(NAME, "Jack Smith", 20, 30, ADVICE[NAME]),
        Finding(NAME, "Amy Green", 40, 49, ADVICE[NAME]),
    ]
    message = warning_for(findings)
    assert message.count(ADVICE[NAME]) == 1
    assert "what look like names (Jack Smith, Amy Green)" in message
