"""What the importer should find in each statement of the quality test, written by hand
from reading the statements (never from the importer's output).

How the commitments were chosen. A sentence is a commitment when in it the participants
(or a body they set up, or their leaders on their behalf) undertake to do something: they
agree, commit, decide, plan or seek to do it, are ready or willing to, or will do it,
whether the statement says so in the present or reports it in the past tense of the
meeting it records. Not commitments: views (recognise, underline, note, emphasise),
welcomes and thanks, recalls of what was agreed elsewhere as background, descriptions of
facts or of what a thing will bring about ("The report will broaden our understanding"),
quoted speech, and the dialogue's next meeting (the secretariat schedules that as a
meeting; a commitment to hold meetings regularly is a commitment).

OPTIONAL lists the sentences where a careful reader could go either way; the test counts
them neither as found nor as missed, and a proposal of one is not a false one. Each has
its reason next to it, and the list is kept short.

The demo statements' commitments are planner/demo/content.py's (imported by the test).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Statement:
    filename: str
    source: str
    labels: tuple[str, ...]
    # (section label, the sentence word for word)
    commitments: tuple[tuple[str, str], ...]
    optional: tuple[tuple[str, str], ...] = field(default=())


AUSTRALIA_INDONESIA = Statement(
    filename="australia-indonesia-joint-communique-2001.txt",
    source=(
        "Joint communiqué on the visit of the Prime Minister of Australia, John Howard, to "
        "Indonesia; Jakarta, 13 August 2001; published by the Australian Prime Minister's "
        "office and the Indonesian presidency. Shape: title in capitals, fifteen numbered "
        "paragraphs, place and date after the last. Checked against the search tool's "
        "'pages' corpus: The Jakarta Post's report (jawawa.id/newsitem/howard-megawati-boost-"
        "indonesia-australia-ties-1447893297) quotes paragraph 3's second sentence and "
        "paragraph 2's 'practical cooperation in a wide range of fields' word for word and "
        "calls it a '15-point' communiqué; its quote of paragraph 13 spells 'emphasized' "
        "(the paper's house style). BBC News (news.bbc.co.uk/2/hi/1488165.stm) quotes "
        "paragraph 3 without the comma before 'and the implementation'; AP (chinapost) and "
        "the PM's transcript 11805 (pmtranscripts.pmc.gov.au) paraphrase paragraphs 2 and "
        "9. The whole text was not found there; the rest is as an earlier session stored it."
    ),
    labels=tuple(str(n) for n in range(1, 16)),
    commitments=(
        ("2", "They reaffirmed the strong desire of both countries to enhance the relationship "
              "through continuing practical cooperation in a wide range of fields."),
        ("4", "Prime Minister Howard reaffirmed Australia’s commitment to support Indonesia as "
              "it addressed its social and economic challenges and to support international "
              "efforts aimed at assisting Indonesia’s economic recovery."),
        ("4", "He affirmed that Australia would continue to encourage the international "
              "community’s support for Indonesia, including in the International Monetary Fund "
              "and the International Bank for Reconstruction and Development, and welcomed the "
              "importance placed by the Government of Indonesia in reaching agreement with those "
              "institutions on programmes of economic reform and management of Indonesia’s "
              "debt."),
        ("9", "The Prime Minister reaffirmed Australia’s readiness to assist with the "
              "resettlement and repatriation of East Timorese refugees."),
        ("10", "The two leaders noted the importance of Indonesia’s ideas on the establishment "
               "of the West Pacific Dialogue (formerly known as the West Pacific forum), and "
               "expressed their willingness to work together to develop the ideas further."),
        ("13", "They agreed to exchange information and to intensify bilateral and "
               "international cooperation to address these problems."),
    ),
    optional=(
        # Australia's programme described, not undertaken in so many words.
        ("5", "Beginning this year, the programme includes further initiatives in economic and "
              "financial management, legal reform and assistance for non-government and other "
              "organisations."),
        # A wish to see trade grow, and a welcome: soft, but a desire as in the demo's III.1.
        ("6", "The two leaders welcomed the strong commercial links between Australia and "
              "Indonesia, noted that two-way trade had grown by 25 per cent over the past year "
              "to a record level of $A6.4 billion, and expressed their desire to see bilateral "
              "trade grow further from both sides."),
        # "Looked forward to" a visit, a forum, regular meetings: plans, or only hopes.
        ("6", "They welcomed the trade and investment mission led by the Australian Minister "
              "for Trade, the Honourable Mark Vaile, MP, to Indonesia in February 2001, and "
              "looked forward to a return visit to Australia by an Indonesian trade and "
              "investment mission."),
        ("7", "They welcomed the substantial progress made on the Joint Plan of Action agreed at "
              "the meeting held in Canberra on 7-8 December 2000, and looked forward to the "
              "sixth Ministerial Forum in Indonesia in mid-2002."),
        ("7", "They welcomed the establishment of the Joint Working Group on Marine Resources "
              "and looked to it to address issues of common interest, including Indonesian "
              "traditional fishermen."),
        ("15", "The two leaders looked forward to meetings between themselves and meetings "
               "between Ministers and senior officials on a regular basis."),
    ),
)

MEXICO_CANADA_US = Statement(
    filename="mexico-canada-us-synthetic-drugs-firearms-2024.txt",
    source=(
        "Joint Statement from Mexico, Canada, and the United States Reaffirming Our Shared "
        "Commitment to Address the Regional Challenge of Synthetic Drugs and Firearms "
        "Trafficking, after the fourth meeting of the Trilateral Fentanyl Committee, Mexico "
        "City, 7 February 2024; published 9 February 2024 by the White House and by Canada "
        "(Embassy of Canada to Mexico). Shape: two paragraphs of press note, the statement "
        "between '* * * Begin text * * *' and '* * * End text * * *' (the sections: its "
        "three paragraphs), then the three delegation lists. Checked against the search "
        "tool's 'pages' corpus: wttlonline.com (stories/usmca-agreement-on-illicit-firearms-"
        "drug-trafficking,11736) quotes the statement's paragraphs from 'To advance public "
        "health' to 'We also commit to increase our use of the U.S. Department of Justice’s "
        "Bureau of Alc…' word for word; Canada's French version (canadaaumexique.com, "
        "2024/02) has the same first paragraph and the same three paragraphs; sprinforma.mx "
        "lists the same delegations. English press reports add Acting Deputy Secretary "
        "Kristie Canegallo to the first paragraph's hosts, which Canada's version does not. "
        "The whole text was not found there; the rest is as an earlier session stored it."
    ),
    labels=("¶1", "¶2", "¶3"),
    commitments=(
        ("¶1", "The United States, Mexico, and Canada commit to increasing collaboration on the "
               "control of precursor chemicals and equipment related to illicit drug "
               "production, continuously reviewing our legal frameworks to identify areas for "
               "improvement, and further engaging the private sector to combat the production "
               "of illicit synthetic drugs."),
        ("¶1", "We are also working to strengthen diplomatic efforts to build on the progress of "
               "the Global Coalition to Address Synthetic Drug Threats."),
        ("¶1", "To advance public health, we are committed to developing and implementing a "
               "common drug and substances analysis protocol, which will allow toxicologists "
               "from the three countries to improve our understanding of regional drug "
               "trends."),
        ("¶1", "In addition, we plan to convene a forum to discuss strategies and their "
               "implementation for assisting the long-term recovery of individuals with "
               "substance use disorders."),
        ("¶2", "As an important first step, we commit to developing a trilateral report that "
               "documents cross-border firearms seizures in all three countries."),
        ("¶2", "We also commit to increase our use of the U.S. Department of Justice’s Bureau of "
               "Alcohol, Tobacco, Firearms and Explosives’ (ATF) eTrace database to allow for "
               "more and faster joint investigations into the illicit trafficking of firearms "
               "across our borders."),
        ("¶3", "Together we will work aggressively to stem the flow of illicit fentanyl, "
               "precursor chemicals, and firearms across our shared borders; increase "
               "investigations and prosecutions of criminals behind these heinous crimes; and "
               "support individuals who are affected by these crimes and those in recovery."),
    ),
    optional=(
        # An invitation one party made: an offer, not yet a joint undertaking.
        ("¶2", "In addition, to increase and expedite information sharing on criminals and "
               "illicit activities associated with trafficking of fentanyl and firearms, the "
               "United States invited Mexico to embed personnel at the U.S. Customs and Border "
               "Protection National Targeting Center, joining Canadian personnel who are "
               "already embedded there."),
    ),
)

US_MEXICO = Statement(
    filename="us-mexico-bicentennial-framework-phase-ii-2023.txt",
    source=(
        "Joint Statement from Mexico and the United States on the Launch of Phase II of the "
        "Bicentennial Framework for Security, after the meeting of 9 March 2023 at Mexico's "
        "National Palace; published by the White House and Mexico's government, 9-10 March "
        "2023. Shape: title, eight plain paragraphs (the last two: the delegations). Checked "
        "against the search tool's 'pages' corpus: moneylowdown.com (funds/joint-statement-"
        "from-mexico-and-the-united-states-on-the-launch-of-phase-ii-of-the-bicentennial-"
        "framework-for-security) carries the title and the text word for word up to 'The two "
        "sides discussed a program ... supply chain. Mexico and t…'; the rest agrees with "
        "the Spanish version quoted by diariodecolima.com (2023-03-10) and a report on "
        "breakinglatest.news (the meeting in two months in Washington DC, Lupe Tapia). The "
        "whole English text was not found there; the rest is as an earlier session stored it."
    ),
    labels=tuple(f"¶{n}" for n in range(1, 9)),
    commitments=(
        ("¶2", "Mexico and the United States reaffirmed their commitment to deepen law "
               "enforcement cooperation and improve citizen security through the Bicentennial "
               "Framework, a long-term and dynamic partnership based on shared responsibility "
               "and respect for each country’s sovereignty."),
        ("¶3", "At the high-level meeting hosted by President López Obrador that took place on "
               "March 9, 2023 in Mexico’s National Palace, the two delegations committed to "
               "launching the second phase of the Bicentennial Framework to further increase "
               "cooperation to combat illicit fentanyl production, the trafficking of "
               "high-caliber weapons and ammunition into Mexico, and transnational organized "
               "crime."),
        ("¶3", "Mexico and the U.S. will also begin a new comprehensive binational public health "
               "campaign to prevent and reduce the risks of consuming fentanyl and other "
               "drugs."),
        ("¶5", "The United States and Mexico determined that the funds will be remitted in the "
               "spirit of, and will be used to advance the goals of, the Bicentennial "
               "Framework."),
        ("¶6", "The first priority of President Biden and President Lopez Obrador is to protect "
               "the lives of U.S. and Mexican citizens and the law enforcement agencies of the "
               "two governments committed to do everything in their power to identify, find, "
               "and hold accountable those responsible for this deadly attack."),
        ("¶6", "The United States and Mexico will bring all of their resources to bear against "
               "the cartels and transnational criminal organizations that kill and exploit "
               "citizens for enormous profits."),
        ("¶6", "The United States and Mexico stand firm in the commitment to disrupt these "
               "criminal networks that are impacting both countries."),
    ),
    optional=(
        # The leaders' instruction and commitment at the January summit: background that
        # this meeting follows through on, or the dialogue's first commitment.
        ("¶1", "At the North American Leaders’ Summit on January 9-10, President López Obrador, "
               "President Biden, and Prime Minister Trudeau instructed their Cabinets to "
               "intensify efforts to address the synthetic opioid epidemic that is ravaging "
               "communities across North America."),
        ("¶1", "The three leaders committed to intensify and expand coordinated efforts to "
               "prosecute drug traffickers, dismantle criminal networks, disrupt the supply of "
               "precursor chemicals used to make illicit fentanyl, and prevent the trafficking "
               "of drugs, firearms, and people across our shared border."),
        # An appointment announced: an arrangement rather than an undertaking.
        ("¶4", "President López Obrador announced that Secretary of Security and Civil "
               "Protection, Rosa Icela Rodríguez, will be the counterpart for leadership of the "
               "counter-Fentanyl effort with Dr. Sherwood-Randall."),
        # The next meeting (scheduled as a meeting), though with a purpose of substance.
        ("¶4", "Authorities from Mexico and the United States will meet again within two months "
               "in Washington, D.C. to further review and analyze the effectiveness of the "
               "enhanced policies and improve intelligence and information sharing on "
               "transnational criminal organizations."),
    ),
)

STATEMENTS = (AUSTRALIA_INDONESIA, MEXICO_CANADA_US, US_MEXICO)
