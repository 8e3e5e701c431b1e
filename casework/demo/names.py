"""Invented vocabulary for the demo database: obviously synthetic names, never real people.

Given and family names are built from nonsense syllables ("Zelora Quorkettle"); streets
are invented ("Gossamthorpe Close"); phone numbers come from Ofcom's ranges reserved for
drama (07700 900xxx, 01632 960xxx); e-mail addresses use the reserved example.org domain.
"""

from __future__ import annotations

GIVEN_STEMS = (
    "Zel", "Quor", "Vex", "Ys", "Brel", "Tam", "Oph", "Nim", "Sar", "Kel", "Fen", "Dor",
    "Mir", "Lun", "Pell", "Cass", "Rhi", "Tav", "Orv", "Jex", "Wren", "Bex", "Ulf", "Zan",
)
FEMALE_ENDINGS = ("ina", "ella", "ora", "yra", "ette", "anthe", "isse", "oby")
MALE_ENDINGS = ("ix", "an", "orn", "ric", "o", "us", "ander", "wyn")

FAMILY_STEMS = (
    "Zib", "Quor", "Plim", "Vex", "Grob", "Wib", "Yox", "Drub", "Flib", "Krin", "Mub",
    "Nox", "Trel", "Zog", "Blen", "Crum", "Jax", "Pog", "Snib", "Thrum", "Varp", "Wug",
    "Ozz", "Hib",
)
FAMILY_ENDINGS = (
    "bottle", "wimble", "flint", "thwaite", "sprocket", "whistle", "kettle", "muddle",
    "wick", "sworth", "tumble", "hopper", "dangle", "plank", "fiddle", "gusset",
)

STREET_STEMS = (
    "Gossam", "Quillow", "Saffle", "Kestle", "Zephyr", "Brimble", "Dapple", "Fennick",
    "Marrowby", "Oriel", "Pebbly", "Thistly", "Umber", "Yarrowy", "Cinderly", "Larkwing",
    "Nettly", "Velvin", "Wimbrel", "Hazzle",
)
STREET_ENDINGS = ("thorpe", "combe", "dene", "holt", "mead", "stow", "wick", "worth",
                  "brook", "gate", "ridge", "ley")
STREET_KINDS = ("Road", "Street", "Close", "Lane", "Way", "Crescent", "Gardens", "Court",
                "Place", "Avenue", "Walk", "Terrace")
BLOCK_NAMES = ("Gossam House", "Quillow Court", "Zephyr Tower", "Kestle Mansions",
               "Brimble Heights", "Saffle Lodge")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TOWN = "Oxford"

NATIONALITIES = (
    ("British", 30), ("Albanian", 14), ("Vietnamese", 12), ("Romanian", 10),
    ("Eritrean", 6), ("Sudanese", 6), ("Polish", 5), ("Chinese", 4), ("Nigerian", 4),
    ("Indian", 3), ("Not known", 6),
)

# Agencies as vocabulary codes (resources/vocabularies.json "agency").
SWIP_AGENCIES = (
    "police", "council_asb", "sexual_health", "drug_alcohol", "housing_options", "probation",
    "adult_social_care", "outreach", "gp", "mental_health", "domestic_abuse", "job_centre",
)
MART_AGENCIES = (
    "police", "glaa", "dwp", "adult_safeguarding", "childrens_social_care", "council_housing",
    "fire_service", "victim_care", "council_licensing", "trading_standards",
)
FIRST_RESPONDERS = ("Police", "Local authority", "Home Office first responder",
                    "Charity first responder (demo)")
REFERRER_AGENCIES = ("police", "outreach", "sexual_health", "drug_alcohol", "housing_options",
                     "probation", "adult_social_care", "council_asb", "self_referral")

CONTRACTORS = (
    "Quorbright Locks and Security (Demo) Ltd",
    "Zibwick Doors and Glazing (Demo) Ltd",
    "Plimsafe Home Protection (Demo) Ltd",
    "Drubfast Fire and Security (Demo) Ltd",
    "Noxgate Building Services (Demo) Ltd",
    "Wibhold Property Care (Demo) Ltd",
)

ASB_SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "personal": ("harassment", "hate", "intimidation", "neighbour_dispute"),
    "nuisance": ("noise", "drug_related", "street_drinking", "youth_nuisance", "vehicle",
                 "begging"),
    "environmental": ("fly_tipping", "graffiti", "litter", "dog_fouling", "vehicle"),
}

INCIDENT_TEXT = (
    "Loud music reported late into the night from the neighbouring flat.",
    "Group gathering in the stairwell, shouting and leaving litter.",
    "Verbal abuse directed at the complainant outside the shop.",
    "Suspected drug dealing from a parked car in the evening.",
    "Rubbish bags dumped on the communal green.",
    "Graffiti sprayed on the garages at the rear of the block.",
    "Complainant reports repeated banging on the shared wall.",
    "Motorbikes ridden across the park and footpaths.",
    "Abusive messages left on the complainant's door.",
    "Street drinking and urinating in the alleyway.",
)
HATE_TEXT = (
    "Slurs shouted at the complainant because of their perceived religion.",
    "Offensive graffiti targeting the complainant's ethnicity.",
    "Complainant taunted in the street about their disability.",
)
NOTE_TEXT = (
    "Phoned the complainant to update on progress; they report some improvement.",
    "Home visit completed; situation discussed and diary sheets left.",
    "Liaised with the neighbourhood police team about the latest reports.",
    "Housing officer confirmed a tenancy warning has been issued.",
    "Case reviewed with the team leader; current plan to continue.",
    "Complainant asked for an update by e-mail in future.",
    "No further reports received since the last contact.",
    "Diary sheets returned with four entries over the fortnight.",
    "Multi-agency problem-solving meeting held; actions agreed.",
    "Left a voicemail; will try again tomorrow.",
    "Referral partner confirmed engagement with support.",
    "Safety planning discussed and reviewed.",
)
PROGRESS_TEXT = (
    "Engaging well with outreach; attended two appointments.",
    "Not seen by outreach since the last meeting.",
    "Housing application submitted; awaiting decision.",
    "Registered with a GP; health check booked.",
    "Disclosed concerns about a new associate; police informed.",
    "Stable accommodation secured; engagement continuing.",
    "Missed appointments; agencies to try joint visit.",
)
ACTION_TEXT = (
    "Arrange a joint outreach visit.",
    "Complete a housing needs assessment.",
    "Share safety information with the team.",
    "Offer a substance-use assessment appointment.",
    "Check benefits entitlement and support the claim.",
    "Carry out a safeguarding welfare check.",
    "Review premises licence conditions at the location.",
    "Provide a safe-phone and safety plan.",
)
RECOMMENDATION_TEXT = (
    "Carry out a joint visit with the applicant within two weeks.",
    "Review the housing provider's handling of earlier complaints.",
    "Install additional street lighting near the applicant's home.",
    "Allocate a single point of contact for the applicant.",
    "Consider a Community Protection Warning for the alleged perpetrator.",
    "Share incident information between agencies weekly.",
)
FINDINGS_TEXT = (
    "Agencies acted on each report but did not join up their responses.",
    "The response was reasonable; communication with the applicant could improve.",
    "Reports to the housing provider were not passed to the council.",
    "Action was delayed by staff changes; a clearer plan is needed.",
)
APPLICANT_RESPONSES = ("Satisfied with the review outcome.", "Partly satisfied.",
                       "Not satisfied; considering an appeal.", "")
FEEDBACK_TEXT = ("Feel much safer at home now.", "The new door makes a big difference.",
                 "Still worried at night but better than before.", "")
BREACH_ACTIONS = ("further_warning", "fixed_penalty_notice", "escalated_to_cpn",
                  "prosecution", "court_application", "no_action")  # breach_response codes
UGLY_MUG_TEXT = ("Report of a man acting aggressively towards a worker near the ring road.",
                 "Vehicle following workers; registration partly noted.",
                 "Client refused to pay and made threats.")
UGLY_MUG_CODES = {UGLY_MUG_TEXT[0]: "threats", UGLY_MUG_TEXT[1]: "vehicle",
                  UGLY_MUG_TEXT[2]: "refused_payment"}  # dangerous_individual codes
CASE_SUMMARY = {
    "asb": "Synthetic ASB case for demonstration.",
    "trigger": "Synthetic Community Trigger application for demonstration.",
    "swip": "Synthetic SWIP referral for demonstration.",
    "mart": "Synthetic MART referral for demonstration.",
    "sanctuary": "Synthetic sanctuary job for demonstration.",
}
WORK_COSTS: dict[str, tuple[int, int, str]] = {
    # kind: (min pence, max pence, description)
    "door_lock": (4500, 9000, "Replace front door lock with anti-snap cylinder"),
    "window_lock": (1500, 4000, "Fit key-operated window locks"),
    "door_viewer": (2000, 3500, "Fit wide-angle door viewer"),
    "door_chain": (1500, 3000, "Fit door chain"),
    "reinforced_door": (45000, 90000, "Reinforce front door and frame"),
    "replacement_door": (60000, 120000, "Replace front door with security-rated door"),
    "sanctuary_room": (150000, 300000, "Create sanctuary room with fire-rated door"),
    "fireproof_letterbox": (6000, 12000, "Fit fire-proof letterbox"),
    "lighting": (8000, 20000, "Fit external security lighting"),
    "alarm": (15000, 40000, "Install monitored alarm"),
    "video_doorbell": (8000, 15000, "Install video doorbell"),
    "guardcam": (30000, 60000, "Install covert guardcam"),
}
