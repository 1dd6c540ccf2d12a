"""Word lists used by the rule-based extractor (lemmas, lower-case)."""

from __future__ import annotations

#: Verbs that introduce speech or a stated position (direct or reported).
SPEECH_VERBS: frozenset[str] = frozenset(
    """say tell add state claim argue warn suggest insist note explain declare announce write tweet post
    remark stress emphasize emphasise acknowledge admit deny assert contend predict promise pledge vow
    threaten urge describe dub brand label term ask reply respond answer comment concede complain
    criticize criticise accuse praise report confirm recall mention observe signal indicate caution
    counter maintain reiterate repeat boast joke quip lament hint propose demand estimate testify allege
    charge dismiss reject welcome call tell write proclaim retort shout scream whisper
    concede affirm assure advise recommend reveal disclose conclude agree disagree object protest
    blame dispute question doubt""".split()
)

#: Verbs of cognition that also carry an attributed position ("X believes that ...").
COGNITION_VERBS: frozenset[str] = frozenset(
    "believe think feel fear hope worry expect know reckon consider suspect assume guess imagine understand".split()
)

#: News outlets and agencies: reported *by* them, never the speaker of what they relay.
OUTLET_WORDS: frozenset[str] = frozenset(
    "agency newspaper outlet broadcaster channel magazine daily tabloid wire network radio television tv"
    .split()
)
KNOWN_OUTLETS: frozenset[str] = frozenset(
    s.lower() for s in (
        "Reuters", "AP", "Associated Press", "AFP", "Agence France-Presse", "Bloomberg", "BBC", "CNN", "Fox News",
        "The New York Times", "New York Times", "The Washington Post", "Washington Post", "The Guardian",
        "Guardian", "Belta", "BelTA", "TASS", "RIA Novosti", "Interfax", "Xinhua", "Al Jazeera", "Politico",
        "Axios", "NPR", "Breitbart", "Der Spiegel", "Le Monde", "Ukrinform", "Kyiv Independent", "DPA",
    )
)

MALE_PRONOUNS = frozenset("he him his himself".split())
FEMALE_PRONOUNS = frozenset("she her hers herself".split())
PLURAL_PRONOUNS = frozenset("they them their themselves".split())
FIRST_PERSON = frozenset("i me my we us our".split())
#: Capitalised words that introduce a name without being part of it ("Prime Minister Ana Ruiz").
ROLE_TITLES = frozenset(
    "president vice prime minister secretary senator sen. rep. representative governor gov. mayor "
    "chancellor premier spokesman spokeswoman spokesperson chairman chairwoman chair ceo director "
    "general gen. colonel col. judge justice ambassador commissioner deputy foreign finance defence "
    "defense interior health economy state chief leader speaker dr dr. prof prof. professor "
    "mr mr. mrs mrs. ms ms. miss sir lord lady dame king queen prince princess pope bishop father "
    "sister brother coach captain officer inspector sheriff attorney".split()
)
MALE_TITLES = frozenset("mr mr. sir lord king prince father brother".split())
#: Nouns that describe a man or a woman ("actress Susan Sarandon", "Ana Ruiz, the congresswoman").
MALE_NOUNS = frozenset(
    "man businessman chairman congressman spokesman husband father son brother actor king prince "
    "boyfriend uncle nephew grandfather widower".split())
FEMALE_NOUNS = frozenset(
    "woman businesswoman chairwoman congresswoman spokeswoman wife mother daughter sister actress queen "
    "princess girlfriend aunt niece grandmother widow".split())
FEMALE_TITLES = frozenset("mrs mrs. ms ms. miss madam madame lady queen dame sister".split())

#: Words that, right before a quoted title-case string, mark it as a name or title, not speech.
TITLE_INTRODUCERS: frozenset[str] = frozenset(
    "report book film movie song album paper study titled entitled headline column programme program "
    "operation campaign project initiative show series article essay slogan hashtag motto".split()
)
