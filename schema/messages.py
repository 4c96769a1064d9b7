"""graphql-core's and strawberry's messages about a client's document, in German, with a code.

The only place they are translated (schema/errors.py calls ``translate`` for every error that
is the client's: syntax, validation, variable and input values, the document limits). Names
from the document (fields, types, variables, values) are kept as they are, quoted „so“. A
message without a pattern here still gets a German sentence for its kind (never the English
one), and the English text is logged at debug level so a translation can be added.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("verbund.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"

_SCHEMA_HINT = "Die Felder und Typen zeigt GraphiQL unter /graphql."


@dataclass(frozen=True, slots=True)
class Translated:
    code: str
    message: str


Rule = tuple[re.Pattern[str], str, Callable[[re.Match[str]], str]]


def _q(text: str) -> str:
    """A name or value from the document, quoted the German way (without its own quotes)."""
    return f"„{text.strip().strip(chr(39)).strip(chr(34))}“"


_NAME = r"'([^']*)'"
_DID_YOU_MEAN = re.compile(r"\s*Did you mean (.+?)\?")
_FOUND = re.compile(r"\s*Found: .*$", re.S)


def _suggestions(message: str) -> str:
    """' Meinten Sie „a“ oder „b“?' from graphql-core's ' Did you mean 'a' or 'b'?'."""
    found = _DID_YOU_MEAN.search(message)
    if not found:
        return ""
    names = re.findall(r"'([^']*)'", found.group(1))
    if not names:
        return ""
    quoted = [_q(n) for n in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " oder " + quoted[-1]
    return f" Meinten Sie {listed}?"


def _value(text: str) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= 60 else text[:57] + "…"


_SCALARS = {
    "Int": "eine ganze Zahl",
    "Float": "eine Zahl",
    "String": "eine Zeichenkette",
    "Boolean": "true oder false",
    "ID": "eine Kennung (Zeichenkette oder ganze Zahl)",
}


def _expected(type_name: str) -> str:
    bare = type_name.strip("[]!")
    return _SCALARS.get(bare, f"ein Wert vom Typ {_q(type_name)}")


# Values: literals in the document (validation) and variables (coercion) alike.
_VALUE_RULES: list[Rule] = [
    (
        re.compile(r"^Int cannot represent non 32-bit signed integer value: (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Die Zahl {_value(m.group(1))} liegt außerhalb des erlaubten Bereichs: ganze "
            "Zahlen von -2147483648 bis 2147483647."
        ),
    ),
    (
        re.compile(r"^(Int|Float|String|Boolean|ID) cannot represent (.*?)value: (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: f"Ungültiger Wert {_value(m.group(3))}: erwartet wird {_SCALARS[m.group(1)]}.",
    ),
    (
        re.compile(r"^Value cannot represent an? (\w+): (.*?)(\. .*)?$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Ungültiger Wert {_value(m.group(2))} für {_q(m.group(1))}"
            + (", erwartet z. B. 2026-12-03." if m.group(1) == "Date" else ".")
            + (" Beispiel: 2026-12-03T09:30:00+01:00." if m.group(1) == "DateTime" else "")
        ),
    ),
    (
        re.compile(rf"^Value {_NAME} does not exist in {_NAME} enum\.(.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Den Wert {_q(m.group(1))} gibt es bei {_q(m.group(2))} nicht."
            + _suggestions(m.group(3))
        ),
    ),
    (
        re.compile(rf"^Enum {_NAME} cannot represent non-enum value: (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Ungültiger Wert {_value(_FOUND.sub('', m.group(2)))}: erwartet wird einer "
            f"der Werte von {_q(m.group(1))}." + _suggestions(m.group(2))
        ),
    ),
    (
        re.compile(rf"^Enum {_NAME} cannot represent (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: f"Ungültiger Wert: erwartet wird einer der Werte von {_q(m.group(1))}.",
    ),
    (
        re.compile(
            rf"^Expected value of type {_NAME} not to include unknown field {_NAME}(.*)$", re.S
        ),
        BAD_USER_INPUT,
        lambda m: (
            f"Das Eingabefeld {_q(m.group(2))} gibt es bei {_q(m.group(1))} nicht."
            + _suggestions(m.group(3))
        ),
    ),
    (
        re.compile(rf"^Field {_NAME} of required type {_NAME} was not provided\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Das Pflichtfeld {_q(m.group(1))} ({m.group(2)}) fehlt.",
    ),
    (
        re.compile(rf"^Expected a value of non-null type {_NAME} to be provided\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Ein Wert fehlt: erwartet wird {_expected(m.group(1))}.",
    ),
    (
        re.compile(rf"^Expected value of non-null type {_NAME} not to be None\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Der Wert darf nicht null sein: erwartet wird {_expected(m.group(1))}.",
    ),
    (
        re.compile(rf"^Expected non-nullable type {_NAME} not to be null\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Der Wert darf nicht null sein: erwartet wird {_expected(m.group(1))}.",
    ),
    (
        re.compile(rf"^Expected type {_NAME} to be an? (object|list)\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Erwartet wird ein Objekt vom Typ {_q(m.group(1))}.",
    ),
    (
        re.compile(rf"^Expected value of type {_NAME}, found (.*?)(; (.*))?$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            _translate_value(m.group(3))
            if m.group(3)
            else f"Ungültiger Wert {_value(m.group(2))}: erwartet wird {_expected(m.group(1))}."
        ),
    ),
    (
        re.compile(rf"^Expected value of type {_NAME}", re.S),
        BAD_USER_INPUT,
        lambda m: f"Ungültiger Wert: erwartet wird {_expected(m.group(1))}.",
    ),
]


def _translate_value(message: str) -> str:
    for pattern, _, render in _VALUE_RULES:
        found = pattern.match(message.strip())
        if found:
            return render(found)
    log.debug("Ohne Übersetzung (Wert): %s", message)
    return "Ungültiger Wert."


_KINDS = {
    "operation": "Die Operation",
    "fragment": "Das Fragment",
    "argument": "Das Argument",
    "input field": "Das Eingabefeld",
    "variable": "Die Variable",
}


_VAR = r"'\$([^']*)'"

_RULES: list[Rule] = [
    # Variables (coerced before execution).
    (
        re.compile(rf"^Variable {_VAR} has invalid value(?: at ([^:]*))?: (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))}"
            + (f" (bei {_q(m.group(2).lstrip('.'))})" if m.group(2) else "")
            + " hat einen ungültigen Wert: "
            + _translate_value(m.group(3))
        ),
    ),
    (
        re.compile(rf"^Variable {_VAR} got invalid value (.*?)(?: at ([^;]*))?; (.*)$", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))}"
            + (f" (bei {_q(m.group(3))})" if m.group(3) else "")
            + " hat einen ungültigen Wert: "
            + _translate_value(m.group(4))
        ),
    ),
    (
        re.compile(rf"^Variable {_VAR} of required type {_NAME} was not provided\.", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))} ({m.group(2)}) fehlt; "
            "bitte unter „variables“ mitsenden."
        ),
    ),
    (
        re.compile(rf"^Variable {_VAR} of non-null type {_NAME} must not be null\.", re.S),
        BAD_USER_INPUT,
        lambda m: f"Die Variable {_q('$' + m.group(1))} ({m.group(2)}) darf nicht null sein.",
    ),
    (
        re.compile(rf"^Variable {_VAR} expected value of type {_NAME}", re.S),
        BAD_USER_INPUT,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))} hat den Typ {_q(m.group(2))}, "
            "der keine Eingabe sein kann."
        ),
    ),
    (
        re.compile(rf"^Variable {_VAR} cannot be non-input type {_NAME}", re.S),
        VALIDATION_FAILED,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))} kann nicht den Typ {_q(m.group(2))} "
            "haben (kein Eingabetyp)."
        ),
    ),
    (
        re.compile(rf"^Variable {_VAR} is not defined", re.S),
        VALIDATION_FAILED,
        lambda m: f"Die Variable {_q('$' + m.group(1))} wird benutzt, aber nicht deklariert.",
    ),
    (
        re.compile(rf"^Variable {_VAR} is never used", re.S),
        VALIDATION_FAILED,
        lambda m: f"Die Variable {_q('$' + m.group(1))} ist deklariert, wird aber nicht benutzt.",
    ),
    (
        re.compile(rf"^Variable {_VAR} of type {_NAME} used in position expecting type {_NAME}"),
        VALIDATION_FAILED,
        lambda m: (
            f"Die Variable {_q('$' + m.group(1))} hat den Typ {_q(m.group(2))}, hier "
            f"wird {_q(m.group(3))} erwartet."
        ),
    ),
    (
        re.compile(rf"^There can be only one variable named {_VAR}"),
        VALIDATION_FAILED,
        lambda m: f"Die Variable {_q('$' + m.group(1))} ist mehrfach deklariert.",
    ),
    # The document's shape.
    (
        re.compile(rf"^Cannot query field {_NAME} on type {_NAME}\.(.*)$", re.S),
        VALIDATION_FAILED,
        lambda m: (
            f"Das Feld {_q(m.group(1))} gibt es beim Typ {_q(m.group(2))} nicht."
            + (_suggestions(m.group(3)) or " " + _SCHEMA_HINT)
        ),
    ),
    (
        re.compile(rf"^Unknown argument {_NAME} on field {_NAME}\.(.*)$", re.S),
        VALIDATION_FAILED,
        lambda m: (
            f"Das Argument {_q(m.group(1))} gibt es beim Feld {_q(m.group(2))} nicht."
            + _suggestions(m.group(3))
        ),
    ),
    (
        re.compile(rf"^Unknown argument {_NAME} on directive {_NAME}\.(.*)$", re.S),
        VALIDATION_FAILED,
        lambda m: (
            f"Das Argument {_q(m.group(1))} gibt es bei {_q(m.group(2))} nicht."
            + _suggestions(m.group(3))
        ),
    ),
    (
        re.compile(
            rf"^(?:Field|Directive) {_NAME} argument {_NAME} of type {_NAME} is required, "
            "but it was not provided\\."
        ),
        VALIDATION_FAILED,
        lambda m: (
            f"Beim Feld {_q(m.group(1))} fehlt das Pflichtargument {_q(m.group(2))} ({m.group(3)})."
        ),
    ),
    (
        re.compile(
            r"^Argument '([^']*)\((\w+):\)' of type '([^']*)' is required, but it was not "
            r"provided\."
        ),
        VALIDATION_FAILED,
        lambda m: (
            f"Beim Feld {_q(m.group(1))} fehlt das Pflichtargument {_q(m.group(2))} ({m.group(3)})."
        ),
    ),
    (
        re.compile(rf"^Unknown type {_NAME}\.(.*)$", re.S),
        VALIDATION_FAILED,
        lambda m: f"Den Typ {_q(m.group(1))} gibt es nicht." + _suggestions(m.group(2)),
    ),
    (
        re.compile(rf"^Unknown directive {_NAME}\."),
        VALIDATION_FAILED,
        lambda m: f"Die Direktive {_q(m.group(1))} gibt es nicht.",
    ),
    (
        re.compile(rf"^Directive {_NAME} may not be used on (\w+)\."),
        VALIDATION_FAILED,
        lambda m: f"Die Direktive {_q(m.group(1))} ist hier ({m.group(2)}) nicht erlaubt.",
    ),
    (
        re.compile(rf"^The directive {_NAME} can only be used once at this location\."),
        VALIDATION_FAILED,
        lambda m: f"Die Direktive {_q(m.group(1))} darf hier nur einmal stehen.",
    ),
    (
        re.compile(rf"^Field {_NAME} must not have a selection since type {_NAME}"),
        VALIDATION_FAILED,
        lambda m: (
            f"Das Feld {_q(m.group(1))} ({m.group(2)}) hat keine Unterfelder; bitte "
            "ohne Auswahl in geschweiften Klammern abfragen."
        ),
    ),
    (
        re.compile(rf"^Field {_NAME} of type {_NAME} must have a selection of subfields"),
        VALIDATION_FAILED,
        lambda m: (
            f"Beim Feld {_q(m.group(1))} ({m.group(2)}) fehlt die Auswahl der "
            f"Unterfelder, z. B. „{m.group(1)} {{ id }}“."
        ),
    ),
    (
        re.compile(rf"^Fields {_NAME} conflict because"),
        VALIDATION_FAILED,
        lambda m: (
            f"Mehrere Felder heißen in der Antwort {_q(m.group(1))}, fragen aber "
            "Verschiedenes ab; bitte mit Aliasen unterscheiden."
        ),
    ),
    (
        re.compile(rf"^There can be only one (\w+(?: \w+)?) named {_NAME}"),
        VALIDATION_FAILED,
        lambda m: f"{_KINDS.get(m.group(1), 'Der Name')} {_q(m.group(2))} kommt mehrfach vor.",
    ),
    (
        re.compile(r"^This anonymous operation must be the only defined operation\."),
        VALIDATION_FAILED,
        lambda m: "Eine Operation ohne Namen muss die einzige im Dokument sein.",
    ),
    (
        re.compile(r"^Must provide operation name if query contains multiple operations\."),
        VALIDATION_FAILED,
        lambda m: "Das Dokument enthält mehrere Operationen; bitte „operationName“ angeben.",
    ),
    (
        re.compile(rf"^Unknown operation named {_NAME}\."),
        VALIDATION_FAILED,
        lambda m: f"Eine Operation {_q(m.group(1))} gibt es im Dokument nicht.",
    ),
    (
        re.compile(rf"^Unknown fragment {_NAME}\."),
        VALIDATION_FAILED,
        lambda m: f"Das Fragment {_q(m.group(1))} ist nicht definiert.",
    ),
    (
        re.compile(rf"^Fragment {_NAME} is never used\."),
        VALIDATION_FAILED,
        lambda m: f"Das Fragment {_q(m.group(1))} wird nicht benutzt.",
    ),
    (
        re.compile(rf"^Cannot spread fragment {_NAME} within itself"),
        VALIDATION_FAILED,
        lambda m: f"Das Fragment {_q(m.group(1))} enthält sich selbst.",
    ),
    (
        re.compile(
            r"^Fragment (?:'[^']*' )?cannot be spread here as objects of type "
            rf"{_NAME} can never be of type {_NAME}\."
        ),
        VALIDATION_FAILED,
        lambda m: f"Dieses Fragment passt hier nicht: {_q(m.group(1))} ist nie {_q(m.group(2))}.",
    ),
    (
        re.compile(rf"^Fragment (?:'[^']*' )?cannot condition on non composite type {_NAME}"),
        VALIDATION_FAILED,
        lambda m: f"Ein Fragment kann nicht auf {_q(m.group(1))} stehen (kein Objekttyp).",
    ),
    (
        re.compile(r"^(?:Anonymous )?Subscription (?:'[^']*' )?must select only one"),
        VALIDATION_FAILED,
        lambda m: "Abonnements werden nicht angeboten.",
    ),
    (
        re.compile(r"^Schema is not configured to execute (\w+) operation\."),
        VALIDATION_FAILED,
        lambda m: f"Operationen der Art {_q(m.group(1))} werden nicht angeboten.",
    ),
    # The limits (schema/limits.py: strawberry's validators).
    (
        re.compile(r"^'([^']*)' exceeds maximum operation depth of (\d+)"),
        QUERY_TOO_DEEP,
        lambda m: (
            f"Die Abfrage ist zu tief verschachtelt (höchstens {m.group(2)} Ebenen). "
            "Bitte weniger Ebenen in einer Anfrage abfragen."
        ),
    ),
    (
        re.compile(r"^(\d+) aliases found\. Allowed: (\d+)"),
        TOO_MANY_ALIASES,
        lambda m: (
            f"Zu viele Aliase ({m.group(1)}, erlaubt {m.group(2)}). Bitte auf mehrere "
            "Anfragen verteilen."
        ),
    ),
    (
        re.compile(r"^Syntax Error: Document contains more than (\d+) tokens"),
        QUERY_TOO_LARGE,
        lambda m: (
            f"Das Dokument ist zu lang (mehr als {m.group(1)} Token). Bitte kürzer "
            "abfragen oder auf mehrere Anfragen verteilen."
        ),
    ),
    (
        re.compile(r"^Syntax Error: Document is nested too deeply"),
        QUERY_TOO_DEEP,
        lambda m: "Das Dokument ist zu tief verschachtelt. Bitte weniger Ebenen abfragen.",
    ),
    (
        re.compile(r"^Syntax Error: Expected (.+?), found (.+?)\.?$", re.S),
        PARSE_FAILED,
        lambda m: (
            f"Syntaxfehler: erwartet wurde {_token(m.group(1))}, gefunden {_token(m.group(2))}."
        ),
    ),
    (
        re.compile(r"^Syntax Error: Unexpected (.+?)\.?$", re.S),
        PARSE_FAILED,
        lambda m: f"Syntaxfehler: {_token(m.group(1))} ist hier nicht erwartet.",
    ),
    (
        re.compile(r"^Syntax Error: Unterminated string"),
        PARSE_FAILED,
        lambda m: 'Syntaxfehler: eine Zeichenkette ist nicht geschlossen (" fehlt).',
    ),
    (
        re.compile(r"^Syntax Error: "),
        PARSE_FAILED,
        lambda m: "Syntaxfehler im GraphQL-Dokument; bitte an der genannten Stelle prüfen.",
    ),
]


def _token(text: str) -> str:
    text = text.strip()
    if text == "<EOF>":
        return "das Ende des Dokuments"
    named = re.match(r"""^(Name|String|Int|Float|BlockString) (["'])(.*)\2$""", text, re.S)
    if named:
        return _q(named.group(3))
    if text == "Name":
        return "ein Name"
    return _q(text.strip('"'))


def translate(message: str, *, variable: bool = False) -> Translated:
    """The German message and code of a client's error (``variable``: a variable's value)."""
    for pattern, code, render in _RULES:
        found = pattern.match(message)
        if found:
            return Translated(code, render(found))
    for pattern, code, render in _VALUE_RULES:
        found = pattern.match(message)
        if found:
            return Translated(code, render(found))
    log.debug("Ohne Übersetzung: %s", message)
    if variable:
        return Translated(
            BAD_USER_INPUT, "Eine Variable hat einen ungültigen Wert; bitte die Typen prüfen."
        )
    return Translated(
        VALIDATION_FAILED,
        "Das GraphQL-Dokument passt nicht zum Schema; bitte an der genannten Stelle prüfen. "
        + _SCHEMA_HINT,
    )


_OPERATIONS = {
    "queries": "Abfragen",
    "mutations": "Mutationen",
    "subscriptions": "Abonnements",
}


_HTTP_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^No GraphQL query found in the request"),
        lambda m: "Die Anfrage enthält kein GraphQL-Dokument (Feld „query“).",
    ),
    (
        re.compile(r"^The GraphQL operation's `variables` must be an object"),
        lambda m: "„variables“ muss ein JSON-Objekt sein (oder null).",
    ),
    (
        re.compile(r"^Unable to parse request body as JSON"),
        lambda m: "Der Inhalt der Anfrage ist kein gültiges JSON.",
    ),
    (
        re.compile(r"^Unsupported content type"),
        lambda m: "Dieser Content-Type wird nicht unterstützt; bitte application/json senden.",
    ),
    (
        re.compile(r"^GraphQL only supports GET and POST requests"),
        lambda m: "GraphQL nimmt nur GET- und POST-Anfragen an.",
    ),
    (re.compile(r"^Not Found$"), lambda m: "Nicht gefunden."),
    (
        re.compile(r"^Batching is not enabled|^Too many operations"),
        lambda m: "Mehrere Operationen in einer Anfrage (Batching) werden nicht angeboten.",
    ),
    (
        re.compile(r"^(queries|mutations|subscriptions) are not allowed when using (\w+)"),
        lambda m: (
            f"{_OPERATIONS[m.group(1)]} sind mit {m.group(2)} nicht erlaubt"
            + ("; bitte POST verwenden." if m.group(2) == "GET" else ".")
        ),
    ),
    (
        re.compile(r'^Unknown operation named "(.*)"\.'),
        lambda m: f"Eine Operation {_q(m.group(1))} gibt es im Dokument nicht.",
    ),
    (
        re.compile(r"^Can't get GraphQL operation type"),
        lambda m: "Welche Operation gemeint ist, ist unklar; bitte „operationName“ angeben.",
    ),
    (
        re.compile(r"^Unable to parse the multipart body|^File\(s\) missing in form data"),
        lambda m: "Datei-Uploads werden hier nicht angenommen.",
    ),
]


def http_reason(reason: str) -> str:
    """strawberry's plain-text reasons of an HTTP 4xx, in German (ours are German already)."""
    for pattern, render in _HTTP_REASONS:
        found = pattern.match(reason)
        if found:
            return render(found)
    return reason
