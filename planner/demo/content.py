"""What the demo holds, as data: participants, the two dialogues, their commitments
(each quoted word for word from its statement), the demo accounts and the Amsterdam
minutes. The loader checks every quote against the statement's text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParticipantSpec:
    short_name: str
    name: str
    kind: str
    timezone: str
    country_code: str | None = None


@dataclass(frozen=True)
class CommitmentSpec:
    reference: str
    section: str
    theme: str | None  # a theme code, or None when the section has no theme
    title: str
    quote: str
    leads: tuple[str, ...] = ()
    status: str = "open"
    # Why the status is not open: the secretariat's note on the change (the coalition's
    # platform moves through the Amsterdam minutes instead).
    status_note: str = ""


@dataclass(frozen=True)
class AccountSpec:
    email: str
    name: str
    participant: str | None
    timezone: str | None
    dialogue_roles: dict[str, str] = field(default_factory=dict)
    is_secretariat: bool = False

    @property
    def description(self) -> str:
        if self.is_secretariat:
            return "secretariat: sees every dialogue"
        return ", ".join(f"{role} of {slug}" for slug, role in self.dialogue_roles.items())


PARTICIPANTS = [
    ParticipantSpec("UK", "Home Office of the United Kingdom", "state", "Europe/London", "GB"),
    ParticipantSpec(
        "AL", "Ministry of Interior of the Republic of Albania", "state", "Europe/Tirane", "AL"
    ),
    ParticipantSpec("BE", "Belgium (justice and interior ministries)", "state",
                    "Europe/Brussels", "BE"),
    ParticipantSpec("DE", "Germany (justice and interior ministries)", "state",
                    "Europe/Berlin", "DE"),
    ParticipantSpec("FR", "France (justice and interior ministries)", "state",
                    "Europe/Paris", "FR"),
    ParticipantSpec("IT", "Italy (justice and interior ministries)", "state",
                    "Europe/Rome", "IT"),
    ParticipantSpec("ES", "Spain (justice and interior ministries)", "state",
                    "Europe/Madrid", "ES"),
    ParticipantSpec("NL", "Ministry of Justice and Security of the Netherlands", "state",
                    "Europe/Amsterdam", "NL"),
    ParticipantSpec("EC", "European Commission", "institution", "Europe/Brussels"),
    ParticipantSpec("Europol", "Europol", "institution", "Europe/Amsterdam"),
    ParticipantSpec("Eurojust", "Eurojust", "institution", "Europe/Amsterdam"),
]

UK_ALBANIA_SLUG = "uk-albania"
COALITION_SLUG = "coalition"
COALITION_MEMBERS = ("BE", "DE", "FR", "IT", "ES", "NL")
COALITION_OBSERVERS = ("EC", "Europol", "Eurojust")

UK_ALBANIA_THEMES = [
    ("I", "Illicit finance"),
    ("II", "Corruption"),
    ("III", "Narcotics"),
    ("IV", "Organised immigration crime"),
]

COALITION_THEMES = [
    ("PORTS", "Ports and logistics hubs"),
    ("LATAM", "Latin America and international partners"),
    ("FIN", "Financial screening"),
    ("CONF", "Confiscation of criminal money"),
    ("DETECT", "Detection and information sharing"),
]

BOTH = ("UK", "AL")

UK_ALBANIA_COMMITMENTS = [
    CommitmentSpec(
        "I.1", "I", "I", "Coordinated response and shared expertise on illicit finance",
        "They agree to deliver a coordinated and joint response and commit to sharing "
        "expertise and experience, including on money laundering methodologies and "
        "professional enablers who exploit policy, regulatory and legislative loopholes.",
        BOTH, "in_progress",
        "The two ministries have named contact points and exchange money laundering "
        "typologies.",
    ),
    CommitmentSpec(
        "I.2", "I", "I", "Joint interventions on money laundering and cash smuggling",
        "The Participants commit to concerted efforts to develop and progress joint "
        "interventions in these areas.",
        BOTH,
    ),
    CommitmentSpec(
        "II.1", "II", "II", "Bilateral dialogue on corruption and systemic integrity",
        "In this context, they will enhance their bilateral dialogue on tackling corruption, "
        "and encourage cooperation in building systemic integrity, including independent "
        "institutions which are empowered to investigate and prosecute corruption where it "
        "is found.",
        BOTH,
    ),
    CommitmentSpec(
        "II.2", "II", "II", "Exchange of best practice on removing corruption",
        "They will work together alongside international partners to exchange experiences, "
        "challenges and best practice relating to their domestic policing policies and "
        "actions aimed at removing corruption and malpractice.",
        BOTH,
    ),
    CommitmentSpec(
        "III.1", "III", "III", "Enhanced bilateral cooperation against narcotics trafficking",
        "As key players in tackling this issue, the HO and MoI today express their desire to "
        "enhance their bilateral cooperation in the fight against narcotics trafficking.",
        BOTH,
    ),
    CommitmentSpec(
        "III.2", "III", "III", "Operational collaboration and joint policy on narcotics",
        "Participants seek to build on their existing operational collaboration in this "
        "field and develop areas of joint policy including with international partners.",
        BOTH,
    ),
    CommitmentSpec(
        "IV.1", "IV", "IV", "Border control, trafficking and illegal migration commitments",
        "While Albanian small-boat arrivals have reduced by 90% in 2023, we are committed to "
        "strengthening further the implementation of our shared international commitments "
        "especially in the areas of border control, the fight against organized crime, "
        "including human trafficking and exploitation in all its forms, and illegal "
        "migration.",
        BOTH,
    ),
    CommitmentSpec(
        "IV.2", "IV", "IV", "Joint Migration Taskforce operational capabilities",
        "The JMTF will further develop its operational capabilities to tackle this threat, "
        "including through work alongside other international partners who face this "
        "cross-border threat.",
        BOTH, "in_progress",
        "The JMTF reported its expanded operational work to both ministries.",
    ),
    CommitmentSpec(
        "IV.3", "IV", "IV", "Operational cooperation and data-sharing",
        "Participants will strengthen cooperation at the operational level, including but "
        "not limited to, effective biographic, biometric and judicial data-sharing.",
        BOTH,
    ),
    CommitmentSpec(
        "V.1", "V", None, "Annual senior official level dialogue",
        "In recognition of the importance of these areas of cooperation, the HO and MoI "
        "commit to establishing a senior official level dialogue to meet on an annual basis "
        "to discuss progress and identify further areas of collaboration.",
        BOTH, "met",
        "The senior official level dialogue is established and meets once a year.",
    ),
]

SIX = COALITION_MEMBERS

COALITION_COMMITMENTS = [
    CommitmentSpec(
        "¶2.1", "¶2", None, "Align resources, expertise and interventions",
        "The partner countries will do this by better aligning their resources, expertise "
        "and interventions, and applying them collectively.",
        SIX,
    ),
    CommitmentSpec(
        "¶5.1", "¶5", "PORTS", "Platform for ports, airports and transport corridors",
        "For example, a platform is being set up to enable the six countries to work together "
        "to disrupt and constrain drug smuggling through their respective logistical hubs: "
        "the ports, airports and transport corridors that serve as entry points to Europe.",
        SIX, "in_progress",
    ),
    CommitmentSpec(
        "¶5.2", "¶5", "LATAM", "Taskforce on organised drug crime with Latin America",
        "International cooperation will be expanded, and this will include a taskforce on "
        "organised drug crime in partnership with Latin American countries.",
        SIX,
    ),
    CommitmentSpec(
        "¶5.3", "¶5", "LATAM", "Capacity for cooperation with origin and transit countries",
        "It will focus on helping to build capacity for cooperation with countries known to "
        "be points of origin and transit for the drug trade, many of them in Latin America, "
        "in order to strengthen resilience against criminal networks.",
        SIX,
    ),
    CommitmentSpec(
        "¶5.4", "¶5", "LATAM", "Export and transit of drugs: the US, Caribbean and Balkans",
        "There will also be collaborative efforts to tackle the export and transit of drugs, "
        "for example by working with the United States, Caribbean countries and other parts "
        "of Europe such as the Balkan countries.",
        SIX,
    ),
    CommitmentSpec(
        "¶6.1", "¶6", "FIN", "Screening of financial transactions and business operators",
        "The six countries will also scale up the screening of financial transactions and of "
        "business operators such as shipping companies and transport providers, which might "
        "be deliberately or unknowingly involved in criminal activity.",
        SIX,
    ),
    CommitmentSpec(
        "¶6.2", "¶6", "CONF", "Finding and confiscating the proceeds of crime",
        "As the proceeds of crime are distributed globally, there will also be international "
        "efforts to find and confiscate that money through stronger EU legislation and "
        "cooperation agreements with countries that support payment and trade in crypto "
        "currencies.",
        SIX,
    ),
    CommitmentSpec(
        "¶6.3", "¶6", "DETECT", "Detection of illegal goods and information sharing",
        "There will be support for innovations to improve the detection of illegal goods and "
        "to improve information gathering and sharing among investigative authorities, while "
        "ensuring the safeguarding of data.",
        SIX,
    ),
    CommitmentSpec(
        "¶7.1", "¶7", None, "Regular meetings to keep the approach up to date",
        "The participating countries have agreed to regular meetings as a way of ensuring "
        "that their approach remains effective and up to date.",
        SIX, "in_progress",
        "The coalition met in Amsterdam and will meet again in Antwerp.",
    ),
]

ACCOUNTS = [
    AccountSpec("secretariat@example.org", "Dialogue Secretariat", None, "Europe/London",
                is_secretariat=True),
    AccountSpec("chair.ukal@example.org", "Chair, UK–Albania dialogue", "UK", "Europe/London",
                {UK_ALBANIA_SLUG: "chair"}),
    AccountSpec("chair.coalition@example.org", "Chair, coalition against organised crime",
                "NL", "Europe/Amsterdam", {COALITION_SLUG: "chair"}),
    AccountSpec("delegate.al@example.org", "Albanian delegate", "AL", "Europe/Tirane",
                {UK_ALBANIA_SLUG: "delegate"}),
    AccountSpec("delegate.nl@example.org", "Dutch delegate", "NL", "Europe/Amsterdam",
                {COALITION_SLUG: "delegate"}),
    AccountSpec("observer.europol@example.org", "Europol observer", "Europol",
                "Europe/Amsterdam", {COALITION_SLUG: "observer"}),
]
