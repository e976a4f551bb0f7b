"""Reading a JSON object whose one list holds items, each item decoded on its own.

`json.loads` of the whole body fails, and loses every item, when any one of them cannot be
decoded: nested deeper than Python's recursion allows, an integer longer than `int()` reads,
an invalid literal. Here the object and its list are walked value by value; each value is
decoded by json's own scanner, and one it cannot decode is passed over by a plain loop (no
recursion, so no depth is too deep) and stands as UNREADABLE in its place.
"""

import json
import re

# Python's int() refuses more than 4300 digits, and nothing we accept has more than 18; a
# longer integer is read as the float it rounds to (inf past 309 digits), out of every range.
LONGEST_INT = 18
# Passing over a value that cannot be decoded costs a step per run of brackets and per
# string in it, about half a microsecond each (100,000 nested lists are two runs, 100,000
# nested objects 200,000 steps): a body may spend this many, about 0.15 s, and past that
# it is unreadable as a whole.
PASS_OVER_STEPS = 300_000

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,:\[\]{}\" \t\n\r]+")
_STRUCTURE = re.compile(r'"|[\[{]+|[\]}]+')


class Unreadable(ValueError):
    """The body as a whole is not a JSON object that can be walked."""


class NotAnObject(ValueError):
    """The body is JSON, but not an object."""


class TooMany(ValueError):
    """The list holds more items than the caller takes."""


class _Unreadable:
    def __repr__(self):
        return "UNREADABLE"


UNREADABLE = _Unreadable()  # stands in the list for an item that could not be decoded


def _int(text):
    return int(text) if len(text.lstrip("-")) <= LONGEST_INT else float(text)


_decoder = json.JSONDecoder(parse_int=_int)


class _Walk:
    """One body being read: its text and the steps left for passing over bad values."""

    def __init__(self, text):
        self.text = text
        self.steps = PASS_OVER_STEPS

    def space(self, position):
        return _WHITESPACE.match(self.text, position).end()

    def at(self, position, char):
        return self.text.startswith(char, position)

    def expect(self, position, char):
        if not self.at(position, char):
            raise Unreadable(position)

    def value(self, position):
        """(the value starting at `position`, or UNREADABLE; where it ends)."""
        try:
            value, end = _decoder.raw_decode(self.text, position)
        except (ValueError, RecursionError):
            return UNREADABLE, self.pass_over(position)
        after = self.space(end)
        if after == len(self.text) or self.text[after] in ",]}":
            return value, end
        return UNREADABLE, self.pass_over(position)  # such as 12abc: not a value after all

    def pass_over(self, start):
        """Where the value starting at `start` ends, without decoding it."""
        text = self.text
        if text.startswith('"', start):
            match = _STRING.match(text, start)
            if match is None:
                raise Unreadable(start)
            return match.end()
        if not text.startswith(("[", "{"), start):
            match = _SCALAR.match(text, start)
            if match is None:
                raise Unreadable(start)
            return match.end()
        depth, position = 0, start
        while True:
            self.steps -= 1
            match = _STRUCTURE.search(text, position)
            if match is None or self.steps < 0:
                raise Unreadable("unclosed" if match is None else "too much to pass over")
            token, position = match.group(), match.end()
            if token == '"':  # noqa: S105 - a JSON token, not a password
                string = _STRING.match(text, match.start())
                if string is None:
                    raise Unreadable("unclosed string")
                position = string.end()
            elif token[0] in "[{":
                depth += len(token)
            elif len(token) >= depth:
                return match.start() + depth
            else:
                depth -= len(token)


def read(raw, list_key, max_items):
    """(the object's other members as {name: value}, its `list_key` items or None if it has
    no such list); Unreadable, NotAnObject or TooMany for the body as a whole.

    Bytes that are not UTF-8 become lone surrogates in the text they fall in, which callers
    refuse where they land (a note, a key), like any text a database cannot store.
    """
    walk = _Walk(raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw)
    position = walk.space(0)
    if not walk.at(position, "{"):
        value, end = walk.value(position)
        if value is UNREADABLE or walk.space(end) != len(walk.text):
            raise Unreadable(position)
        raise NotAnObject()
    members, items = {}, None
    position = walk.space(position + 1)
    while not walk.at(position, "}"):
        key, position = _key(walk, position)
        position = walk.space(position)
        walk.expect(position, ":")
        position = walk.space(position + 1)
        if key == list_key and walk.at(position, "["):
            items, position = _items(walk, position, max_items)
            members.pop(key, None)
        else:
            value, position = walk.value(position)
            if value is UNREADABLE:
                raise Unreadable(key)
            members[key] = value
            items = None if key == list_key else items
        position = walk.space(position)
        if walk.at(position, ","):
            position = walk.space(position + 1)
            walk.expect(position, '"')
        elif not walk.at(position, "}"):
            raise Unreadable(position)
    if walk.space(position + 1) != len(walk.text):
        raise Unreadable("trailing text")
    return members, items


def _items(walk, position, max_items):
    items = []
    position = walk.space(position + 1)
    if walk.at(position, "]"):
        return items, position + 1
    while True:
        if len(items) == max_items:
            raise TooMany(max_items)
        item, position = walk.value(position)
        items.append(item)
        position = walk.space(position)
        if walk.at(position, ","):
            position = walk.space(position + 1)
        elif walk.at(position, "]"):
            return items, position + 1
        else:
            raise Unreadable(position)


def _key(walk, position):
    match = _STRING.match(walk.text, position)
    if match is None:
        raise Unreadable(position)
    try:
        return _decoder.decode(match.group()), match.end()
    except ValueError:  # a bad escape
        raise Unreadable(position) from None
