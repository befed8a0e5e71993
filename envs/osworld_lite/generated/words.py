"""Vocabulary the generators draw their data from (fictional people, products and places).

Lists are long enough that the families' combinations run into the millions, so a thousand
tasks rarely need a second draw to be distinct. None of these names is used by the built-in
suite's test tasks' data.
"""
from __future__ import annotations

import random

FIRST = ("Aaliyah Abel Adaeze Agnes Aiko Alba Aleksander Alma Amir Anouk Ansel Aria Arvid Astrid "
         "Aurelio Bao Beatriz Bettina Bjorn Blessing Bodhi Camille Casimir Cecilia Cosmin Dalia "
         "Damian Dilnoza Dorian Edda Efua Eliska Emeka Enzo Esra Ezra Fabienne Farah Femi Florin "
         "Freya Gaspard Gideon Greta Gunnar Halima Hamza Harriet Ilse Imani Ines Isak Jelena Joaquin "
         "Jovana Kaito Kalani Karim Katya Kwame Lars Leandro Liesel Lorenzo Lucia Magnus Maile Malin "
         "Marisol Mateja Milos Mirela Nadia Nikolai Nils Noor Oisin Olamide Orla Oskar Paloma Pavel "
         "Petra Quentin Rafaela Rania Rasmus Renata Rohan Rui Saoirse Selin Seren Soren Stellan "
         "Sunniva Tamsin Teodor Thandiwe Tobias Ulla Valentin Vesna Viggo Wanjiru Xiomara Yara Yosef "
         "Zainab Zeno Zofia").split()
LAST = ("Abara Achterberg Adeyemi Almeida Andersen Arslan Bakker Balogun Barros Bergstrom Bianchi "
        "Borowski Brandt Castellano Cerny Ciobanu Dahl Delacroix Dimitrov Domingo Eklund Esposito "
        "Falk Ferreira Fontaine Galanis Gruber Halvorsen Hartmann Horvath Ivanova Jaramillo Jensen "
        "Kaminski Karlsson Kowalczyk Kuznetsov Lambert Larsen Leclerc Lindholm Lombardi Lund Maier "
        "Marquez Mbeki Moretti Mwangi Nakamura Nieminen Novotny Nyberg Obi Oliveira Osei Pereira "
        "Popescu Quintero Rahman Reyes Richter Romano Saarinen Salazar Schmitt Sorensen Szabo "
        "Takahashi Teixeira Toivonen Torres Udeh Valdez Varga Vasquez Verhoeven Vogel Wagner "
        "Watanabe Wojcik Yilmaz Zielinski Zamora").split()
PRODUCTS = ("Anchor Bolt|Bamboo Tray|Bench Vise|Cable Organizer|Ceramic Mug|Chalk Board|Copper Kettle|"
            "Cork Board|Desk Fan|Drawer Divider|Ergonomic Mat|Field Notebook|Filing Cabinet|Flip Chart|"
            "Garden Hose|Glass Jar|Hand Truck|Headset Stand|Ink Cartridge|Key Cabinet|Label Maker|"
            "Laminator|Laser Pointer|Letter Tray|Magnifier|Marker Set|Mesh Chair|Night Lamp|Notice Board|"
            "Paper Shredder|Pencil Case|Phone Holder|Plant Pot|Power Strip|Rain Jacket|Reading Lamp|"
            "Road Map|Rubber Stamp|Safety Goggles|Scanner|Seed Tray|Shelf Bracket|Step Stool|Storage Box|"
            "Tape Dispenser|Thermos|Tool Belt|Torch|Travel Adapter|Tripod|Umbrella Stand|USB Hub|"
            "Wall Clock|Water Filter|Webcam Cover|Whiteboard|Wire Basket|Wrist Rest|Yoga Block|Zip Folder"
            ).split("|")
REGIONS = ("Aldwick|Bramford|Carrow|Dunmere|Eastleigh|Fenwick|Glenrock|Harrowgate|Ivybridge|Juniper|"
           "Kestrel|Larkspur|Millbrook|Northgate|Oakhurst|Pinecrest|Quarry Hill|Redcliff|Stonebridge|"
           "Thornbury|Upton|Valemont|Westmoor|Yarrow").split("|")
TEAMS = ("Accounts|Analytics|Billing|Compliance|Design|Facilities|Field Ops|Hardware|Infrastructure|"
         "Legal|Logistics|Marketing|Mobile|Payroll|Platform|Procurement|Quality|Research|Sales|"
         "Security|Support|Training|Web").split("|")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
WORDS = ("amber anchor apex arbor atlas aurora basalt beacon birch bluebell boulder breeze canyon "
         "cedar cinder cobalt comet coral cypress delta dune ember falcon fern fjord flint glacier "
         "granite harbor hazel heron horizon indigo iris jade juniper kelp lagoon lantern laurel "
         "lichen lotus magnet maple marble meadow mesa nectar nimbus oasis onyx orchid osprey pebble "
         "pepper pine plume prairie quartz quill raven reef ripple saffron sage sierra slate sparrow "
         "spruce summit tangent thistle tide timber topaz tundra umber valley velvet willow zephyr").split()
NOUNS = ("agenda|audit|backlog|brochure|budget|catalogue|checklist|forecast|handover|inventory|invoice|"
         "itinerary|ledger|minutes|newsletter|outline|payroll|plan|playbook|proposal|receipt|report|"
         "roadmap|roster|schedule|summary|timeline|worklog").split("|")
TOPICS = ("the new badge readers|the spring inventory count|the parking garage repairs|the customer survey|"
          "the intern programme|the warehouse relocation|the laptop refresh|the quarterly town hall|"
          "the recycling scheme|the website redesign|the data centre migration|the volunteer day|"
          "the supplier review|the fire drill|the charity run|the new expense policy|the canteen menu|"
          "the printer upgrade|the travel guidelines|the mentoring scheme|the office plants|"
          "the bicycle shed|the help desk hours|the archive clean-up").split("|")
VERBS = ("reviewed|approved|postponed|discussed|updated|confirmed|scheduled|extended|simplified|"
         "budgeted|documented|tested|announced|shortened|reorganised").split("|")
EXTENSIONS = ("pdf", "png", "jpg", "csv", "txt", "zip", "mp3", "docx", "xlsx", "log")
HOSTS = ("alpha|bravo|castor|dorado|electra|fornax|gemini|hydra|indus|lyra|mensa|norma|orion|pavo|"
         "pictor|rigel|sagitta|tucana|vela|volans").split("|")
LEVELS = ("ERROR", "WARN", "INFO", "DEBUG")
SERVICES = ("auth|billing|cache|gateway|indexer|mailer|payments|queue|reports|scheduler|search|"
            "storage|thumbnails|uploads").split("|")


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def people(rng: random.Random, n: int) -> list[str]:
    """`n` distinct full names."""
    out: list[str] = []
    while len(out) < n:
        name = person(rng)
        if name not in out:
            out.append(name)
    return out


def phone(rng: random.Random) -> str:
    return f"555-{rng.randint(200, 9999):04d}"


def slug(text: str) -> str:
    return "-".join(text.lower().replace("'", "").split())


def token(rng: random.Random, parts: int = 2) -> str:
    """A made-up identifier such as `cedar-falcon`."""
    return "-".join(rng.sample(WORDS, parts))


def sentence(rng: random.Random) -> str:
    who = rng.choice(TEAMS)
    return (f"The {who} team {rng.choice(VERBS)} {rng.choice(TOPICS)} on "
            f"{rng.randint(1, 28)} {rng.choice(MONTHS)}.")
