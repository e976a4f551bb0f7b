"""Reading a JSON object whose one list holds items, each item decoded on its own.

`json.loads` of the whole body fails, and loses every item, when any one of them cannot be
decoded: nested deeper than Python's recursion allows, an integer longer than `int()` reads,
an invalid literal. Here the object and its list are walked without decoding (an iterative
scan), then each item is decoded by itself; one that cannot be is UNREADABLE in its place,
and the others are read as usual.
"""

import json
import re

# Deeper than this, an item is not one a client meant to send: refused before decoding, so
# the decoder never recurses that far.
MAX_DEPTH = 32
# Python's int() refuses more than 4300 digits, and nothing we accept has more than 18; a
# longer integer is read as the float it rounds to (inf past 309 digits), out of every range.
LONGEST_INT = 18

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,:\[\]{}\" \t\n\r]+")
_STRUCTURE = re.compile(r'["\[\]{}]')


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


def read(raw, list_key, max_items):
    """(the object's other members as {name: value}, its `list_key` items or None if it has
    no such list); Unreadable, NotAnObject or TooMany for the body as a whole.

    Bytes that are not UTF-8 become lone surrogates in the text they fall in, which callers
    refuse where they land (a note, a key), like any text a database cannot store.
    """
    text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        end, depth = _span(text, position)
        if _decode(text[position:end], depth) is UNREADABLE or _skip_space(text, end) != len(text):
            raise Unreadable(position)
        raise NotAnObject()
    members, items = {}, None
    position = _skip_space(text, position + 1)
    while not text.startswith("}", position):
        key, position = _key(text, position)
        position = _skip_space(text, position)
        _expect(text, position, ":")
        position = _skip_space(text, position + 1)
        if key == list_key and text.startswith("[", position):
            items, position = _items(text, position, max_items)
            members.pop(key, None)
        else:
            end, depth = _span(text, position)
            value = _decode(text[position:end], depth)
            if value is UNREADABLE:
                raise Unreadable(key)
            members[key] = value
            items = None if key == list_key else items
            position = end
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            _expect(text, position, '"')
        elif not text.startswith("}", position):
            raise Unreadable(position)
    if _skip_space(text, position + 1) != len(text):
        raise Unreadable("trailing text")
    return members, items


def _items(text, position, max_items):
    items = []
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return items, position + 1
    while True:
        if len(items) == max_items:
            raise TooMany(max_items)
        end, depth = _span(text, position)
        items.append(_decode(text[position:end], depth))
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif text.startswith("]", position):
            return items, position + 1
        else:
            raise Unreadable(position)


def _key(text, position):
    match = _STRING.match(text, position)
    if match is None:
        raise Unreadable(position)
    key = _decode(match.group(), 0)
    if not isinstance(key, str):
        raise Unreadable(position)
    return key, match.end()


def _decode(span, depth):
    """The value of one JSON text, or UNREADABLE."""
    if depth > MAX_DEPTH:
        return UNREADABLE
    try:
        value, end = _decoder.raw_decode(span)
    except (ValueError, RecursionError):
        return UNREADABLE
    return value if end == len(span) else UNREADABLE


def _span(text, start):
    """Where the value starting at `start` ends, and how deeply it nests, without decoding it:
    a loop, not recursion, so no depth is too deep to pass over."""
    if text.startswith('"', start):
        match = _STRING.match(text, start)
        if match is None:
            raise Unreadable(start)
        return match.end(), 0
    if not text.startswith(("[", "{"), start):
        match = _SCALAR.match(text, start)
        if match is None:
            raise Unreadable(start)
        return match.end(), 0
    depth = deepest = 0
    position = start
    while True:
        match = _STRUCTURE.search(text, position)
        if match is None:
            raise Unreadable("unclosed")
        char, position = match.group(), match.end()
        if char == '"':
            string = _STRING.match(text, match.start())
            if string is None:
                raise Unreadable("unclosed string")
            position = string.end()
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
            if depth == 0:
                return position, deepest


def _skip_space(text, position):
    return _WHITESPACE.match(text, position).end()


def _expect(text, position, char):
    if not text.startswith(char, position):
        raise Unreadable(position)
