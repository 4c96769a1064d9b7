"""Build the labelled Träger set from Berlin's open data (youth centres and care homes).

    .venv/bin/python bench/linkage_data.py      # writes bench/data/berlin_traeger.csv

One record per Träger name as an office entered it (per source; exact repeats of a name are one
record), with the website, phone, addresses and Bezirke of its facilities. Every record carries
two hand-made labels (see docs/analyses.md, "Labelled real set"):

- ``entity``: the legal entity behind the name. Two records with the same entity are the *same
  Träger* (a merge is right).
- ``group``: the group or umbrella (AWO, DRK, Caritas, DOMICIL, …). Two records of one group but
  different entities are *zusammengehörige Träger* (relation, never a merge).

The labels come from the ENTITY and GROUP tables below, written by reading every name (the
printed lists of names, websites and Träger addresses), not from the linkage model. Natural
persons (care homes run by one person, names of managing directors) are dropped.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "berlin"
OUT = ROOT / "bench" / "data" / "berlin_traeger.csv"

# Natural persons or names built from a person's name: not in the set (no personal data).
DROP = re.compile(
    r"^(Barbara Effinger|Christian Matat|Frank Boettner|Matthias Mielenz|Sabine Treike|"
    r"Silvia Walke)$|Kurt Schwenzer|Heinz\s+Gärtner|Horst Czapla|Friedrich W\. Büttner|"
    r"Friedrich Küter|Roy\+Utke"
)
# Names that do not name anyone ("111", "n w", a bare "Jugendamt"): not labellable from the
# name, left out (4 facilities).
UNNAMED = {"111", "n w", "Jugendamt", "Jugendamt (örtlicher Träger)"}
# A trailing managing director is a person: cut off.
PERSON_SUFFIX = re.compile(r",\s*Geschf\..*$")

BEZIRKE = {
    "mitte": "mitte",
    "friedrichshain": "friedrichshain-kreuzberg",
    "pankow": "pankow",
    "charlottenburg": "charlottenburg-wilmersdorf",
    "spandau": "spandau",
    "steglitz": "steglitz-zehlendorf",
    "tempelhof": "tempelhof-schoeneberg",
    "neuk": "neukoelln",
    "treptow": "treptow-koepenick",
    "lichtenberg": "lichtenberg",
    "reinickendorf": "reinickendorf",
    "marzahn": "marzahn-hellersdorf",
}

# (pattern on the name, entity): first match wins. Names not matched are their own entity.
ENTITY: list[tuple[str, str]] = [
    # Public Träger: a Bezirksamt with its departments (Jugendamt, Abt. ...) is one Träger;
    # the twelve Bezirksämter are twelve (different authorities, no group).
    (r"^(BA|Bezirksamt|Bezirksmt|Berzirksamt|Jugendamt)\b", "bezirksamt-{bezirk}"),
    (r"FiPP|Fortbildungsinstitut f", "fipp"),
    (r"GSJ|Gesellschaft für Sport und Jugendsozialarbeit", "gsj"),
    (r"tjfbg|technische Jugend", "tjfbg"),
    (r"HVD|Humanistischer Verband", "hvd"),
    (r"SozDia|Sozdia|Sozialdiakonische Arbeit", "sozdia"),
    (r"Sozialdiakonische Kinder|^Verbund e\.V\.", "verbund-ev"),
    (r"Pestalozzi|^PFH$", "pfh"),
    (r"Stiftung SPI", "stiftung-spi"),
    (r"NUSZ|Selbsthilfezentrum in der U[Ff][Aa]", "nusz"),
    (r"Kinderring|KINDERRING", "kinderring"),
    (r"^(BDP|Bund Deutscher Pfadfinder)", "bdp"),
    (r"CJD", "cjd"),
    (r"^CVJM Berlin", "cvjm-berlin"),
    (r"Kreisjugendring K", "kjr-koepenick"),
    (r"Kreuzberger [Mm]usikalische", "kma"),
    (r"Schreberjugend", "schreberjugend"),
    (r"Eastend", "eastend"),
    (r"Klubheim", "klubheim"),
    (r"FRIEDA", "frieda"),
    (r"[Gg]renz[Kk]ultur", "grenzkultur"),
    (r"KFK|KIETZ FÜR KIDS", "kfk"),
    (r"Kids & Co|KIDS & CO", "kids-und-co"),
    (r"Kiezspinne", "kiezspinne"),
    (r"Kilele|Kinder lernen Leben", "kilele"),
    (r"LebensWelt|Lebenswelt", "lebenswelt"),
    (r"LiSA", "lisa"),
    (r"Loyal", "loyal"),
    (r"MaDonna|Madonna", "madonna"),
    (r"Moabiter Ratschlag", "moabiter-ratschlag"),
    (r"Nachbarschaftshaus Urbanstra", "nbh-urbanstrasse"),
    (r"Nachbarschaftsheim Neuk", "nbh-neukoelln"),
    (r"Nachbarschaftsheim Sch", "nbh-schoeneberg"),
    (r"[Oo]utreach", "outreach"),
    (r"^[Pp]ad ?g", "pad"),
    (r"Roter Baum", "roter-baum"),
    (r"[Cc]asablanca", "casablanca"),
    (r"RAA Berlin", "raa"),
    (r"Stadtteilverein Tiergarten", "stv-tiergarten"),
    (r"Stadtteilzentrum Steglitz", "stz-steglitz"),
    (r"[Tt]andem ?BTL|Tandembtl", "tandem"),
    (r"Vuesch", "vuesch"),
    (r"WeTeK", "wetek"),
    (r"Albatros", "albatros"),
    (r"Spree[- ]Wuhle", "awo-spree-wuhle"),
    (r"AWO Berlin Kreisverband Südost|Awo Südost", "awo-suedost"),
    (r"AWO Kreisverband Berlin-Mitte", "awo-mitte"),
    (r"DRK KV Berlin-Nordost", "drk-nordost"),
    (r"Wedding ?/ ?Prenzlauer Berg", "drk-wedding"),
    (r"SJD-Die Falken Landesverband|Die Falken - Landesverband", "falken-lv"),
    (r"Kirchenkreis Neukölln", "ek-kirchenkreis-neukoelln"),
    (r"Stadtmission", "stadtmission"),
    (r"Caritasverband f", "caritasverband"),
    (r"Deutsche Schreberjugend", "schreberjugend"),
]

# entity (or the record's own name key) -> group, for sister entities of one group or umbrella.
GROUP: list[tuple[str, str]] = [
    (r"^awo-|Arbeiterwohlfahrt|^AWO|^Awo", "awo"),
    (r"^drk-|^DRK|Deutsches Rotes Kreuz", "drk"),
    (r"^caritasverband$|^Caritas ", "caritas"),
    (r"^falken-lv$|Die Falken", "falken"),
    (r"^cvjm-berlin$|^CVJM", "cvjm"),
    (r"Malteser", "malteser"),
    (r"DOMICIL|Domicil", "domicil"),
    (r"CURATA", "curata"),
    (r"Alloheim", "alloheim"),
    (r"CASA REHA", "casa-reha"),
    (r"Kursana", "kursana"),
    (r"^FSE ", "fse"),
    (r"Johanniter", "johanniter"),
    (r"Bethel", "bethel"),
    (r"Pro Seniore", "pro-seniore"),
    (r"Rosenhof", "rosenhof"),
    (r"Johannesstift|Paul Gerhardt Stift", "johannesstift"),
    # Same Träger address (Elisabeth-Miller-Weg 2, Wisbyer Str. 16-17, Königsberger Str. 36,
    # Markgrafenstraße 19, Carl-von-Linde-Str. 42, Mühlenstr. 8a, Welfenallee 19, Storkower
    # Str. 111, Lichterfelder Allee 45, Allee der Kosmonauten 23 A): one group, separate GmbHs.
    (r"Therapiezentrum|Haus Schleusberg", "elisabeth-miller-weg"),
    (r"Pflegewerk|Haus Wiesengrund|SRK Seniorencentrum", "pflegewerk"),
    (r"Graf Schwerin|Pflegewohnheim Schönow|Pflegewohnheim Haus Luther", "graf-schwerin"),
    (r"KATHARINENHOF|LebensWerk", "katharinenhof"),
    (r"Residenz Ambiente|BEW Eichborndamm", "carl-von-linde"),
    (r"Zerbst|Riemeisterst", "muehlenstrasse"),
    (r"Käthe-Dorsch|Lietzensee", "welfenallee"),
    (r"PARITÄTISCHES Seniorenwohnen|Volkssolidarität", "storkower-111"),
    (r"Evangelische Altenhilfe Berlin|Diakonissenhaus Berlin", "lichterfelder-allee"),
    (r"^LBD|^RBO", "rbo"),
    (r"Blindenwohnst", "blindenwohnstaetten"),
    (r"Seniorenstiftung P", "seniorenstiftung-pb"),
]

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _key(name: str) -> str:
    """A record's own entity key when no ENTITY row matches: the name without case,
    punctuation and legal form (only exact variants fall together)."""
    text = name.lower().translate(_FOLD)
    text = re.sub(r"\b(e\.\s?v\.?|g?gmbh|g?ug|kdör|gag)(?=\W|$)", " ", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _bezirk(name: str, facility_bezirk: str) -> str:
    low = name.lower().translate(_FOLD)
    for stem, bezirk in BEZIRKE.items():
        if stem in low:
            return bezirk
    return _key(facility_bezirk)


def entity_of(name: str, facility_bezirk: str) -> str:
    for pattern, entity in ENTITY:
        if re.search(pattern, name):
            return entity.format(bezirk=_bezirk(name, facility_bezirk))
    return _key(name)


def group_of(name: str, entity: str) -> str:
    for pattern, group in GROUP:
        if re.search(pattern, entity) or re.search(pattern, name):
            return group
    return entity


def _clean(name: str) -> str:
    return PERSON_SUFFIX.sub("", re.sub(r"\s+", " ", name)).strip()


def _features(path: str) -> list[dict[str, object]]:
    with (DATA / path).open(encoding="utf-8") as f:
        return [feature["properties"] for feature in json.load(f)["features"]]


def build() -> list[dict[str, str]]:
    rows: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in _features("jugendfreizeiteinrichtungen.geojson"):
        name = _clean(str(p["t_name"]))
        if name in UNNAMED or DROP.search(name):
            continue
        r = rows[("jfe", name)]
        if p["t_web"]:
            r["website"].append(str(p["t_web"]).strip())
        if p["e_tel"]:
            r["phone"].append(str(p["e_tel"]).strip())
        r["addresses"].append(f"{p['e_strasse']} {p['e_hnr'] or ''}, {p['e_plz']} Berlin")
        r["bezirk"].append(str(p["e_bez"]))
    for p in _features("pflegeeinrichtungen.geojson"):
        name = _clean(str(p["traegername"]))
        if name in UNNAMED or DROP.search(name):
            continue
        r = rows[("pflege", name)]
        office = f"{p['traegerstrasse']}, {p['traegerplz']} {p['traegerort']}"
        if office not in r["addresses"]:
            r["addresses"].insert(0, office)
        r["addresses"].append(f"{p['gc_strasse']} {p['gc_haus']}, {p['gc_plz']} Berlin")
        r["bezirk"].append(str(p["gc_ortsteil"]))
    out: list[dict[str, str]] = []
    for n, ((source, name), r) in enumerate(sorted(rows.items())):
        bezirk = Counter(r["bezirk"]).most_common(1)[0][0]
        entity = entity_of(name, bezirk)
        out.append(
            {
                "id": f"{source}-{n + 1:03d}",
                "source": source,
                "name": name,
                "website": Counter(r["website"]).most_common(1)[0][0] if r["website"] else "",
                "phone": r["phone"][0] if r["phone"] else "",
                "addresses": " | ".join(dict.fromkeys(" ".join(a.split()) for a in r["addresses"])),
                "areas": " | ".join(sorted(set(r["bezirk"]))),
                "entity": entity,
                "group": group_of(name, entity),
            }
        )
    return out


def main() -> None:
    records = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    entities = Counter(r["entity"] for r in records)
    same = sum(c * (c - 1) // 2 for c in entities.values())
    print(
        f"{len(records)} records, {len(entities)} entities, {same} same-Träger pairs",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
