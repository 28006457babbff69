"""The parameters file (`-f params.yaml`): a safe YAML loader that composes only plain values.

No aliases, no tags beyond the core schema (no !!binary, !!python/...), at most MAX_DEPTH levels,
at most 1 MB, dates and very long integers left as text; every refusal names FILE:LINE and what
was expected. The values it returns are then typed and checked by params.check.
"""

from __future__ import annotations

import re

from .errors import InputError
from .params import MAX_DEPTH

MAX_PARAMETERS_FILE = 1024 * 1024
_CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str", "seq", "map")}


class _YamlRefused(Exception):
    def __init__(self, mark, text: str):
        super().__init__(text)
        self.line = (mark.line + 1) if mark is not None else 1
        self.text = text


def _safe_loader():
    """A SafeLoader that composes only plain values: no aliases, no tags beyond the core schema,
    at most MAX_DEPTH levels, dates left as text, integers of more than 19 digits left as text."""
    import yaml
    from yaml.events import AliasEvent

    class Loader(yaml.SafeLoader):
        yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self.top_key = ""

        def compose_node(self, parent, index):
            if self.check_event(AliasEvent):
                event = self.peek_event()
                raise _YamlRefused(event.start_mark, f"YAML aliases (*{str(event.anchor)[:40]}) are not allowed in a parameters file: expected plain values")
            self._depth += 1
            try:
                if self._depth == 2 and isinstance(index, yaml.ScalarNode):
                    self.top_key = str(index.value)[:60]
                if self._depth > MAX_DEPTH + 1:
                    mark = self.peek_event().start_mark
                    raise _YamlRefused(mark, f"{self.top_key or 'the file'}: values nested more than {MAX_DEPTH} deep: expected {'a list of party ids' if self.top_key == 'parties' else 'plain values'}")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_yaml_int(self, node):
            digits = re.sub(r"[^0-9a-fA-F]", "", str(node.value))
            if len(digits) > 19:
                return str(node.value)  # never int() a number this long; the checker says what was expected
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    return Loader


def load_yaml(path, expect=None) -> tuple[dict, dict]:
    """A parameters file: (values, origin) where origin maps a name to ('FILE:LINE', the value as written).

    Refused with `FILE:LINE: ...: expected ...` (InputError): a file that is not a regular file or is over
    1 MB, not UTF-8, not YAML, not a mapping, any tag beyond the core schema (!!binary, !!python/..., !x),
    any alias, values nested more than 20 deep. `expect(name)` says what a parameter expects (for tags).
    """
    import yaml

    from .fileio import read_regular

    expect = expect or (lambda name: "expected plain values")
    raw = read_regular(path, limit=MAX_PARAMETERS_FILE, too_large="the parameters file is more than {limit:,} bytes: expected a short YAML file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: expected UTF-8 text (byte 0x{raw[err.start]:02X} is not UTF-8)") from None
    loader = None
    try:
        loader = _safe_loader()(text)
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise _YamlRefused(None, f"values nested more than {MAX_DEPTH} deep: expected plain values") from None
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise _YamlRefused(node.start_mark, "expected a YAML mapping of parameter names to values (name: value)")
        origin = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
                raise _YamlRefused(key.start_mark, "expected a parameter name (text) before ':'")
            name = str(key.value)
            _check_tags(value, name, expect)
            written = " ".join(text[value.start_mark.index:value.end_mark.index].split())
            if len(written) > 60:
                kind = "digits" if written.isdigit() else "characters"
                written = repr(written[:60]) + f"… ({len(written):,} {kind})"
            origin[name] = (f"{path}:{value.start_mark.line + 1}", written)
        values = loader.construct_document(node)
    except _YamlRefused as err:
        raise InputError(f"{path}:{err.line}: {err.text}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise InputError(f"{path}:{line}: expected YAML (a mapping of parameter names to values): {err.problem or err.context}") from None
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise InputError(f"{path}:{line}: expected YAML text: character {err.character!r} is not allowed") from None
    except yaml.YAMLError as err:
        raise InputError(f"{path}: expected YAML (a mapping of parameter names to values): {str(err)[:200]}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as err:  # a constructor refusing a value
        raise InputError(f"{path}: expected plain YAML values: {type(err).__name__}: {str(err)[:200]}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return values, origin


def _check_tags(node, name: str, expect) -> None:
    import yaml

    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag not in _CORE_TAGS:
            tag = n.tag.replace("tag:yaml.org,2002:", "!!")
            raise _YamlRefused(n.start_mark, f"{name}: {tag[:60]} value: {expect(name)} (YAML tags beyond the core schema are not allowed)")
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
